"""Log queries on the embedded chain: read once per block, answered as the node itself answers,
across a reverted snapshot."""

from __future__ import annotations

import datetime as dt

from shanglian import logs, uscc

LATER = dt.date.today() + dt.timedelta(days=365)


def node_answer(chain, address, topics):
    """What eth-tester's own eth_getLogs answers (each receipt of the range read again)."""
    return list(chain.w3.eth.get_logs({"address": address, "topics": topics, "fromBlock": 0, "toBlock": "latest"}))


def apply(registry_as, index: int, body: str) -> None:
    registry_as(index).apply(f"企业{index}", uscc.with_check_character(body), "producer", "licence", LATER)


def test_embedded_queries_equal_the_nodes_answer_before_and_after_a_revert(chain, suite, registry_as):
    registry = suite.registry
    applied = logs.topic(registry, "EnterpriseApplied")
    apply(registry_as, 3, "93341321MA2N7Q8K0")
    assert list(logs.fetch(chain, registry.address, [applied])) == node_answer(chain, registry.address, [applied])

    snapshot = chain.w3.testing.snapshot()
    apply(registry_as, 4, "91341300MA2P3L5D1")
    assert len(list(logs.fetch(chain, registry.address, [applied]))) == 2

    chain.w3.testing.revert(snapshot)
    assert list(logs.fetch(chain, registry.address, [applied])) == node_answer(chain, registry.address, [applied])
    apply(registry_as, 5, "91340100MA2T9H6W2")  # the same block number as the reverted application
    found = list(logs.fetch(chain, registry.address, [applied]))
    assert found == node_answer(chain, registry.address, [applied])
    assert [registry.events.EnterpriseApplied().process_log(log)["args"]["name"] for log in found] == ["企业3", "企业5"]


def test_embedded_queries_filter_by_each_topic_position_and_block_range(chain, suite, registry_as):
    registry = suite.registry
    applied = logs.topic(registry, "EnterpriseApplied")
    apply(registry_as, 3, "93341321MA2N7Q8K0")
    apply(registry_as, 4, "91341300MA2P3L5D1")
    four = registry_as(4).sender.address
    by_account = [applied, logs.address_topic(four)]
    assert list(logs.fetch(chain, registry.address, by_account)) == node_answer(chain, registry.address, by_account)
    assert len(list(logs.fetch(chain, registry.address, by_account))) == 1
    head = chain.w3.eth.block_number
    assert list(logs.fetch(chain, registry.address, [applied], head, head)) == list(
        chain.w3.eth.get_logs({"address": registry.address, "topics": [applied], "fromBlock": head, "toBlock": head}))
    assert list(logs.fetch(chain, suite["ProductProvenance"].address, [applied])) == []
