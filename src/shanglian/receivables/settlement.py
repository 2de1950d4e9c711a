"""Settlement: the holder confirms an off-chain payment, or the debtor pays through the configured
ERC-20 settlement token (approving exactly what is due)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eth_utils import to_checksum_address
from web3.contract import Contract
from web3.types import TxReceipt

from shanglian import chaintime
from shanglian.errors import ContractError, InputError
from shanglian.receivables.confidentiality import Confidentiality
from shanglian.receivables.units import check_token, format_yuan, slot_of, to_fen

# The part of ERC-20 that settling through a token needs.
ERC20_ABI: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": "balanceOf",
        "stateMutability": "view",
        "inputs": [{"name": "account", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    },
    {
        "type": "function",
        "name": "allowance",
        "stateMutability": "view",
        "inputs": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    },
    {
        "type": "function",
        "name": "approve",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "spender", "type": "address"}, {"name": "value", "type": "uint256"}],
        "outputs": [{"name": "", "type": "bool"}],
    },
    {
        "type": "function",
        "name": "symbol",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": "string"}],
    },
]


class Settlement(Confidentiality):
    """Settling fragments, on chain or confirmed off-chain."""

    def confirm_payment(self, token: str | int) -> TxReceipt:
        """The holder confirms the debtor paid fragment `token` off-chain (at or after the due date);
        settles it. A second settlement raises ``ReceivableAlreadySettled``."""
        token = self._existing(token)
        return self._send(self.contract.functions.confirmSettlement(token))

    def settle(self, token: str | int, approve: bool = True, reveal: bool = False) -> TxReceipt:
        """The debtor pays fragment `token` through the settlement token (at or after the due date).

        Paying a confidential fragment through a token publishes its amount (the token transfer shows
        it) and the receivable's face value (the contract checks it against the document root): it is
        refused unless `reveal`. The holder confirming payment (:meth:`confirm_payment`) reveals nothing.

        The Receivables contract pulls the fragment's value from the debtor's primary account, which
        must have approved it. When the allowance falls short and the signer is that account, the
        allowance is first set to exactly the fragment's value (one more transaction; never an
        unlimited approval) unless `approve` is false. To pay many fragments with one approval, call
        :meth:`approve_settlement` with their total first. A balance too low for the payment raises
        ``ERC20InsufficientBalance`` before anything is sent.
        """
        token = check_token(token)
        record = self._fragment_record(token)
        settlement = self.settlement_token()
        signer = self._signer()
        slot = slot_of(token)
        confidential = self.is_confidential(slot)
        if confidential and not reveal:
            raise InputError(
                "reveal",
                f"paying fragment {token} through the settlement token publishes its amount and the receivable's "
                "face value to every member; pass --reveal to do it anyway, or let the holder confirm payment",
            )
        debtor = self._debtor_of(slot)
        if settlement is not None and self._settleable(token, record, debtor, signer):
            value = self._revealed_amount(token) if confidential else int(record[1])
            erc20 = self._erc20(settlement)
            balance = int(self._call(erc20.functions.balanceOf(debtor)))
            if balance < value:
                raise ContractError(
                    "ERC20InsufficientBalance",
                    {"sender": debtor, "balance": balance, "needed": value},
                    settlement,
                    f"the debtor holds {format_yuan(balance)} of the settlement token; "
                    f"fragment {token} needs {format_yuan(value)}",
                )
            allowance = int(self._call(erc20.functions.allowance(debtor, self.contract.address)))
            if allowance < value:
                if not approve or signer != debtor:
                    raise ContractError(
                        "ERC20InsufficientAllowance",
                        {"spender": self.contract.address, "allowance": allowance, "needed": value},
                        settlement,
                        f"the debtor's account {debtor} must first approve the Receivables contract for "
                        f"{format_yuan(value)} of the settlement token (approve_settlement)",
                    )
                self._send(erc20.functions.approve(self.contract.address, value))
        if confidential:
            return self._settle_revealing(token)
        return self._send(self.contract.functions.settle(token))

    def approve_settlement(self, amount: str | Decimal) -> TxReceipt:
        """Sets the signer's (the debtor's) settlement-token allowance for the Receivables contract
        to `amount` yuan, enough to :meth:`settle` several fragments without more approvals."""
        fen = to_fen(amount, "amount")
        settlement = self.settlement_token()
        if settlement is None:
            raise ContractError(
                "ReceivableNoSettlementToken",
                {},
                "Receivables",
                "no settlement token is configured: holders settle off-chain and confirm with "
                "confirm-payment",
            )
        return self._send(self._erc20(settlement).functions.approve(self.contract.address, fen))

    def settlement_token(self) -> str | None:
        """The ERC-20 that :meth:`settle` pays in, or None when settlement is off-chain only."""
        found = self._call(self.contract.functions.settlementToken())
        return None if int(found, 16) == 0 else to_checksum_address(found)

    def _settleable(self, token: int, record: Any, debtor: str, signer: str) -> bool:
        """Whether the contract would let `signer` settle `token` now, as far as it can tell without
        the token transfer: only then is an approval worth sending. Otherwise the settle call itself
        reports the contract's named refusal."""
        if bool(record[6]) or bool(record[7]):  # settled, frozen
            return False
        state = self._call(self.contract.functions.slotState(slot_of(token)))
        due = self.obligation(slot_of(token)).due
        if bool(state[2]) or chaintime.now(self.chain) < due:
            return False
        return self.registry().acting_for(signer) == debtor

    def _debtor_of(self, slot: int) -> str:
        return self.obligation(slot).debtor

    def _erc20(self, address: str) -> Contract:
        return self.chain.w3.eth.contract(address=address, abi=ERC20_ABI)
