"""Confidential receivables: what the chain holds instead of amounts, and how the parties read it.

- :mod:`~shanglian.confidential.shares` — a confidential slot counts shares of a fixed total, so a split
  shows a fraction, never yuan; the parties, who know the face value, turn shares into exact fen;
- :mod:`~shanglian.confidential.documents` — the invoice's fields as salted leaves of a Merkle tree whose
  root goes on chain, commitments to a price or payment reference, the debtor's secret-keyed invoice key,
  and selective disclosures (a file with some fields and their proofs);
- :mod:`~shanglian.confidential.envelopes` — facts sealed with ECIES (secp256k1, eciespy) to the parties'
  own account keys, which they publish on chain, and opened by any party's key;
- :mod:`~shanglian.confidential.facts` — the sealed payloads (invoice, offer, acceptance) and what a
  party's key opens of a receivable, checked against the chain's root and commitments.

Nothing here talks to a node; the receivables SDK composes these with the contract calls.
"""

from shanglian.confidential.documents import (
    FIELDS,
    Disclosure,
    InvoiceDocument,
    commitment,
    field_leaf,
    invoice_key,
    issuer_secret,
    new_salt,
    verify_disclosure,
)
from shanglian.confidential.envelopes import (
    ECIES,
    address_of,
    open_envelope,
    public_key_of,
    public_key_from_x,
    seal,
)
from shanglian.confidential.facts import (
    Acceptance,
    Offer,
    PartyFacts,
    Sealed,
    acceptance_payload,
    invoice_payload,
    offer_payload,
    open_facts,
)
from shanglian.confidential.shares import TOTAL_SHARES, amount_of, percent_of, shares_to_move

__all__ = [
    "Acceptance",
    "Offer",
    "PartyFacts",
    "Sealed",
    "acceptance_payload",
    "invoice_payload",
    "offer_payload",
    "open_facts",
    "ECIES",
    "FIELDS",
    "TOTAL_SHARES",
    "Disclosure",
    "InvoiceDocument",
    "address_of",
    "amount_of",
    "commitment",
    "field_leaf",
    "invoice_key",
    "issuer_secret",
    "new_salt",
    "open_envelope",
    "percent_of",
    "public_key_from_x",
    "public_key_of",
    "seal",
    "shares_to_move",
    "verify_disclosure",
]
