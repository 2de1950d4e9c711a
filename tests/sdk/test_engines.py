"""The consortium engines as their source says they behave, imitated by a proxy in front of Anvil
(tests/sdk/engines.py): the deploy, a 1,000-row import and the demo through each of FISCO BCOS,
Besu and GoQuorum, and one test for each way an engine differs from Anvil that would stop a
deployment or lose data. One node per engine serves the whole module; each case that needs another
configuration of an engine gets its own proxy over that node.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from eth_account import Account
from rich.console import Console

from shanglian import demo, deploy, devkeys, logs, uscc
from shanglian.chaintime import ClockError
from shanglian.errors import ConfigError, InputError, NetworkError
from shanglian.network import NetworkProfile, connect
from shanglian.registry import MAX_NAME_BYTES, ImportPlan, ImportRow, Registry, chunk_gas_bound, parse_import_csv
from shanglian.transactions import Transactor

import engines
from conftest import sender

from bench import members

# The module's nodes and runs are built once: keep its tests on one worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("engines")

ROWS = 1000
ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------- helpers


def members_csv(path: Path, count: int, seed: str) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        out.write("account,name,credit_code,roles,licence_hash,licence_expiry\n")
        for row in members.rows(count, seed):
            out.write(row + "\n")
    return path


def long_name_rows(count: int, seed: int) -> list[ImportRow]:
    """Rows whose names take the full 96 bytes: the largest chunk a CSV can make."""
    expiry = int(dt.datetime.now().timestamp()) + 3 * 365 * 86_400
    rows = []
    for i in range(count):
        account = Account.from_key((seed * 1_000_000 + i + 1).to_bytes(32, "big")).address
        code = uscc.with_check_character(f"91430100MA{seed % 10}{i:06d}")
        rows.append(ImportRow(account, "梨" * (MAX_NAME_BYTES // 3), code, 1, bytes(32), expiry))
    return rows


def deploy_fresh(chain) -> deploy.Suite:
    admins = [sender(chain, i).address for i in range(3)]
    return deploy.deploy_suite(chain, sender(chain, 0), deploy.DeployOptions(admins, 2), fresh=True,
                               manifest=deploy.Manifest(None))


def run_import(chain, suite, plan: ImportPlan) -> dict[str, Any]:
    """Two of the three admins vote; the second vote applies every chunk through the pipeline."""
    Registry(chain, suite.registry, sender(chain, 0)).run_import(plan)
    return Registry(chain, suite.registry, sender(chain, 1)).run_import(plan)


def config_file(tmp_path: Path, profile: NetworkProfile) -> Path:
    keys = {k: v for k, v in vars(profile).items() if k not in ("name", "extra") and v is not None}
    path = tmp_path / "shanglian.yaml"
    path.write_text(yaml.safe_dump({"networks": {profile.name: keys}}))
    return path


def cli(config: Path, profile: NetworkProfile, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHANGLIAN_CONFIG": str(config), "SHANGLIAN_NETWORK": profile.name, "SHANGLIAN_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "shanglian", *args], env=env, capture_output=True, text=True, timeout=180)


def one_line(stderr: str) -> bool:
    return stderr.count("\n") == 1 and stderr.startswith("error: ") and "Traceback" not in stderr


# ------------------------------------------------------------------------------------------- nodes


def _imitation(name: str, chain_id: int, **options: Any):
    started = engines.Imitation(name, chain_id, **options).start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def fisco():
    yield from _imitation("fisco", 20200)


@pytest.fixture(scope="module")
def fisco_ms():
    """FISCO without feature_evm_timestamp: the contracts' clock counts milliseconds."""
    yield from _imitation("fisco-ms", 20200, millisecond_clock=True)


@pytest.fixture(scope="module")
def besu():
    yield from _imitation("besu", 1337)


@pytest.fixture(scope="module")
def goquorum():
    """GoQuorum is geth 1.10.3: berlin rules, no London."""
    yield from _imitation("goquorum", 1337, hardfork="berlin")


# The profiles of shanglian.example.yaml, made local so that the development keys may sign.
PROFILES = {
    "fisco": dict(gas_price="zero", logs_range=10, confirmations=0),
    "besu": dict(gas_price="zero", logs_range=5000, confirmations=0),
    "goquorum": dict(gas_price="zero", logs_range=5000, confirmations=0),
}
BEHAVIOURS = {"fisco": engines.fisco, "besu": engines.besu, "goquorum": engines.goquorum}


