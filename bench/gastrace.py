"""Where the gas of one transaction goes, from the node's opcode trace (debug_traceTransaction).

    breakdown(chain, tx_hash) -> {"intrinsic": …, "calldata": …, "cold account": …, …}

The transaction's gas is split into: the intrinsic 21,000; calldata (EIP-2028: 16 per non-zero
byte, 4 per zero byte); and its execution, opcode by opcode. Cold first accesses (EIP-2929) are
counted apart from the operation that paid them: a cold SLOAD is 100 of reading plus 2,000 of
"cold slot"; an SSTORE that sets a zero slot is 20,000 ("SSTORE set") plus 2,100 if the slot was
cold; a CALL to a contract not touched before pays 2,500 of "cold account". A LOG's cost is split
into its base and topics (375 each) and its data (8 per byte). What is left is "execution"
(dispatch, argument decoding, arithmetic, memory, jumps), and refunds are subtracted at the end.

`python -m bench.gastrace` prints the breakdown of the trace event, the scan batch and the import
chunk that bench/gas.py measures.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

_COLD_SLOAD = 2_000  # above the 100 of a warm read
_COLD_ACCOUNT = 2_500  # above the 100 of a warm access
_SSTORE_SET = 20_000
_COLD_SSTORE = 2_100
_CALLS = {"CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"}


def calldata_gas(data: bytes) -> int:
    return sum(16 if byte else 4 for byte in data)


def breakdown(chain: Any, tx_hash: Any) -> dict[str, int]:
    """The gas of the mined transaction `tx_hash`, by where it went (see the module doc)."""
    w3 = chain.w3
    tx = w3.eth.get_transaction(tx_hash)
    receipt = w3.eth.get_transaction_receipt(tx_hash)
    trace = w3.provider.make_request(
        "debug_traceTransaction",
        [tx_hash if isinstance(tx_hash, str) else "0x" + bytes(tx_hash).hex(),
         {"disableStorage": True, "disableMemory": True, "disableStack": False}],
    )["result"]
    steps = trace["structLogs"]
    parts: Counter[str] = Counter()
    parts["intrinsic"] = 21_000
    parts["calldata"] = calldata_gas(bytes(tx["input"]))
    for index, step in enumerate(steps):
        op, cost = step["op"], int(step["gasCost"])
        if op in _CALLS:
            cost = _own_call_cost(steps, index)
            # The callee's address: the second stack item from the top (gas, address, …).
            if cost >= _COLD_ACCOUNT:
                parts["cold account"] += _COLD_ACCOUNT
                cost -= _COLD_ACCOUNT
            parts["call"] += cost
        elif op == "SLOAD":
            if cost > 100:
                parts["cold slot"] += cost - 100
                cost = 100
            parts["SLOAD"] += cost
        elif op == "SSTORE":
            if cost >= _SSTORE_SET:
                parts["SSTORE set (zero to non-zero)"] += _SSTORE_SET
                cost -= _SSTORE_SET
            if cost >= _COLD_SSTORE:
                parts["cold slot"] += _COLD_SSTORE
                cost -= _COLD_SSTORE
            parts["SSTORE other"] += cost
        elif op.startswith("LOG"):
            topics = int(op[3:])
            stack = step["stack"]
            size = int(stack[-2], 16)
            data = 8 * size
            parts["LOG base and topics"] += 375 + 375 * topics
            parts["LOG data"] += data
            parts["execution"] += cost - 375 - 375 * topics - data  # memory expansion
        elif op == "KECCAK256":
            parts["keccak"] += cost
        else:
            parts["execution"] += cost
    refund = sum(parts.values()) - int(receipt["gasUsed"])
    if refund:
        parts["refund"] = -refund
    return dict(parts)


def _own_call_cost(steps: list[dict[str, Any]], index: int) -> int:
    """What a CALL-type step cost the caller beyond what the callee itself consumed."""
    depth = steps[index]["depth"]
    following = index + 1
    if following >= len(steps) or steps[following]["depth"] == depth:
        # No code ran (a precompile or an account without code): the gas consumed is the step's.
        return int(steps[index]["gas"]) - int(steps[following]["gas"]) if following < len(steps) else 0
    back = following
    while back < len(steps) and steps[back]["depth"] > depth:
        back += 1
    last = steps[back - 1]
    consumed = int(steps[following]["gas"]) - (int(last["gas"]) - int(last["gasCost"]))
    return int(steps[index]["gas"]) - int(steps[back]["gas"]) - consumed


def show(title: str, parts: dict[str, int], per: int = 1) -> None:
    total = sum(parts.values())
    print(f"{title}: {total:,} gas" + (f" ({total / per:,.1f} per item)" if per > 1 else ""))
    for name, value in sorted(parts.items(), key=lambda item: -abs(item[1])):
        print(f"  {name:32} {value:>12,}" + (f" {value / per:>10,.1f}" if per > 1 else ""))


def main() -> None:
    from bench import gas

    sizes = {"100 scans": 100, "import chunk of 200 rows": 200}
    gas.measure(lambda name, chain, receipt: show(name, breakdown(chain, receipt["transactionHash"]), sizes.get(name, 1)))


if __name__ == "__main__":
    main()
