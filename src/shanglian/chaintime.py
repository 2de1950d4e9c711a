"""The chain's clock: reading it, and — on local development chains only — moving it forward.

Contracts judge time by `block.timestamp`, not by the clock of the machine running the SDK, so
"is this receivable due?" is answered with the chain's time. Receivables mature in months; a demo
or a test that wants to see one settled moves the chain's clock instead of waiting:

- embedded (eth-tester): `ethereum_tester.time_travel(ts)` and a mined block;
- Anvil and Ganache: `evm_increaseTime` and `evm_mine`.

Only a profile marked local may be moved. A consortium chain's clock is its validators' wall
clock, and asking it to jump would either fail or, worse, succeed on a node someone forgot to
mark as shared; so any other profile is refused before a request is sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from web3.exceptions import Web3RPCError

from shanglian.errors import ConfigError, NetworkError
from shanglian.network import Chain

CST = dt.timezone(dt.timedelta(hours=8), "CST")  # China Standard Time: due dates are CST days
DAY = 24 * 60 * 60


class NotLocalError(ConfigError):
    """The chain's clock may only be moved on a local development network."""


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
