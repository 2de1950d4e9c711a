"""The CLI as a user runs it, against a real Anvil node: the onboarding acceptance path, and bad
input giving one line that names the field, exit status 2, no traceback, nothing sent."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from shanglian import devkeys, uscc

CODE = uscc.with_check_character("91341321MA2N0X2Y3")
LATER = (dt.date.today() + dt.timedelta(days=400)).isoformat()
APPLICANT = devkeys.addresses()[3]


def run(node, *args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "shanglian", *args], env=node.env(), capture_output=True, text=True, timeout=120
    )
    if check and result.returncode != 0:
        raise AssertionError(f"shanglian {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


def apply_args(**overrides):
    values = {"--name": "砀山梨合作社", "--credit-code": CODE, "--roles": "producer", "--licence": "lic-1",
              "--licence-expiry": LATER}
    values.update(overrides)
    return ["enterprise", "apply", "--account", "dev3", *[x for kv in values.items() for x in kv]]


@pytest.fixture
def deployed(anvil):
    run(anvil, "deploy", "--account", "dev0")
    return anvil


def test_two_of_three_admins_onboard_an_applicant(deployed):
    run(deployed, *apply_args())
    first = json.loads(run(deployed, "enterprise", "approve", APPLICANT, "--account", "dev0", "--json").stdout)
    second = json.loads(run(deployed, "enterprise", "approve", APPLICANT, "--account", "dev1", "--json").stdout)
    assert (first["executed"], second["executed"]) == (False, True)
    shown = json.loads(run(deployed, "enterprise", "show", APPLICANT, "--json").stdout)
    assert shown["status"] == "active" and shown["roles"] == ["producer"] and shown["name"] == "砀山梨合作社"
    human = run(deployed, "enterprise", "show", APPLICANT).stdout
    assert "active" in human and "producer" in human


def onboard_applicant(deployed):
    run(deployed, *apply_args())
    for admin in ("dev0", "dev1"):
        run(deployed, "enterprise", "approve", APPLICANT, "--account", admin)


def test_an_operator_acts_only_once_it_accepts(deployed):
    onboard_applicant(deployed)
    operator = devkeys.addresses()[4]
    offered = run(deployed, "enterprise", "add-operator", operator, "--account", "dev3").stdout
    assert f"enterprise accept-operator {APPLICANT}" in offered
    accepted = json.loads(run(deployed, "enterprise", "accept-operator", APPLICANT, "--account", "dev4", "--json").stdout)
    assert (accepted["operator"], accepted["enterprise"]) == (operator, APPLICANT)
    run(deployed, "enterprise", "resign-operator", "--account", "dev4")


def test_an_operator_accepting_no_offer_exits_2_naming_the_custom_error(deployed):
    onboard_applicant(deployed)
    result = run(deployed, "enterprise", "accept-operator", APPLICANT, "--account", "dev4", check=False)
    assert result.returncode == 2 and "RegistryNoOperatorOffer" in result.stderr


def test_admins_assign_a_prefix_and_list_it(deployed):
    onboard_applicant(deployed)
    first = json.loads(run(deployed, "enterprise", "assign-prefix", APPLICANT, "--prefix", "6901234",
                           "--account", "dev0", "--json").stdout)
    second = json.loads(run(deployed, "enterprise", "assign-prefix", APPLICANT, "--prefix", "6901234",
                            "--account", "dev1", "--json").stdout)
    assert (first["executed"], second["executed"]) == (False, True)
    assert json.loads(run(deployed, "enterprise", "prefixes", "--json").stdout) == {"6901234": APPLICANT}


def test_stranger_approval_exits_2_naming_the_custom_error(deployed):
    run(deployed, *apply_args())
    result = run(deployed, "enterprise", "approve", APPLICANT, "--account", "dev5", check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "RegistryNotAdmin" in result.stderr
    assert "Traceback" not in result.stderr


def test_redeploy_reuses_the_recorded_deployment(deployed):
    first = json.loads(run(deployed, "deploy", "--account", "dev0", "--json").stdout)
    again = json.loads(run(deployed, "deploy", "--account", "dev0", "--json").stdout)
    fresh = json.loads(run(deployed, "deploy", "--account", "dev0", "--json", "--fresh").stdout)
    assert first["contracts"] == again["contracts"]
    assert fresh["contracts"]["EnterpriseRegistry"] != first["contracts"]["EnterpriseRegistry"]


BAD_INPUTS = [
    ("credit_code", apply_args(**{"--credit-code": CODE[:-1] + ("0" if CODE[-1] != "0" else "1")})),
    ("credit_code", apply_args(**{"--credit-code": "123"})),
    ("roles", apply_args(**{"--roles": "farmer"})),
    ("licence_expiry", apply_args(**{"--licence-expiry": "2020-01-01"})),
    ("licence_expiry", apply_args(**{"--licence-expiry": "next year"})),
    ("name", apply_args(**{"--name": "x" * 97})),
    ("account", ["enterprise", "approve", "0x1234", "--account", "dev0"]),
    ("account", ["enterprise", "show", "not-an-address"]),
    ("account", ["enterprise", "show", "0x000000000000000000000000000000000000dEaD"]),
    ("operator", ["enterprise", "add-operator", "0xZZ", "--account", "dev3"]),
    ("account", ["enterprise", "accept-operator", "0xZZ", "--account", "dev3"]),
    ("operator", ["enterprise", "clear-operator", "nobody", "--account", "dev0"]),
    ("prefix", ["enterprise", "assign-prefix", APPLICANT, "--prefix", "690", "--account", "dev0"]),
    ("prefix", ["enterprise", "revoke-prefix", "69O1234", "--account", "dev0"]),
    ("threshold", ["consortium", "set-threshold", "zero", "--account", "dev0"]),
]


@pytest.mark.parametrize("field, args", BAD_INPUTS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_INPUTS)])
def test_bad_input_names_the_field_and_sends_nothing(deployed, field, args):
    from shanglian.network import connect

    w3 = connect("testnode", str(deployed.config)).w3
    block = w3.eth.block_number
    result = run(deployed, *args, check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {field}") and result.stderr.count("\n") == 1, result.stderr
    assert w3.eth.block_number == block


def test_malformed_csv_row_is_refused_before_any_vote(deployed, tmp_path):
    csv = tmp_path / "members.csv"
    csv.write_text(f"account,name,credit_code,roles,licence_hash,licence_expiry\n{APPLICANT},梨,{CODE},producer,h,{LATER}\n"
                   f"0x12,坏,{CODE},producer,h,{LATER}\n")
    result = run(deployed, "enterprise", "import", str(csv), "--account", "dev0", check=False)
    assert result.returncode == 2
    assert result.stderr == "error: row 3 account: '0x12' is not a 0x-prefixed 20-byte hex address\n"


def test_import_from_csv_is_governed_by_the_threshold(deployed, tmp_path):
    csv = tmp_path / "members.csv"
    rows = [f"{devkeys.addresses()[i]},企业{i},{uscc.with_check_character(f'91330100MA2H7C{i:02d}5')},supplier,h{i},{LATER}"
            for i in range(3, 8)]
    csv.write_text("account,name,credit_code,roles,licence_hash,licence_expiry\n" + "\n".join(rows) + "\n")
    first = json.loads(run(deployed, "enterprise", "import", str(csv), "--account", "dev0", "--json", "--chunk-rows", "2").stdout)
    assert first["approved"] is False
    second = json.loads(run(deployed, "enterprise", "import", str(csv), "--account", "dev1", "--json", "--chunk-rows", "2").stdout)
    assert second["approved"] and second["applied_now"] == 3
    again = json.loads(run(deployed, "enterprise", "import", str(csv), "--account", "dev1", "--json", "--chunk-rows", "2").stdout)
    assert again["applied_now"] == 0 and again["applied_before"] == 3
    listed = json.loads(run(deployed, "enterprise", "list", "--json").stdout)
    assert len(listed) == 5 and {e["status"] for e in listed} == {"active"}
    assert second["skipped"] == []


def test_import_reports_a_row_it_skipped(deployed, tmp_path):
    onboard_applicant(deployed)  # dev3 is an enterprise already; its row cannot be imported
    csv = tmp_path / "members.csv"
    rows = [f"{devkeys.addresses()[i]},企业{i},{uscc.with_check_character(f'91330100MA2H7C{i:02d}5')},supplier,h{i},{LATER}"
            for i in range(3, 5)]
    csv.write_text("account,name,credit_code,roles,licence_hash,licence_expiry\n" + "\n".join(rows) + "\n")
    run(deployed, "enterprise", "import", str(csv), "--account", "dev0")
    done = run(deployed, "enterprise", "import", str(csv), "--account", "dev1")
    assert "1 row(s) skipped" in done.stdout
    result = json.loads(run(deployed, "enterprise", "import", str(csv), "--account", "dev1", "--json").stdout)
    assert result["skipped"] == [{"account": APPLICANT, "status": "active", "credit_code_holder": None}]
    assert json.loads(run(deployed, "enterprise", "show", APPLICANT, "--json").stdout)["name"] == "砀山梨合作社"


def test_unreachable_node_is_one_line_and_exit_1(anvil):
    anvil.stop()
    result = run(anvil, "enterprise", "list", check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("error: no node at http://127.0.0.1:") and "shanglian node" in result.stderr


def test_dev_keys_are_refused_on_a_network_that_is_not_local_with_the_way_to_mark_one(anvil):
    anvil.config.write_text(anvil.config.read_text() + f"  shared:\n    rpc: {anvil.url}\n    local: false\n")
    result = run(anvil, "deploy", "--account", "dev0", "--network", "shared", check=False)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "public development key" in result.stderr and "`local: true`" in result.stderr


def test_a_loopback_url_is_a_local_network(anvil):
    deployed = json.loads(run(anvil, "deploy", "--account", "dev0", "--network", anvil.url, "--json").stdout)
    assert deployed["network"] == anvil.url and set(deployed["contracts"]) >= {"EnterpriseRegistry"}
