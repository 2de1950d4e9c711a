"""`shanglian receivable …` as a user runs it, against a real Anvil node: the story through the CLI
(issue, split, offer, accept, settle after maturity, lineage), readable output, named refusals, and
bad input giving one line that names the field, exit status 2, nothing sent.

Commands run in this process through `shanglian.cli.main`'s error handling on a group built with
`shanglian.cli.receivables.register` (click's CliRunner captures the output), so they run before the
main entry point registers them; once `python -m shanglian receivable --help` works, the acceptance
path also runs as a subprocess, exactly as a user types it. One node is deployed and onboarded per
module; each test runs on an Anvil snapshot that is reverted after it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass

import click
import pytest
from click.testing import CliRunner
from conftest import Node, sender
from test_receivables_sdk import onboard

import shanglian.cli as entry
from shanglian import chaintime, demo, deploy
from shanglian.cli import receivables as receivables_cli
from shanglian.network import connect

# The demo's parties, on keys the CLI can name (dev0 … dev9): dev7 core, dev8 supplier, dev9 bank.
PARTIES = {"core": 7, "supplier": 8, "bank": 9, "sub_supplier": 3, "regulator": 4}
ACCOUNT = {who: f"dev{key}" for who, key in PARTIES.items()}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Deployed:
    node: Node
    parties: dict[str, str]

    def chain(self):
        return connect(self.node.profile)

    def nonce(self, who: str) -> int:
        return self.chain().w3.eth.get_transaction_count(self.parties[who])

    def due(self, days: int = 90) -> str:
        return (chaintime.today(self.chain()) + dt.timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def deployed_once(tmp_path_factory):
    node = Node(tmp_path_factory.mktemp("anvil")).start()
    chain = connect(node.profile)
    admins = [sender(chain, i).address for i in demo.ADMIN_KEYS]
    suite = deploy.deploy_suite(
        chain,
        sender(chain, 0),
        deploy.DeployOptions(admins, demo.THRESHOLD),
        manifest=deploy.Manifest(node.state_dir / "deployments.json"),
    )
    parties = onboard(chain, suite, PARTIES)
    yield Deployed(node, parties)
    node.stop()


@pytest.fixture
def deployed(deployed_once):
    w3 = connect(deployed_once.node.profile).w3
    snapshot = w3.testing.snapshot()
    yield deployed_once
    w3.testing.revert(snapshot)


def group() -> click.Group:
    """A `shanglian` group holding only the receivable commands, as `register` builds it."""
    built = click.Group("shanglian")
    receivables_cli.register(built)
    return built


def run_in_process(node: Node, *args: str) -> Result:
    """One command through `shanglian.cli.main` (its one-line errors and exit codes) on `group()`."""
    try:
        runner = CliRunner(mix_stderr=False)  # click 8.1; 8.2 keeps stderr apart anyway
    except TypeError:
        runner = CliRunner()
    with runner.isolation(env=node.env()) as streams, pytest.MonkeyPatch.context() as patch:
        stdout, stderr = streams[0], streams[1]
        patch.setattr(entry, "cli", group())
        code = 0
        try:
            entry.main(list(args))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        sys.stdout.flush()
        sys.stderr.flush()
        return Result(code, stdout.getvalue().decode(), stderr.getvalue().decode())


def runner_for(node: Node):
    def run(*args: str, check: bool = True) -> Result:
        result = run_in_process(node, *args)
        if check and result.returncode != 0:
            raise AssertionError(f"shanglian {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    return run


@pytest.fixture
def cli(deployed):
    """cli(*args, check=True): one command in this process (the entry point as a user starts it is
    test_cli's and the guides')."""
    return runner_for(deployed.node)


def issue(run, deployed, amount: str = "1,000,000", invoice: str = "INV-CLI-0001") -> int:
    done = run(
        "receivable",
        "issue",
        "--creditor",
        deployed.parties["supplier"],
        "--amount",
        amount,
        "--due",
        deployed.due(),
        "--invoice",
        invoice,
        "--account",
        ACCOUNT["core"],
        "--json",
    )
    return json.loads(done.stdout)["token"]


# -- the acceptance path ----------------------------------------------------------------------------


def test_story_through_the_cli_ends_settled_with_a_lineage_tree(cli, deployed):
    token = issue(cli, deployed)
    split = cli(
        "receivable",
        "split",
        str(token),
        "--to",
        deployed.parties["sub_supplier"],
        "--amount",
        "300,000",
        "--account",
        ACCOUNT["supplier"],
        "--json",
    )
    piece = json.loads(split.stdout)["token"]
    cli(
        "receivable",
        "offer",
        str(piece),
        "--financier",
        deployed.parties["bank"],
        "--price",
        "291000",
        "--account",
        ACCOUNT["sub_supplier"],
    )
    cli(
        "receivable",
        "accept",
        str(piece),
        "--price",
        "291000",
        "--payment-reference",
        "ZSB-PAY-0001",
        "--account",
        ACCOUNT["bank"],
    )
    chain = deployed.chain()
    chaintime.travel_to(chain, chaintime.now(chain) + 91 * chaintime.DAY)
    cli("receivable", "confirm-payment", str(token), "--account", ACCOUNT["supplier"])
    cli("receivable", "confirm-payment", str(piece), "--account", ACCOUNT["bank"])
    tree = cli("receivable", "lineage", "--slot", "1").stdout
    assert f"└── {token}" in tree and f"└── {piece}" in tree
    assert "¥700,000.00" in tree and "¥300,000.00" in tree and "settled ¥1,000,000.00" in tree
    assert demo.CAST["bank"].name in tree and demo.CAST["sub_supplier"].name in tree  # buyer and seller


def test_issue_prints_the_fragment_amount_creditor_and_due_date(cli, deployed):
    due = deployed.due()
    done = cli(
        "receivable",
        "issue",
        "--creditor",
        deployed.parties["supplier"],
        "--amount",
        "1000000",
        "--due",
        due,
        "--invoice",
        "INV-CLI-0002",
        "--account",
        ACCOUNT["core"],
    )
    assert (
        done.stdout.split()
        == (
            "issued receivable 1: fragment 10000001, ¥1,000,000.00 owed to "
            f"{demo.CAST['supplier'].name}, due {due}"
        ).split()
    )


def test_show_prints_holder_value_in_yuan_and_days_to_due(cli, deployed):
    token = issue(cli, deployed)
    shown = cli("receivable", "show", str(token)).stdout
    assert demo.CAST["supplier"].name in shown and "¥1,000,000.00" in shown
    assert f"{deployed.due()} (in 90 days)" in shown


def test_show_marks_an_unsettled_fragment_overdue_after_its_due_date(cli, deployed):
    token = issue(cli, deployed)
    chain = deployed.chain()
    chaintime.travel_to(chain, chaintime.now(chain) + 95 * chaintime.DAY)
    shown = cli("receivable", "show", str(token), "--json").stdout
    data = json.loads(shown)
    assert data["overdue"] is True and data["days_overdue"] >= 4
    assert "overdue" in cli("receivable", "show", str(token)).stdout


def test_show_json_gives_yuan_as_text_and_fen_as_integers(cli, deployed):
    token = issue(cli, deployed, amount="1,234.56")
    data = json.loads(cli("receivable", "show", str(token), "--json").stdout)
    assert (data["value"], data["value_fen"]) == ("1234.56", 123456)
    assert data["obligation"]["creditor"] == deployed.parties["supplier"]


def test_list_by_holder_shows_only_its_fragments(cli, deployed):
    token = issue(cli, deployed)
    cli(
        "receivable",
        "split",
        str(token),
        "--to",
        deployed.parties["sub_supplier"],
        "--amount",
        "1",
        "--account",
        ACCOUNT["supplier"],
    )
    mine = json.loads(
        cli("receivable", "list", "--holder", deployed.parties["sub_supplier"], "--json").stdout
    )
    assert [(f["token"], f["value"]) for f in mine] == [(10_000_002, "1.00")]


def test_regulator_freezes_a_receivable_and_a_split_is_then_refused_by_name(cli, deployed):
    token = issue(cli, deployed)
    cli("receivable", "freeze", "--slot", "1", "--account", ACCOUNT["regulator"])
    refused = cli(
        "receivable",
        "split",
        str(token),
        "--to",
        deployed.parties["sub_supplier"],
        "--amount",
        "1",
        "--account",
        ACCOUNT["supplier"],
        check=False,
    )
    assert refused.returncode == 2 and "ReceivableSlotFrozen" in refused.stderr


def test_settle_without_a_settlement_token_is_refused_by_name(cli, deployed):
    token = issue(cli, deployed)
    chain = deployed.chain()
    chaintime.travel_to(chain, chaintime.now(chain) + 91 * chaintime.DAY)
    refused = cli("receivable", "settle", str(token), "--account", ACCOUNT["core"], check=False)
    assert refused.returncode == 2 and "ReceivableNoSettlementToken" in refused.stderr


# -- refusals and bad input -------------------------------------------------------------------------


def test_issuing_the_same_invoice_twice_exits_2_naming_receivable_invoice_used(cli, deployed):
    issue(cli, deployed)
    again = cli(
        "receivable",
        "issue",
        "--creditor",
        deployed.parties["supplier"],
        "--amount",
        "5",
        "--due",
        deployed.due(),
        "--invoice",
        "INV-CLI-0001",
        "--account",
        ACCOUNT["core"],
        check=False,
    )
    assert again.returncode == 2
    assert again.stderr.startswith("error: refused by the contract: ReceivableInvoiceUsed: invoice 0x")
    assert len(again.stderr.strip().splitlines()) == 1


BAD_INPUT = [
    (
        "amount",
        [
            "issue",
            "--creditor",
            "{supplier}",
            "--amount",
            "0.001",
            "--due",
            "{due}",
            "--invoice",
            "I",
            "--account",
            "dev7",
        ],
    ),
    (
        "amount",
        [
            "issue",
            "--creditor",
            "{supplier}",
            "--amount",
            "-1",
            "--due",
            "{due}",
            "--invoice",
            "I",
            "--account",
            "dev7",
        ],
    ),
    (
        "creditor",
        [
            "issue",
            "--creditor",
            "0xnope",
            "--amount",
            "1",
            "--due",
            "{due}",
            "--invoice",
            "I",
            "--account",
            "dev7",
        ],
    ),
    (
        "due",
        [
            "issue",
            "--creditor",
            "{supplier}",
            "--amount",
            "1",
            "--due",
            "2020-02-30",
            "--invoice",
            "I",
            "--account",
            "dev7",
        ],
    ),
    (
        "due",
        [
            "issue",
            "--creditor",
            "{supplier}",
            "--amount",
            "1",
            "--due",
            "2021-01-01",
            "--invoice",
            "I",
            "--account",
            "dev7",
        ],
    ),
    (
        "currency",
        [
            "issue",
            "--creditor",
            "{supplier}",
            "--amount",
            "1",
            "--due",
            "{due}",
            "--invoice",
            "I",
            "--currency",
            "RMB!",
            "--account",
            "dev7",
        ],
    ),
    ("token", ["split", "ten", "--to", "{sub_supplier}", "--amount", "1", "--account", "dev8"]),
    ("token", ["split", "990000001", "--to", "{sub_supplier}", "--amount", "1", "--account", "dev8"]),
    ("amount", ["split", "10000001", "--to", "{sub_supplier}", "--amount", "2000000", "--account", "dev8"]),
    ("price", ["offer", "10000001", "--financier", "{bank}", "--price", "abc", "--account", "dev8"]),
    ("payment_reference", ["accept", "10000001", "--price", "1", "--payment-reference", " ", "--account", "dev9"]),
    ("price", ["accept", "10000001", "--price", "0", "--payment-reference", "p", "--account", "dev9"]),
    ("token", ["freeze", "--account", "dev4"]),
    ("slot", ["unfreeze", "--slot", "0", "--account", "dev4"]),
    ("holder", ["list", "--holder", "bank"]),
    ("token", ["show", "20000001"]),
]


@pytest.mark.parametrize("field,args", BAD_INPUT, ids=[f"{f}-{n}" for n, (f, _) in enumerate(BAD_INPUT)])
def test_bad_input_is_one_line_naming_the_field_exit_2_and_nothing_sent(cli, deployed, field, args):
    issue(cli, deployed)
    values = {**deployed.parties, "due": deployed.due()}
    nonces = {who: deployed.nonce(who) for who in PARTIES}
    done = cli("receivable", *[a.format(**values) for a in args], check=False)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {field}: ")
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert {who: deployed.nonce(who) for who in PARTIES} == nonces


def test_every_receivable_command_is_listed_in_help(cli):
    listed = cli("receivable", "--help").stdout
    for command in (
        "issue",
        "split",
        "offer",
        "withdraw",
        "accept",
        "settle",
        "confirm-payment",
        "freeze",
        "unfreeze",
        "show",
        "lineage",
        "list",
    ):
        assert f"  {command} " in listed
