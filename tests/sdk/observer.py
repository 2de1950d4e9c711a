"""What a consortium member with no party's key reads from the chain, and a search of it for secrets.

`observe(chain, first_block)` collects every transaction input, every log (topics and data) and every
storage word the transactions wrote (Anvil's `prestateTracer` in diff mode, then `eth_getStorageAt` of
each written slot at the end, in case a later write changed it), from `first_block` on. `find(secrets,
seen)` searches all of it for each secret in every encoding a contract or an SDK would use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_abi import decode as abi_decode
from eth_utils import keccak


@dataclass
class Seen:
    """Raw bytes by where they were read, and the byte ranges that are ciphertext (sealed envelopes)."""

    chunks: list[tuple[str, bytes]] = field(default_factory=list)
    ciphertext: list[bytes] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(raw) for _, raw in self.chunks)


def _hex(value) -> bytes:
    text = value.hex() if isinstance(value, (bytes, bytearray)) else str(value)
    return bytes.fromhex(text.removeprefix("0x"))


def observe(chain, first_block: int, envelope_topic: bytes) -> Seen:
    w3 = chain.w3
    seen = Seen()
    written: dict[str, set[str]] = {}
    for number in range(first_block, w3.eth.block_number + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        for tx in block.transactions:
            tx_hash = "0x" + bytes(tx["hash"]).hex()
            seen.chunks.append((f"input of {tx_hash}", _hex(tx["input"])))
            receipt = w3.eth.get_transaction_receipt(tx_hash)
            for log in receipt["logs"]:
                data = _hex(log["data"])
                seen.chunks.append((f"log of {tx_hash}", b"".join(_hex(t) for t in log["topics"]) + data))
                if log["topics"] and _hex(log["topics"][0]) == envelope_topic:
                    seen.ciphertext.append(abi_decode(["bytes"], data)[0])  # FactsSealed's one data field
            trace = w3.provider.make_request(
                "debug_traceTransaction", [tx_hash, {"tracer": "prestateTracer", "tracerConfig": {"diffMode": True}}]
            )["result"]
            for address, state in trace.get("post", {}).items():
                for slot, word in state.get("storage", {}).items():
                    seen.chunks.append((f"storage {address}[{slot}] after {tx_hash}", _hex(word)))
                    written.setdefault(address, set()).add(slot)
    for address, slots in written.items():
        for slot in slots:
            word = w3.eth.get_storage_at(w3.to_checksum_address(address), int(slot, 16))
            seen.chunks.append((f"storage {address}[{slot}] at the end", bytes(word)))
    return seen


def encodings(value: int | str) -> dict[str, bytes]:
    """Every form in which `value` could sit in chain data: a whole number in big- and little-endian
    words of 4, 8, 16 and 32 bytes (any width from its own size up, big-endian: a zero byte before
    its shortest form) and in decimal text, with and without thousands separators; text as UTF-8 and as
    its keccak256 (a bare hash is as good as the text to someone who can guess it)."""
    if isinstance(value, str):
        return {"UTF-8": value.encode("utf-8"), "keccak256": keccak(text=value)}
    size = max(1, (value.bit_length() + 7) // 8)
    found = {f"{size}-byte big-endian": value.to_bytes(size, "big"), "wider big-endian": value.to_bytes(size + 1, "big")}
    for width in (4, 8, 16, 32):
        if width >= size:
            found[f"uint{width * 8} big-endian"] = value.to_bytes(width, "big")
            found[f"uint{width * 8} little-endian"] = value.to_bytes(width, "little")
    found["decimal"] = str(value).encode()
    found["decimal with separators"] = f"{value:,}".encode()
    return found


def find(secrets: dict[str, int | str], seen: Seen) -> list[str]:
    """Where each secret was found, as readable lines (empty: nothing found). A form of three bytes or
    fewer is not looked for inside ciphertext, where such a match is chance (one in 16 million per
    position); every longer form is looked for everywhere."""
    hits = []
    for name, value in secrets.items():
        for form, needle in encodings(value).items():
            for where, raw in seen.chunks:
                at = raw.find(needle)
                while at >= 0:
                    if len(needle) > 3 or not any(needle in c and raw.find(c) >= 0 and
                                                  raw.find(c) <= at < raw.find(c) + len(c) for c in seen.ciphertext):
                        hits.append(f"{name} ({form}) in {where}")
                        break
                    at = raw.find(needle, at + 1)
    return hits
