"""A synthetic vetted-member list for bulk onboarding benchmarks: N rows with distinct accounts
and valid, distinct unified social credit codes."""

from __future__ import annotations

import datetime as dt
import sys

from eth_utils import keccak, to_checksum_address

from shanglian import uscc

DIVISIONS = ["430100", "430200", "430300", "430400", "430500", "430600", "430700", "430800"]  # Hunan


def rows(count: int, seed: str = "hunan"):
    expiry = (dt.date.today() + dt.timedelta(days=3 * 365)).isoformat()
    for i in range(count):
        account = to_checksum_address(keccak(text=f"{seed}:{i}")[:20])
        body = "91" + DIVISIONS[i % len(DIVISIONS)] + f"MA{i:07d}"
        code = uscc.with_check_character(body)
        yield f"{account},湖南省第{i}号企业有限公司,{code},supplier;producer,licence-{i},{expiry}"


def write(path: str, count: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write("account,name,credit_code,roles,licence_hash,licence_expiry\n")
        for row in rows(count):
            out.write(row + "\n")


if __name__ == "__main__":
    write(sys.argv[1], int(sys.argv[2]))
