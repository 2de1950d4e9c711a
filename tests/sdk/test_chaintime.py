"""The chain's clock: read from the latest block, moved forward on local chains only (embedded
through eth-tester, Anvil through evm_increaseTime + evm_mine), refused anywhere else before any
request is sent."""

from __future__ import annotations

import datetime as dt

import pytest
from web3 import Web3

from shanglian import chaintime
from shanglian.network import Chain, NetworkProfile, connect


class NoRequests(Web3.HTTPProvider):
    """A provider that fails the test if anything is asked of the node."""

    def make_request(self, method, params):  # pragma: no cover - reaching it is the failure
        raise AssertionError(f"{method} was sent to a non-local node")


def consortium_chain() -> Chain:
    profile = NetworkProfile("consortium", rpc="http://127.0.0.1:9", chain_id=20240, local=False)
    return Chain(Web3(NoRequests(profile.rpc)), profile, 20240)


def test_now_is_the_latest_blocks_timestamp(chain):
    assert chaintime.now(chain) == chain.w3.eth.get_block("latest")["timestamp"]


def test_today_is_the_chains_day_in_china_standard_time(chain):
    expected = dt.datetime.fromtimestamp(chain.w3.eth.get_block("latest")["timestamp"], chaintime.CST).date()
    assert chaintime.today(chain) == expected


def test_advance_moves_the_embedded_clock_by_the_seconds_asked_in_a_new_block(chain):
    start, block = chaintime.now(chain), chain.w3.eth.block_number
    reached = chaintime.advance(chain, 91 * chaintime.DAY)
    assert reached == chaintime.now(chain) == start + 91 * chaintime.DAY
    assert chain.w3.eth.block_number > block


def test_travel_to_a_moment_already_past_changes_nothing(chain):
    start, block = chaintime.now(chain), chain.w3.eth.block_number
    assert chaintime.travel_to(chain, start - 100) == start
    assert chain.w3.eth.block_number == block


def test_the_clock_never_moves_backwards(chain):
    with pytest.raises(ValueError):
        chaintime.advance(chain, -1)


@pytest.mark.parametrize(
    "move", [lambda c: chaintime.advance(c, 60), lambda c: chaintime.travel_to(c, 2**40)]
)
def test_a_non_local_network_is_refused_before_anything_is_sent(move):
    with pytest.raises(chaintime.NotLocalError) as err:
        move(consortium_chain())
    assert "'consortium' is not local" in str(err.value)


def test_anvil_clock_moves_forward_by_the_days_asked(anvil):
    node = connect(anvil.profile)
    start = chaintime.now(node)
    reached = chaintime.advance_days(node, 90)
    assert reached >= start + 90 * chaintime.DAY
    assert reached < start + 90 * chaintime.DAY + 60  # the node's own clock adds seconds, not days
    assert chaintime.now(node) == reached
