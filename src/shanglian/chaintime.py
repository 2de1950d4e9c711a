"""The chain's clock: reading it, and — on local development chains only — moving it forward.

Contracts judge time by `block.timestamp`, not by the clock of the machine running the SDK, so
"is this receivable due?" is answered with the chain's time. Receivables mature in months; a demo
or a test that wants to see one settled moves the chain's clock instead of waiting:

- embedded (eth-tester): `ethereum_tester.time_travel(ts)` and a mined block;
- Anvil and Ganache: `evm_increaseTime` and `evm_mine`.

Only a profile marked local may be moved. A consortium chain's clock is its validators' wall
clock, and asking it to jump would either fail or, worse, succeed on a node someone forgot to
mark as shared; so any other profile is refused before a request is sent.

The contracts assume `block.timestamp` counts seconds. FISCO BCOS's counts milliseconds unless the
chain enabled `feature_evm_timestamp` (3.12.0+, off by default, and once on never off:
FISCO-BCOS bcos-executor/src/vm/HostContext.cpp timestamp(); ChangeLog v3.12.0;
SystemConfigPrecompiled.cpp "The value for ... must be 1"), and its web3 RPC shows block headers
in seconds from 3.12.0 whatever the contracts see (bcos-rpc/.../model/BlockResponse.cpp). So
`require_seconds` asks the EVM itself: an eth_call of creation code that reverts with TIMESTAMP.
FISCO's default (legacy) scheduler refuses a call without a recipient ("Call address is empty",
bcos-scheduler/src/SchedulerImpl.cpp call()); there the deployment sends one tiny creation
transaction that logs TIMESTAMP instead. Since the feature cannot be switched off, a chain found
in seconds when the suite was deployed stays so.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import requests
from web3.exceptions import Web3RPCError

from shanglian.errors import ConfigError, NetworkError
from shanglian.network import Chain

CST = dt.timezone(dt.timedelta(hours=8), "CST")  # China Standard Time: due dates are CST days
DAY = 24 * 60 * 60


class NotLocalError(ConfigError):
    """The chain's clock may only be moved on a local development network."""


class ClockError(ConfigError):
    """The contracts on this chain read the time in milliseconds, not seconds."""


# TIMESTAMP PUSH1 0 MSTORE PUSH1 32 PUSH1 0 REVERT: the EVM's clock as revert data of a call.
_CLOCK_CALL = "0x4260005260206000fd"
# TIMESTAMP PUSH1 0 MSTORE PUSH1 32 PUSH1 0 LOG0 PUSH1 1 PUSH1 0 RETURN: the clock as the data of a
# log, leaving one byte of code (STOP; FISCO refuses to create a contract with empty code).
_CLOCK_TRANSACTION = bytes.fromhex("4260005260206000a060016000f3")
_CLOCK_TRANSACTION_GAS = 100_000
# A timestamp a hundred times the seconds since 1970 is not in seconds: milliseconds are a thousand.
_SCALE = 100


def now(chain: Chain) -> int:
    """The chain's time: the timestamp of the latest block, in unix seconds."""
    return int(chain.w3.eth.get_block("latest")["timestamp"])


def today(chain: Chain) -> dt.date:
    """The chain's current day in China Standard Time."""
    return dt.datetime.fromtimestamp(now(chain), CST).date()


def require_local(chain: Chain) -> None:
    """Raises NotLocalError unless `chain`'s profile is a local development network."""
    if not chain.profile.local:
        raise NotLocalError(
            f"network {chain.name!r} is not local: only a development chain's clock can be moved "
            "(embedded, Anvil, Ganache, or a profile marked `local: true`)"
        )


def travel_to(chain: Chain, timestamp: int) -> int:
    """Mines a block at `timestamp` or later on a local chain; returns the latest block's time.

    A timestamp not after the chain's time is a no-op (a chain's clock never runs backwards).
    """
    require_local(chain)
    timestamp = int(timestamp)
    current = now(chain)
    if timestamp <= current:
        return current
    if chain.profile.embedded:
        tester = chain.w3.provider.ethereum_tester  # type: ignore[attr-defined]
        tester.time_travel(timestamp)  # leaves the latest block one second short of it
        tester.mine_blocks(1)
    else:
        _rpc(chain, "evm_increaseTime", [timestamp - current])
        _rpc(chain, "evm_mine", [])
        # Anvil and Ganache add the offset to their own clock; if the last block ran ahead of it,
        # the new block can still fall short: push on by the difference.
        for _ in range(3):
            reached = now(chain)
            if reached >= timestamp:
                break
            _rpc(chain, "evm_increaseTime", [timestamp - reached])
            _rpc(chain, "evm_mine", [])
    return now(chain)


