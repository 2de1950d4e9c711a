"""A regulator freezes and unfreezes a disputed fragment or a whole receivable."""

from __future__ import annotations

from web3.types import TxReceipt

from shanglian.errors import InputError
from shanglian.receivables.reading import Reading
from shanglian.receivables.units import check_slot


class Regulation(Reading):
    """Freezing and unfreezing fragments and receivables."""

    def freeze(self, token: str | int | None = None, *, slot: str | int | None = None) -> TxReceipt:
        """A regulator freezes fragment `token`, or every fragment of receivable `slot`."""
        if slot is not None:
            return self._send(self.contract.functions.freezeSlot(self._existing_slot(slot, token)))
        return self._send(self.contract.functions.freezeFragment(self._existing(self._one_of(token))))

    def unfreeze(self, token: str | int | None = None, *, slot: str | int | None = None) -> TxReceipt:
        """A regulator unfreezes fragment `token`, or receivable `slot`."""
        if slot is not None:
            return self._send(self.contract.functions.unfreezeSlot(self._existing_slot(slot, token)))
        return self._send(self.contract.functions.unfreezeFragment(self._existing(self._one_of(token))))

    def _existing_slot(self, slot: str | int, token: str | int | None) -> int:
        if token is not None:
            raise InputError("slot", "give a token or a slot, not both")
        slot = check_slot(slot)
        self.is_confidential(slot)  # an unknown slot is an InputError naming it, either kind
        return slot
