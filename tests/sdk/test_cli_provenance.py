"""The provenance commands as a user runs them, against a real Anvil node: the acceptance path (a
batch built with the CLI traces with its facts), and bad input giving one line that names the field,
exit status 2, no traceback, nothing sent.

Commands run in this process through `shanglian.cli.main` with the provenance commands registered
(so they run before and after `shanglian.cli` registers them itself), and — once `python -m
shanglian product --help` works — also as a subprocess, exactly as a user types them. One node is
deployed and onboarded per module; each test runs on an Anvil snapshot that is reverted after it.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Node, sender
from test_provenance_sdk import onboard

from shanglian import deploy, gs1, uscc
from shanglian.network import connect
from shanglian.registry import Registry
from shanglian.roles import Role

PEARS = "06901234567892"
LOT = "DS2024-09"
ITEM = "PEAR-000042"
LINK = gs1.format_digital_link(PEARS, LOT, ITEM)
BAD_GTIN_LINK = LINK.replace("/01/06901234567892/", "/01/06901234567893/")
LATER = (dt.date.today() + dt.timedelta(days=400)).isoformat()
ORCHARD = [
    "--place",
    "砀山县良梨镇梨园",
    "--region-code",
    "341321",
    "--latitude",
    "34.442",
    "--longitude",
    "116.367",
]
PARTIES = ("cooperative", "carrier", "seller", "alliance")  # dev3, dev4, dev5, dev6
PLATFORM_KEY = 7  # onboarded here as a platform: the demo's platform key is past dev9


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Deployed:
    node: Node
    parties: dict[str, str]


@pytest.fixture(scope="module")
def deployed_once(tmp_path_factory):
    node = Node(tmp_path_factory.mktemp("anvil")).start()
    chain = connect(node.profile)
    admins = [sender(chain, i).address for i in range(3)]
    suite = deploy.deploy_suite(
        chain,
        sender(chain, 0),
        deploy.DeployOptions(admins, 2),
        manifest=deploy.Manifest(node.state_dir / "deployments.json"),
    )
    parties = onboard(chain, suite, PARTIES)
    platform = sender(chain, PLATFORM_KEY)
    Registry(chain, suite.registry, platform).apply(
        "上链扫码平台", uscc.with_check_character("91340100MA2W4E7R6"), int(Role.PLATFORM), "licence", LATER
    )
    for admin in range(2):
        Registry(chain, suite.registry, sender(chain, admin)).approve(platform.address)
    yield Deployed(node, parties)
    node.stop()


@pytest.fixture
def deployed(deployed_once, monkeypatch):
    node = deployed_once.node
    for key, value in node.env().items():
        if key.startswith("SHANGLIAN_"):
            monkeypatch.setenv(key, value)
    w3 = connect(node.profile).w3
    snapshot = w3.testing.snapshot()
    yield deployed_once
    w3.testing.revert(snapshot)


def run_in_process(capsys, *args: str) -> Result:
    import shanglian.cli as entry

    capsys.readouterr()
    code = 0
    try:
        entry.main(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return Result(code, out, err)


@pytest.fixture
def cli(deployed, capsys):
    """cli(*args, check=True): one command in this process (the entry point as a user starts it is
    test_cli's, the guides' and test_entry_point_lists_the_provenance_commands')."""

    def run(*args: str, check: bool = True) -> Result:
        result = run_in_process(capsys, *args)
        if check and result.returncode != 0:
            raise AssertionError(f"shanglian {' '.join(args)} exited {result.returncode}: {result.stderr}")
        return result

    return run


def build_batch(run, serials: str = "PEAR-000001..PEAR-000500") -> dict:
    run(
        "product",
        "register",
        "--gtin",
        PEARS,
        "--name",
        "砀山酥梨",
        "--features",
        "皮薄多汁，酥脆甘甜",
        "--account",
        "dev3",
    )
    run("location", "register", "--gln", "6901234000016", *ORCHARD, "--account", "dev3")
    created = run(
        "batch",
        "create",
        "--gtin",
        PEARS,
        "--lot",
        LOT,
        *ORCHARD,
        "--production-date",
        "2024-09-12",
        "--serials",
        serials,
        "--account",
        "dev3",
        "--json",
    )
    return json.loads(created.stdout)


# -- the acceptance path ----------------------------------------------------------------------------


def test_batch_built_with_the_cli_traces_with_its_facts(cli, deployed):
    from shanglian import demo

    created = build_batch(cli)
    batch = created["batch_id"]
    cli("batch", "request-certification", batch, "--alliance", deployed.parties["alliance"], "--account", "dev3")
    cli(
        "batch",
        "certify",
        f"{PEARS}:{LOT}",
        "--certificate",
        "AQFA-2024-0912",
        "--expiry",
        LATER,
        "--account",
        "dev6",
    )
    cli("event", "record", batch, "--step", "harvesting", "--gln", "6901234000016", "--account", "dev3")
    cli("custody", "offer", batch, "--to", deployed.parties["carrier"], "--account", "dev3")
    cli("custody", "accept", batch, "--account", "dev4")
    cli(
        "event", "record", batch, "--step", "shipping", "--data", "cold chain 0-4 °C", "--account", "dev4"
    )
    cli("custody", "offer", LINK, "--to", deployed.parties["seller"], "--account", "dev4")
    cli("custody", "accept", LINK, "--account", "dev5")
    cli("event", "record", batch, "--step", "retail_selling", "--serial", ITEM, "--account", "dev5")

    human = cli("trace", LINK).stdout
    for fact in (
        "genuine",
        "砀山酥梨",
        "皮薄多汁，酥脆甘甜",
        "砀山县良梨镇",
        demo.CAST["alliance"].name,
        demo.CAST["seller"].name,
        "scanned 0 times",
        "harvesting",
        "shipping",
        "retail_selling",
    ):
        assert fact in human, fact
    report = json.loads(cli("trace", LINK, "--json").stdout)
    assert (report["verdict"], report["serial_proven"], report["scan_count"]) == ("genuine", True, 0)
    assert report["seller"]["name"] == demo.CAST["seller"].name
    assert [c["holder"]["name"] for c in report["custody"]] == [
        demo.CAST[w].name for w in ("cooperative", "carrier", "seller")
    ]
    assert report["batch"]["place"] == "砀山县良梨镇梨园" and report["batch"]["quantity"] == 500


def test_trace_of_a_uri_with_a_bad_gtin_check_digit_exits_2_naming_gtin(cli):
    result = cli("trace", BAD_GTIN_LINK, check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("error: gtin: wrong check digit") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


# -- narrower behaviours ------------------------------------------------------------------------------


def test_batch_create_keeps_the_serial_list_in_the_state_dir(cli, deployed):
    created = build_batch(cli, "PEAR-000001..PEAR-000010")
    path = Path(created["serials_file"])
    assert path == deployed.node.state_dir / "serials" / f"{created['batch_id']}.txt"
    assert path.read_text().split() == [f"PEAR-{n:06d}" for n in range(1, 11)]


def test_batch_create_reads_serials_from_a_file(cli, tmp_path):
    listing = tmp_path / "serials.txt"
    listing.write_text("BOX-A\nBOX-B\nBOX-C\n")
    cli("product", "register", "--gtin", PEARS, "--name", "砀山酥梨", "--account", "dev3")
    created = json.loads(
        cli(
            "batch",
            "create",
            "--gtin",
            PEARS,
            "--lot",
            "L-FILE",
            *ORCHARD,
            "--production-date",
            "2024-09-12",
            "--serials-file",
            str(listing),
            "--account",
            "dev3",
            "--json",
        ).stdout
    )
    assert (created["serials"], created["first_item"].endswith("/21/BOX-A")) == (3, True)


def test_trace_of_a_serial_outside_the_batch_reads_unknown_and_exits_3(cli):
    build_batch(cli, "PEAR-000001..PEAR-000010")
    result = cli("trace", LINK.replace(ITEM, "PEAR-000011"), "--json", check=False)
    report = json.loads(result.stdout)
    assert (report["verdict"], report["serial_proven"], result.returncode) == ("unknown serial", False, 3)
    human = cli("trace", LINK.replace(ITEM, "PEAR-000011"), check=False)
    assert human.returncode == 3 and "origin:" not in human.stdout and "nothing the lot records" in human.stdout


def test_recorded_scans_show_in_the_trace(cli, deployed):
    created = build_batch(cli, "PEAR-000001..PEAR-000100")
    cli(
        "scan",
        "record",
        created["batch_id"],
        "--item",
        f"{ITEM}=3",
        "--item",
        "PEAR-000001",
        "--key",
        "s1",
        "--account",
        f"dev{PLATFORM_KEY}",
    )
    result = cli("trace", LINK, "--json", "--suspicious-after", "2", check=False)
    report = json.loads(result.stdout)
    assert (report["scan_count"], report["verdict"], result.returncode) == (3, "suspicious scan count", 5)


def test_recall_shows_on_the_next_trace(cli):
    build_batch(cli, "PEAR-000001..PEAR-000100")
    cli("batch", "recall", LINK, "--reason", "农药残留超标", "--account", "dev3")
    result = cli("trace", LINK, "--json", check=False)
    report = json.loads(result.stdout)
    assert report["verdict"] == "recalled" and report["recalls"][0]["reason"] == "农药残留超标"
    assert result.returncode == 4


def test_batch_show_lists_origin_custodian_and_certification(cli, deployed):
    created = build_batch(cli, "PEAR-000001..PEAR-000010")
    cli("batch", "request-certification", created["batch_id"], "--alliance", deployed.parties["alliance"],
        "--account", "dev3")
    cli(
        "batch",
        "certify",
        created["batch_id"],
        "--certificate",
        "c-1",
        "--expiry",
        LATER,
        "--account",
        "dev6",
    )
    shown = json.loads(cli("batch", "show", created["batch_id"], "--json").stdout)
    assert (shown["lot"], shown["origin"]["region_code"], shown["custodian"]) == (
        LOT,
        341321,
        deployed.parties["cooperative"],
    )
    assert (shown["certifications"][0]["valid"], shown["certifications"][0]["status"]) == (True, "valid")


def test_event_list_shows_recorded_steps_in_order(cli):
    created = build_batch(cli, "PEAR-000001..PEAR-000010")
    for step in ("harvesting", "packing"):
        cli("event", "record", created["batch_id"], "--step", step, "--account", "dev3")
    events = json.loads(cli("event", "list", created["batch_id"], "--json").stdout)
    assert [e["step"] for e in events] == ["harvesting", "packing"]


def test_custody_accept_by_the_wrong_enterprise_exits_2_naming_the_contract_error(cli, deployed):
    created = build_batch(cli, "PEAR-000001..PEAR-000010")
    cli("custody", "offer", created["batch_id"], "--to", deployed.parties["carrier"], "--account", "dev3")
    result = cli("custody", "accept", created["batch_id"], "--account", "dev5", check=False)
    assert (
        result.returncode == 2 and "ProvenanceNotOfferee" in result.stderr and result.stderr.count("\n") == 1
    )


def test_qr_command_writes_png_and_svg(cli, tmp_path):
    cli("qr", LINK, "-o", str(tmp_path / "pear.png"))
    cli("qr", LINK, "-o", str(tmp_path / "pear.svg"))
    assert (tmp_path / "pear.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (tmp_path / "pear.svg").read_bytes()


BAD_INPUTS = [
    ("gtin", ["product", "register", "--gtin", "06901234567893", "--name", "梨", "--account", "dev3"]),
    ("name", ["product", "register", "--gtin", PEARS, "--name", "梨" * 33, "--account", "dev3"]),
    ("gln", ["location", "register", "--gln", "6901234000017", *ORCHARD, "--account", "dev3"]),
    (
        "region_code",
        [
            "location",
            "register",
            "--gln",
            "6901234000016",
            "--place",
            "园",
            "--region-code",
            "3413",
            "--latitude",
            "34",
            "--longitude",
            "116",
            "--account",
            "dev3",
        ],
    ),
    (
        "latitude",
        [
            "location",
            "register",
            "--gln",
            "6901234000016",
            "--place",
            "园",
            "--region-code",
            "341321",
            "--latitude",
            "north",
            "--longitude",
            "116",
            "--account",
            "dev3",
        ],
    ),
    (
        "serials",
        [
            "batch",
            "create",
            "--gtin",
            PEARS,
            "--lot",
            LOT,
            *ORCHARD,
            "--production-date",
            "2024-09-12",
            "--serials",
            "PEAR-000010..PEAR-000001",
            "--account",
            "dev3",
        ],
    ),
    (
        "lot",
        [
            "batch",
            "create",
            "--gtin",
            PEARS,
            "--lot",
            "批次",
            *ORCHARD,
            "--production-date",
            "2024-09-12",
            "--serials",
            "P1..P9",
            "--account",
            "dev3",
        ],
    ),
    (
        "production_date",
        [
            "batch",
            "create",
            "--gtin",
            PEARS,
            "--lot",
            LOT,
            *ORCHARD,
            "--production-date",
            "2999-01-01",
            "--serials",
            "P1..P9",
            "--account",
            "dev3",
        ],
    ),
    (
        "quantity",
        [
            "batch",
            "create",
            "--gtin",
            PEARS,
            "--lot",
            LOT,
            *ORCHARD,
            "--production-date",
            "2024-09-12",
            "--quantity",
            "0",
            "--account",
            "dev3",
        ],
    ),
    ("step", ["event", "record", f"{PEARS}:{LOT}", "--step", "picking", "--account", "dev3"]),
    ("batch", ["custody", "accept", "0x1234", "--account", "dev4"]),
    ("to", ["custody", "offer", f"{PEARS}:{LOT}", "--to", "0x12", "--account", "dev3"]),
    ("uri", ["trace", "https://id.example.com/no-gs1-path"]),
    ("output", ["qr", LINK, "-o", "pear.gif"]),
]


@pytest.mark.parametrize("field, args", BAD_INPUTS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_INPUTS)])
def test_bad_input_names_the_field_exits_2_and_sends_nothing(cli, deployed, field, args):
    w3 = connect(deployed.node.profile).w3
    block = w3.eth.block_number
    result = cli(*args, check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {field}:") and result.stderr.count("\n") == 1, result.stderr
    assert w3.eth.block_number == block


def test_entry_point_lists_the_provenance_commands():
    shown = subprocess.run(
        [sys.executable, "-m", "shanglian", "--help"], capture_output=True, text=True, timeout=120
    )
    for command in ("product", "location", "batch", "custody", "event", "scan", "trace", "qr"):
        assert f"  {command} " in shown.stdout