def advance(chain: Chain, seconds: int) -> int:
    """Moves a local chain's clock forward by `seconds` and mines a block; returns its time."""
    if int(seconds) < 0:
        raise ValueError("a chain's clock only moves forward")
    require_local(chain)
    return travel_to(chain, now(chain) + int(seconds))


def advance_days(chain: Chain, days: int) -> int:
    return advance(chain, int(days) * DAY)


def require_seconds(chain: Chain, sender: Any = None) -> None:
    """Raises ClockError when `chain`'s contracts read the time in milliseconds.

    Asked once per connection, before the first transaction. Block headers in milliseconds (FISCO
    3.9–3.11) settle it; otherwise the EVM is asked by a call. A node that will not run such a
    call leaves the answer open, unless `sender` (a Transactor: the deployer) may pay for the
    one-off creation transaction that reads the clock for certain.
    """
    if chain.clock_checked or chain.profile.embedded:
        return
    header = now(chain)
    if header > _SCALE * time.time():
        raise ClockError(
            f"the node at {chain.profile.rpc} reports block times in milliseconds ({header}): FISCO BCOS "
            "before 3.12.0 has no seconds clock for contracts; upgrade to 3.12.0 or later, then run "
            "`setSystemConfigByKey feature_evm_timestamp 1` before deploying"
        )
    evm = _evm_time_by_call(chain)
    if evm is None and sender is not None:
        evm, header = _evm_time_by_transaction(chain, sender)
    if evm is not None and evm > _SCALE * max(header, 1):
        raise ClockError(
            f"the contracts on {chain.name!r} read the time in milliseconds (block.timestamp {evm} in a "
            f"block of {header} s): every licence, certificate and due date would compare seconds with "
            "milliseconds. On FISCO BCOS 3.12.0 or later enable the seconds clock before deploying: "
            "`setSystemConfigByKey feature_evm_timestamp 1` (it cannot be switched off)"
        )
    chain.clock_checked = True


def _evm_time_by_call(chain: Chain) -> int | None:
    """block.timestamp as the EVM sees it in a call, or None if the node will not run the probe."""
    try:
        answer = chain.w3.provider.make_request("eth_call", [{"data": _CLOCK_CALL}, "latest"])  # type: ignore[arg-type]
    except (requests.exceptions.RequestException, OSError) as exc:
        raise NetworkError(f"lost the node at {chain.profile.rpc}: {exc.__class__.__name__}") from None
    error = answer.get("error")
    data = (error or {}).get("data") if error else answer.get("result")
    if isinstance(data, dict):  # nested: {"data": {"data": …}}, Ganache's {"data": {"result": …}}
        data = data.get("data") or data.get("result")
    if not isinstance(data, str) or len(data) != 66:
        return None
    return int(data, 16)


def _evm_time_by_transaction(chain: Chain, sender: Any) -> tuple[int, int]:
    """(block.timestamp, the block's header time) read by a creation transaction that logs the former."""
    from shanglian.transactions import wait

    tx = {"data": _CLOCK_TRANSACTION, "value": 0, "gas": _CLOCK_TRANSACTION_GAS, "chainId": chain.chain_id,
          **sender.fees(), "nonce": sender.next_nonce()}
    receipt = wait(chain, sender.send_signed(tx))
    if receipt["status"] != 1 or not receipt["logs"]:
        raise NetworkError(f"the clock probe {receipt['transactionHash'].to_0x_hex()} failed on {chain.name!r}")
    header = int(chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"])
    return int.from_bytes(bytes(receipt["logs"][0]["data"]), "big"), header


def _rpc(chain: Chain, method: str, params: list[Any]) -> Any:
    try:
        return chain.w3.manager.request_blocking(method, params)  # type: ignore[arg-type]
    except Web3RPCError as exc:
        raise NetworkError(
            f"the node at {chain.profile.rpc} does not move its clock ({method}: {exc}); "
            "use Anvil (`shanglian node`) or Ganache"
        ) from None
    except OSError as exc:  # requests' connection errors included
        raise NetworkError(f"lost the node at {chain.profile.rpc}: {exc.__class__.__name__}") from None
