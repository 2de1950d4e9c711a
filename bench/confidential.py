"""The SDK's confidential work per receivable: build the invoice document and its root, seal it to the
debtor, the creditor and a regulator (ECIES, three copies), draw the shares of a split, and build a
disclosure of two fields with their proofs. Target: <= 5 ms per receivable (DESIGN: bench figures).

Run alone with `python -m bench.confidential`; `make bench` includes it.
"""

from __future__ import annotations

import time

from coincurve import PrivateKey

from shanglian import confidential

ROUNDS = 300


def one_receivable(parties: list[bytes], number: int) -> int:
    document = confidential.InvoiceDocument(f"增值税专用发票 3300241130 No. {number:08d}", "2026-01-02",
                                            100_000_000, "CNY", 1_790_000_000)
    envelope = confidential.seal({"k": "i", "d": document.to_payload()}, parties)
    shares = confidential.shares_to_move(30_000_000, confidential.TOTAL_SHARES, document.face_value)
    disclosure = document.disclose(["face_value", "invoice_number"], token=number)
    return len(envelope) + len(disclosure.fields) + (shares > 0)


def measure(rounds: int = ROUNDS) -> dict[str, float]:
    parties = [confidential.public_key_of(PrivateKey().secret) for _ in range(3)]
    one_receivable(parties, 0)  # warm up imports and caches
    timings = []
    for number in range(rounds):
        started = time.perf_counter()
        one_receivable(parties, number)
        timings.append(time.perf_counter() - started)
    timings.sort()
    return {"ms_per_receivable_median": round(timings[len(timings) // 2] * 1000, 3),
            "ms_per_receivable_p90": round(timings[int(len(timings) * 0.9)] * 1000, 3)}


if __name__ == "__main__":
    for key, value in measure().items():
        print(f"{key:28} {value:>8}")
