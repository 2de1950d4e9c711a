"""Gas of issuing a licence against the service hall's target (`-s` prints the figures)."""

from brownie import chain

from hall_support import digest

ISSUE_TARGET = 80_000
FOOD_PRODUCTION, SHA256, YEAR = 2, 0, 365 * 24 * 3600
NUMBER = b"SC11136072100123".ljust(32, b"\x00")


def test_issuing_a_licence_is_within_80k(licences, hall):
    now = chain.time()
    tx = licences.issue(hall.filer, FOOD_PRODUCTION, NUMBER, SHA256, digest("licence"), now - 3600, now + 5 * YEAR,
                        {"from": hall.regulator})
    print(f"\nissue a licence: {tx.gas_used} gas")
    assert tx.gas_used <= ISSUE_TARGET