class Run:
    """The demo and then a 1,000-row import, through one engine's imitation."""

    def __init__(self, name: str, imitation: engines.Imitation, out_dir: Path) -> None:
        self.proxy = imitation.proxy(BEHAVIOURS[name](), record=True)
        self.profile = imitation.profile(self.proxy, **PROFILES[name])
        self.story = __import__("shanglian.demo", fromlist=["run"]).run(
            self.profile, Console(file=io.StringIO(), width=200), out_dir=out_dir)
        self.chain = self.story.chain
        csv = members_csv(out_dir / "members.csv", ROWS, name)
        self.plan = Registry(self.chain, self.story.suite.registry).plan_import(parse_import_csv(csv.read_text(), 0))
        self.imported = run_import(self.chain, self.story.suite, self.plan)


@pytest.fixture(scope="module")
def fisco_run(fisco, tmp_path_factory):
    return Run("fisco", fisco, tmp_path_factory.mktemp("fisco-run"))


@pytest.fixture(scope="module")
def besu_run(besu, tmp_path_factory):
    return Run("besu", besu, tmp_path_factory.mktemp("besu-run"))


@pytest.fixture(scope="module")
def goquorum_run(goquorum, tmp_path_factory):
    return Run("goquorum", goquorum, tmp_path_factory.mktemp("goquorum-run"))


@pytest.fixture(params=["fisco", "besu", "goquorum"])
def run(request) -> Run:
    return request.getfixturevalue(f"{request.param}_run")


# ------------------------------------------------------------------- the demo and the import


def test_demo_tells_the_same_story_through_each_engine(run):
    story = run.story
    assert all(e.active for e in story.enterprises.values()) and set(story.enterprises) == set(demo.CAST)
    assert story.pears["report"].verdict == "genuine" and story.pears["recalled_report"].verdict == "recalled"
    assert story.receivables["double_settle_error"].name == "ReceivableAlreadySettled"
    assert str(story.receivables["settled_value"]) == "1000000.00"


