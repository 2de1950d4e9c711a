"""Shares of a confidential slot and the exact fen they stand for.

Every confidential slot counts ``TOTAL_SHARES`` (10**18), whatever its face value F (fen). A fragment of
s shares is worth ``amount_of(s, F) = round_half_up(s * F / TOTAL_SHARES)`` fen: only a party that knows
F (sealed to it) can compute it; anyone else sees the fraction s / TOTAL_SHARES.

To split A fen off a fragment, :func:`shares_to_move` draws s uniformly from the shares for which the
new fragment is worth exactly A and what stays behind exactly its old amount minus A. Such an s always
exists: a fragment's rounding error lies in [-1/2, 1/2) fen and the split divides it between the two, so
the feasible interval is at least half a fen wide, S / 2F >= 5,000 shares for F up to 10**14 fen. The
errors of a slot's fragments add up to zero (they start at zero with the issued fragment, and every move
keeps the sum), so the fragments' amounts always add up to the face value exactly.

Moving value into an existing fragment (ERC-3525's token-to-token transfer) must leave the source worth
its amount minus A and the target its amount plus A. That is possible unless the two fragments' errors
add up to less than -1/2 fen and the move empties the source (two fragments each worth ¥0.01 by rounding
may hold 0.6 + 0.55 fen of shares, which cannot make one fragment worth ¥0.02); then the SDK refuses the
move (InputError naming the amount) rather than let an amount drift: split the value off instead.

The draw is what keeps the face value secret. A share count that were the exact fraction A/F in lowest
terms would give F away (a continued fraction recovers a small denominator from 18 digits); a count
drawn anywhere in the half-fen-wide window is consistent with every face value: for any F' there is an
A' within half a fen of s * F' / S.
"""

from __future__ import annotations

import random
import secrets
from decimal import Decimal

from shanglian.errors import InputError

__all__ = ["TOTAL_SHARES", "MAX_FACE_VALUE", "amount_of", "percent_of", "shares_to_move"]

TOTAL_SHARES = 10**18  # the contract's totalShares()
MAX_FACE_VALUE = 10**14  # fen (1 trillion yuan): keeps at least 5,000 shares in every fen's window


def amount_of(shares: int, face_value: int) -> int:
    """Fen that `shares` of a slot of `face_value` fen stand for (rounded half up, as the contract's
    settleRevealing computes it)."""
    return (2 * int(shares) * int(face_value) + TOTAL_SHARES) // (2 * TOTAL_SHARES)


def percent_of(shares: int) -> Decimal:
    """The fraction `shares` are of their slot, in percent (what anyone can read)."""
    return (Decimal(int(shares)) * 100 / TOTAL_SHARES).quantize(Decimal("0.0001"))


def _window(amount: int, face_value: int) -> tuple[int, int]:
    """Inclusive range of share counts worth exactly `amount` fen (amount_of == amount)."""
    double_face = 2 * face_value
    low = -((-(2 * amount - 1) * TOTAL_SHARES) // double_face)  # ceil((2A - 1) S / 2F)
    high = -((-(2 * amount + 1) * TOTAL_SHARES) // double_face) - 1  # ceil((2A + 1) S / 2F) - 1
    return max(low, 0), high


def shares_to_move(
    amount: int,
    source_shares: int,
    face_value: int,
    target_shares: int | None = None,
    draw: random.Random = secrets.SystemRandom(),  # noqa: B008 - one stateless OS-entropy source
) -> int:
    """Shares to move so that `amount` fen leaves a fragment of `source_shares` (into a new fragment, or
    into an existing one holding `target_shares`) and every fragment involved keeps an exact amount.

    Raises InputError("amount") when the source is worth less than `amount`. `draw` is the operating
    system's randomness (tests pass a seeded ``random.Random``)."""
    if not 1 <= face_value <= MAX_FACE_VALUE:
        raise InputError("face_value", f"must be 1 .. {MAX_FACE_VALUE:,} fen for a confidential receivable")
    held = amount_of(source_shares, face_value)
    if amount <= 0:
        raise InputError("amount", "must be positive")
    if amount > held:
        raise InputError("amount", f"the fragment is worth {held:,} fen, less than {amount:,}")
    if amount == held and target_shares is None:
        return source_shares  # the whole fragment: nothing is left behind to round
    # What stays behind must be worth held - amount: source_shares - s in that window.
    rest_low, rest_high = _window(held - amount, face_value)
    low, high = source_shares - rest_high, source_shares - rest_low
    if target_shares is None:
        # The new fragment must be worth `amount`.
        new_low, new_high = _window(amount, face_value)
        low, high = max(low, new_low), min(high, new_high)
    else:
        # What the target becomes must be worth its amount plus `amount`.
        grown_low, grown_high = _window(amount_of(target_shares, face_value) + amount, face_value)
        low, high = max(low, grown_low - target_shares), min(high, grown_high - target_shares)
    low, high = max(low, 1), min(high, source_shares)
    if low > high:  # only a move into an existing fragment (see the module docstring)
        raise InputError(
            "amount", f"{amount:,} fen cannot be moved exactly into that fragment (their shares round apart by "
            "a fen); split it off as a new fragment instead"
        )
    return draw.randrange(low, high + 1)
