"""Supply-chain receivables (应收款链) from Python: issue, split, finance, settle, freeze, and read.

A receivable is an ERC-3525 slot: a core enterprise (the debtor) confirms it owes a supplier a face
value on a due date, backed by one invoice. A fragment (token) is a piece of it held by one
enterprise. Token ids are ``slot * 10**7 + index``: fragment 3 of receivable 42 is 420000003.

Amounts are :class:`~decimal.Decimal` yuan at the edges (``"1,000,000.00"``, ``Decimal("0.01")``)
and fen (minor units, the contract's ``valueDecimals`` is 2) inside. Due dates are ISO dates, due
at the end of that day in China Standard Time. Every argument is checked, and every token or slot
looked up, before a transaction is built: bad input raises :class:`InputError` naming the field and
sends nothing; a refusal by the contract raises its named :class:`ContractError`
(``ReceivableInvoiceUsed``, ``ReceivableAlreadySettled`` …), also before anything is signed.

Reads come from the contract's state (fragments of a slot are numbered consecutively and each
records its parent), so lineage and listings do not depend on how far back a node serves logs;
only a holder's listing uses ``Transfer`` logs to find candidate fragments, then checks each
against the state. Enterprise names come from the registry SDK.

A confidential receivable (``issue(..., confidential=True)``) shows no amount on chain: its fragments
count shares, its invoice is a committed document, and its facts are sealed to the parties' published
keys; the same calls split, offer, accept and settle it, and read it in yuan for a party and in shares
for anyone else (see docs/privacy.md).

The SDK is one class, :class:`Receivables`, joined from one part per concept, each a module of this
package: :mod:`.issuing` (issue, split), :mod:`.financing` (offer, withdraw, accept),
:mod:`.settlement` (confirm a payment, settle through the token), :mod:`.regulation` (freeze),
:mod:`.confidentiality` (keys, the sealed calls, disclosures),
all built on :mod:`.reading` (the reads and look-ups), which returns the records of :mod:`.records`;
:mod:`.units` holds yuan, fen and ids, :mod:`.presentation` the lineage tree as people read it.
Sending, calls and log reads come from :class:`~shanglian.client.ContractClient`.
"""

from __future__ import annotations

from shanglian.receivables.confidentiality import Confidentiality
from shanglian.receivables.financing import Factoring
from shanglian.receivables.issuing import Issuance
from shanglian.receivables.presentation import amount_text, fragment_amount, lineage_lines, lineage_tree
from shanglian.receivables.reading import Reading
from shanglian.receivables.records import Financing, Fragment, Lineage, LineageNode, Obligation, Receivable
from shanglian.receivables.regulation import Regulation
from shanglian.receivables.settlement import ERC20_ABI, Settlement
from shanglian.receivables.units import (
    ID_BASE,
    MAX_INDEX,
    MAX_SLOT,
    MAX_VALUE_FEN,
    check_currency,
    check_slot,
    check_token,
    format_yuan,
    index_of,
    slot_of,
    to_fen,
    to_yuan,
    token_id,
)

__all__ = [
    "ID_BASE",
    "MAX_VALUE_FEN",
    "Financing",
    "Fragment",
    "Lineage",
    "LineageNode",
    "Obligation",
    "Receivable",
    "Receivables",
    "amount_text",
    "fragment_amount",
    "check_currency",
    "check_slot",
    "check_token",
    "format_yuan",
    "lineage_lines",
    "lineage_tree",
    "slot_of",
    "index_of",
    "token_id",
    "to_fen",
    "to_yuan",
    # the parts Receivables is joined from, and the limits of ids and values
    "ERC20_ABI",
    "Confidentiality",
    "Factoring",
    "Issuance",
    "Reading",
    "Regulation",
    "Settlement",
    "MAX_INDEX",
    "MAX_SLOT",
]


class Receivables(Issuance, Factoring, Settlement, Regulation):
    """The Receivables contract bound to a chain; `sender` signs state changes (None: read only).

    `registry` names enterprises (default: the registry the contract trusts, read from block 0).
    """