def test_1000_row_import_onboards_every_member_through_each_engine(run):
    assert run.imported["approved"] and run.imported["applied_now"] == len(run.plan.chunks)
    registry = Registry(run.chain, run.story.suite.registry)
    assert registry.import_state(run.plan)[1] == []
    named = registry.names()  # from the logs, in ranges the node answers
    assert len(named) == ROWS + len(run.story.enterprises)
    assert set(named) >= {row.account for row in run.plan.rows}
    for row in run.plan.rows[:: ROWS // 3]:
        assert registry.show(row.account).active


# ------------------------------------------------ 1. FISCO's contract clock counts milliseconds


def test_deploy_is_refused_naming_feature_evm_timestamp_when_contracts_count_milliseconds(fisco_ms):
    # The default (legacy) scheduler will not run the clock call, so the probe is a transaction.
    chain = connect(fisco_ms.profile(fisco_ms.proxy(engines.fisco(evm_timestamp=False))))
    deployer = sender(chain, 0)
    nonce = chain.w3.eth.get_transaction_count(deployer.address)
    with pytest.raises(ClockError, match="feature_evm_timestamp"):
        deploy_fresh(chain)
    assert chain.w3.eth.get_transaction_count(deployer.address) == nonce + 1  # the probe, no contract


def test_writes_are_refused_before_anything_is_sent_when_a_call_shows_milliseconds(fisco_ms):
    # The baseline scheduler runs the call: no transaction is needed to see the clock.
    behaviours = [b for b in engines.fisco(evm_timestamp=False) if not isinstance(b, engines.FiscoLegacyScheduler)]
    chain = connect(fisco_ms.profile(fisco_ms.proxy(behaviours)))
    writer = sender(chain, 3)
    nonce = chain.w3.eth.get_transaction_count(writer.address)
    with pytest.raises(ClockError, match="feature_evm_timestamp 1"):
        writer.transfer(writer.address, 1)
    assert chain.w3.eth.get_transaction_count(writer.address) == nonce


def test_fisco_before_312_with_millisecond_headers_refuses_writes_in_one_line(fisco_ms, tmp_path):
    profile = fisco_ms.profile(fisco_ms.proxy(engines.fisco(version=(3, 11, 0), evm_timestamp=False)))
    config = config_file(tmp_path, profile)
    result = cli(config, profile, tmp_path, "deploy", "--account", "dev0")
    assert result.returncode == 1 and one_line(result.stderr), result.stderr
    assert "milliseconds" in result.stderr and "3.12.0" in result.stderr and "feature_evm_timestamp" in result.stderr


# ----------------------------------------------- 2. FISCO answers eth_getLogs for N blocks only


def test_truncated_log_queries_are_detected_and_lists_stay_complete(fisco_run):
    trusting = connect(replace(fisco_run.profile, logs_range=1000))
    named = Registry(trusting, fisco_run.story.suite.registry).names()
    assert len(named) == ROWS + len(fisco_run.story.enterprises)
    assert trusting.logs_window == 10  # filter_max_process_block, found by the probe


def test_example_fisco_profile_states_filter_max_process_block_and_batch_limit():
    fisco = yaml.safe_load((ROOT / "shanglian.example.yaml").read_text())["networks"]["fisco"]
    assert (fisco["logs_range"], fisco["batch_limit"], fisco["min_balance"]) == (10, 8, 1)


# ------------------------------------------------- 3. FISCO 3.16.4 refuses senders holding 0 wei


def test_zero_balance_sender_is_refused_with_the_funding_command(fisco):
    chain = connect(fisco.profile(fisco.proxy(engines.fisco())))
    stranger = Transactor(chain, Account.create())
    with pytest.raises(NetworkError, match=r"InsufficientFunds — .*at least 1 wei.*shanglian account fund 0x"):
        stranger.transfer(stranger.address, 0)


def test_fund_command_tops_up_an_imports_accounts_and_named_admins(fisco, tmp_path):
    profile = fisco.profile(fisco.proxy(engines.fisco()), name="fisco")
    config = config_file(tmp_path, profile)
    csv = members_csv(tmp_path / "members.csv", 40, "funding")
    admin = Account.create()
    result = cli(config, profile, tmp_path, "account", "fund", admin.address, "--csv", str(csv), "--account", "dev0", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["accounts"], summary["funded"], summary["amount_wei"]) == (41, 41, 1)
    chain = connect(profile)
    accounts = [admin.address] + [row.account for row in parse_import_csv(csv.read_text(), 0)]
    assert all(chain.w3.eth.get_balance(a) >= 1 for a in accounts)
    again = json.loads(cli(config, profile, tmp_path, "account", "fund", "--csv", str(csv), "--account", "dev0",
                           "--json").stdout)
    assert (again["funded"], again["already_funded"]) == (0, 40)
    funded = Transactor(chain, admin)
    assert funded.transfer(admin.address, 0)["status"] == 1  # the node takes its transactions now


def test_deploy_names_the_admins_that_hold_no_balance(fisco):
    chain = connect(fisco.profile(fisco.proxy(engines.fisco())))
    poor = Account.create().address
    with pytest.raises(ConfigError, match=f"{poor}.*shanglian account fund"):
        deploy.deploy_suite(chain, sender(chain, 0), deploy.DeployOptions([poor, sender(chain, 1).address], 1),
                            manifest=deploy.Manifest(None))


# ------------------------------------------------------------- 4. JSON-RPC batches on FISCO


def _import_through(imitation, behaviours, tmp_path, rows: int = 300, chunk_rows: int = 10):
    proxy = imitation.proxy(behaviours, record=True)
    chain = connect(imitation.profile(proxy, gas_price="zero", logs_range=10))
    suite = deploy_fresh(chain)
    tmp_path.mkdir(exist_ok=True)
    csv = members_csv(tmp_path / "members.csv", rows, tmp_path.name)
    plan = ImportPlan(parse_import_csv(csv.read_text(), 0), chunk_rows)
    proxy.bodies.clear()
    result = run_import(chain, suite, plan)
    assert Registry(chain, suite.registry).import_state(plan)[1] == []
    return result, proxy.bodies


def test_single_calls_go_unbatched_and_batches_keep_within_fiscos_limit(fisco, tmp_path):
    result, bodies = _import_through(fisco, engines.fisco(), tmp_path)
    assert result["applied_now"] == 30
    batches = [len(body) for body in bodies if isinstance(body, list)]
    assert batches and max(batches) == 8 and min(batches) >= 2


def test_node_that_answers_a_batch_with_its_first_call_gets_one_request_at_a_time(fisco, tmp_path):
    # A node that does not say what it is: the first batch shows that it answers the first call only.
    unnamed = [b for b in engines.fisco(version=(3, 15, 0)) if not isinstance(b, engines.ClientVersion)]
    result, bodies = _import_through(fisco, unnamed, tmp_path / "unnamed")
    assert result["applied_now"] == 30
    assert sum(isinstance(body, list) for body in bodies) == 1


def test_fisco_before_316_is_never_sent_a_batch(fisco, tmp_path):
    result, bodies = _import_through(fisco, engines.fisco(version=(3, 15, 0)), tmp_path)
    assert result["applied_now"] == 30
    assert not any(isinstance(body, list) for body in bodies)


# --------------------------------------------------- 5. GoQuorum: no London; our bytecode's needs


# Opcodes later than Constantinople (and Petersburg): Istanbul's CHAINID and SELFBALANCE, London's
# BASEFEE, Shanghai's PUSH0, Cancun's TLOAD/TSTORE/MCOPY/BLOBHASH/BLOBBASEFEE.
LATER_OPCODES = {0x46: "CHAINID", 0x47: "SELFBALANCE", 0x48: "BASEFEE", 0x5F: "PUSH0", 0x5C: "TLOAD",
                 0x5D: "TSTORE", 0x5E: "MCOPY", 0x49: "BLOBHASH", 0x4A: "BLOBBASEFEE"}


def _opcodes(code: bytes) -> set[int]:
    """The opcodes of `code`, PUSH data skipped, up to the CBOR metadata solc appends."""
    code = code[: len(code) - 2 - int.from_bytes(code[-2:], "big")]
    found, i = set(), 0
    while i < len(code):
        found.add(code[i])
        i += 1 + (code[i] - 0x5F if 0x60 <= code[i] <= 0x7F else 0)
    return found


@pytest.mark.parametrize("contract", ["EnterpriseRegistry", "ProductProvenance", "Receivables"])
def test_bytecode_needs_no_opcode_after_constantinople(contract):
    from shanglian import artifacts

    artifact = artifacts.load(contract)
    runtime = _opcodes(bytes.fromhex(artifact["deployedBytecode"].removeprefix("0x")))
    assert {LATER_OPCODES[op] for op in runtime if op in LATER_OPCODES} == set()
    assert 0x1B in runtime  # SHL: Constantinople is needed, and is what the guide asks for


def _genesis_blocks(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(the heading it follows, the JSON) of every JSON block of docs/consortium.md."""
    found, heading = [], ""
    for part in text.split("```"):
        if part.startswith("json"):
            found.append((heading, json.loads(part[4:])))
        else:
            heading = ([line for line in part.splitlines() if line.startswith("#")] or [heading])[-1]
    return found


# GoQuorum refuses to start when a fork is enabled while one before it is not, or out of order
# (quorum params/config.go CheckConfigForkOrder); daoForkBlock and muirGlacierBlock are optional.
QUORUM_FORKS = ["homesteadBlock", "eip150Block", "eip155Block", "eip158Block", "byzantiumBlock",
                "constantinopleBlock", "petersburgBlock", "istanbulBlock", "berlinBlock"]


def test_guide_gives_a_berlin_genesis_goquorum_and_besu_both_start_from():
    mixed = [g for heading, g in _genesis_blocks((ROOT / "docs" / "consortium.md").read_text())
             if "mixed" in heading.lower()]
    assert len(mixed) == 2  # one for the Besu nodes, one for the GoQuorum nodes
    for genesis in mixed:
        config = genesis.get("config", genesis.get("genesis", {}).get("config"))
        blocks = [config.get(fork) for fork in QUORUM_FORKS]
        assert None not in blocks and blocks == sorted(blocks)
        assert not {"londonBlock", "shanghaiTime", "cancunTime", "zeroBaseFee", "baseFeePerGas"} & set(config)


# ------------------------------------------------ 6. GoQuorum's eip155Block and txnSizeLimit


def test_goquorum_without_eip155_block_is_one_clear_line(goquorum, tmp_path):
    profile = goquorum.profile(goquorum.proxy(engines.goquorum(eip155=False)), name="goquorum")
    with pytest.raises(NetworkError, match="refused eth_chainId.*eip155Block"):
        connect(profile)
    result = cli(config_file(tmp_path, profile), profile, tmp_path, "consortium", "show")
    assert result.returncode == 1 and one_line(result.stderr) and "eip155Block" in result.stderr


def test_import_chunks_fit_goquorums_transaction_size_limit(goquorum):
    profile = goquorum.profile(goquorum.proxy(engines.goquorum()), logs_range=5000, gas_price="zero")
    chain = connect(profile)
    suite = deploy_fresh(chain)
    plan = Registry(chain, suite.registry).plan_import(long_name_rows(400, 6), chunk_rows=400)
    assert len(plan.chunks) == 2 and all(len(chunk) < 64 * 1024 for chunk in plan.chunks)
    assert run_import(chain, suite, plan)["applied_now"] == 2
    whole = ImportPlan(long_name_rows(400, 7), chunk_rows=400)  # planned without the chain's limits
    with pytest.raises(InputError, match="chunk_rows"):
        run_import(chain, suite, whole)


# --------------------------------------------------- 7. Besu's local account allowlists


def test_besu_allowlist_refusal_names_the_account_and_the_allowlist(besu):
    allowed = {devkeys.addresses()[i] for i in range(3)}
    chain = connect(besu.profile(besu.proxy(engines.besu(allowlist=allowed))))
    outsider = sender(chain, 5)
    with pytest.raises(NetworkError, match=f"{outsider.address}.*not authorized.*accounts-allowlist"):
        outsider.transfer(outsider.address, 0)
    assert sender(chain, 1).transfer(outsider.address, 0)["status"] == 1


# ----------------------------------------------------------------- 8. the smaller differences


def test_besu_logs_range_refusal_narrows_the_query(besu, besu_run):
    proxy = besu.proxy(engines.besu(max_logs_range=4))
    narrow = connect(replace(besu_run.profile, rpc=proxy.url, logs_range=1000))
    assert len(Registry(narrow, besu_run.story.suite.registry).names()) == ROWS + len(besu_run.story.enterprises)
    assert narrow.logs_window == 5  # Besu answers while toBlock - fromBlock <= 4


def test_import_chunks_stay_under_the_eip7825_gas_cap(besu):
    cap = 16_777_216
    proxy = besu.proxy(engines.besu(tx_gas_cap=cap))
    chain = connect(besu.profile(proxy, gas_price="zero", max_tx_gas=cap))
    suite = deploy_fresh(chain)
    plan = Registry(chain, suite.registry).plan_import(long_name_rows(400, 8), chunk_rows=400)
    assert len(plan.chunks) == 2
    assert run_import(chain, suite, plan)["applied_now"] == 2
    applied = logs.fetch(chain, suite.registry.address, [logs.topic(suite.registry, "ImportChunkApplied")])
    for log in applied:  # the bound that sized the chunks holds on a node
        rows = plan.chunks[int(logs.decode(suite.registry, [log])[0]["args"]["chunk"])]
        used = chain.w3.eth.get_transaction_receipt(log["transactionHash"])["gasUsed"]
        assert used <= chunk_gas_bound(len(ImportRow.unpack(rows)), len(rows)) <= cap


def test_gas_price_auto_is_refused_on_a_gas_charging_fisco_chain(fisco):
    chain = connect(fisco.profile(fisco.proxy(engines.fisco(gas_price=10)), gas_price="auto"))
    with pytest.raises(ConfigError, match="eth_gasPrice is 10 wei.*set gas_price"):
        sender(chain, 0).transfer(devkeys.addresses()[1], 1)


def test_example_besu_profile_keeps_besus_default_logs_range():
    besu = yaml.safe_load((ROOT / "shanglian.example.yaml").read_text())["networks"]["besu"]
    assert besu["logs_range"] == 5000  # --rpc-max-logs-range default since Besu 23.1.2
