"""`shanglian receivable …` for a confidential receivable, as a user runs it on Anvil: publish keys,
issue --confidential, split, disclose to the bank, verify the disclosure, show as a party (yuan) and as
anyone else (shares), settle refused without --reveal; and bad input — a disclosure file that is not
JSON, a field that does not exist, an account that is not a party — one line naming it, exit status 2."""

# The node fixtures are imported from the receivables CLI suite and taken as test parameters, which
# pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import json

import pytest
from test_cli_receivables import ACCOUNT, deployed, deployed_once, runner_for  # noqa: F401 - fixtures

PARTIES = ("core", "supplier", "bank", "sub_supplier", "regulator")


@pytest.fixture
def cli(deployed):
    run = runner_for(deployed.node)
    for who in PARTIES:
        run("receivable", "publish-key", "--account", ACCOUNT[who])
    return run


def confidential_issue(cli, deployed, invoice: str = "增值税专用发票 No. 00000042") -> int:
    done = cli("receivable", "issue", "--confidential", "--creditor", deployed.parties["supplier"],
               "--amount", "1,000,000", "--due", deployed.due(), "--invoice", invoice,
               "--account", ACCOUNT["core"], "--json")
    return json.loads(done.stdout)["token"]


def split_to_sub_supplier(cli, deployed, token: int) -> int:
    done = cli("receivable", "split", str(token), "--to", deployed.parties["sub_supplier"], "--amount", "300,000",
               "--account", ACCOUNT["supplier"], "--json")
    return json.loads(done.stdout)["token"]


def test_a_party_reads_yuan_and_anyone_else_shares(cli, deployed):
    token = confidential_issue(cli, deployed)
    piece = split_to_sub_supplier(cli, deployed, token)
    as_party = json.loads(cli("receivable", "show", str(piece), "--account", ACCOUNT["sub_supplier"], "--json").stdout)
    as_other = json.loads(cli("receivable", "show", str(piece), "--account", ACCOUNT["bank"], "--json").stdout)
    assert (as_party["value"], as_party["percent"]) == ("300000.00", "30.0000")
    assert (as_other["value"], as_other["percent"], as_other["obligation"]["face_value"]) == (None, "30.0000", None)
    printed = cli("receivable", "lineage", "--slot", str(token // 10**7)).stdout
    assert "70.0000% of the receivable" in printed and "¥" not in printed


def test_disclosure_round_trip_says_which_fields_are_proven(cli, deployed, tmp_path):
    token = confidential_issue(cli, deployed)
    piece = split_to_sub_supplier(cli, deployed, token)
    path = tmp_path / "to-bank.json"
    cli("receivable", "disclose", str(piece), "--to", deployed.parties["bank"], "--fields", "face_value,invoice_number",
        "--out", str(path), "--account", ACCOUNT["sub_supplier"])
    assert set(json.loads(path.read_text())["fields"]) == {"face_value", "invoice_number"}
    verified = cli("receivable", "verify-disclosure", str(path)).stdout
    assert "2 fields proven against the chain" in verified
    assert "face_value: ¥1,000,000.00" in verified and "invoice_number: 增值税专用发票 No. 00000042" in verified


def test_a_tampered_disclosure_is_refused_naming_the_field(cli, deployed, tmp_path):
    token = confidential_issue(cli, deployed)
    path = tmp_path / "to-bank.json"
    cli("receivable", "disclose", str(token), "--to", deployed.parties["bank"], "--fields", "face_value",
        "--out", str(path), "--account", ACCOUNT["supplier"])
    body = json.loads(path.read_text())
    body["fields"]["face_value"]["value"] = 200_000_000
    path.write_text(json.dumps(body))
    refused = cli("receivable", "verify-disclosure", str(path), check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0 and "face_value" in refused.stderr


def test_a_disclosure_file_that_is_not_json_is_one_line_exit_2(cli, tmp_path):
    path = tmp_path / "not-json.json"
    path.write_text("face_value: 1000000\n")
    refused = cli("receivable", "verify-disclosure", str(path), check=False)
    assert refused.returncode == 2
    assert "disclosure: is not JSON" in refused.stderr and refused.stderr.strip().count("\n") == 0
    assert "Traceback" not in refused.stderr


def test_a_field_that_does_not_exist_is_one_line_exit_2(cli, deployed):
    token = confidential_issue(cli, deployed)
    nonce = deployed.nonce("supplier")
    refused = cli("receivable", "disclose", str(token), "--to", deployed.parties["bank"], "--fields",
                  "face_value,discount", "--account", ACCOUNT["supplier"], check=False)
    assert refused.returncode == 2
    assert "fields: 'discount' is not a field of an invoice" in refused.stderr
    assert deployed.nonce("supplier") == nonce


def test_an_account_that_is_not_a_party_is_one_line_exit_2(cli, deployed):
    token = confidential_issue(cli, deployed)
    refused = cli("receivable", "disclose", str(token), "--to", deployed.parties["supplier"], "--fields", "face_value",
                  "--account", ACCOUNT["bank"], check=False)
    assert refused.returncode == 2
    assert "account:" in refused.stderr and "is not a party to receivable" in refused.stderr
    assert refused.stderr.strip().count("\n") == 0


def test_paying_a_confidential_fragment_through_the_token_needs_reveal(cli, deployed):
    token = confidential_issue(cli, deployed)
    refused = cli("receivable", "settle", str(token), "--account", ACCOUNT["core"], check=False)
    assert refused.returncode == 2
    assert "reveal:" in refused.stderr and "publishes its amount" in refused.stderr
