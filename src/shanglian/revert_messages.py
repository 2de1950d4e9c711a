"""What each contract's custom errors say to a person: one sentence per error, its values written the
way the user typed them (a GTIN as its 14 digits, a status or a role by name, a date as a date, an
amount in yuan).

A row of :data:`MESSAGES` is the error's name and a sentence with the error's arguments in braces;
:data:`FORMATS` says how an argument reads, by its name (``Error.argument`` where one name means
different things in different errors). A contract that gains an error gains a row here; a test fails naming every error of the
shipped ABIs that has none, and every placeholder that is not an argument of its error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import IntEnum
from typing import Any

__all__ = ["FORMATS", "MESSAGES", "format_value", "render"]

_CST = dt.timezone(dt.timedelta(hours=8), "CST")


def _date(value: Any, _: dict[str, Any]) -> str:
    return dt.datetime.fromtimestamp(int(value), _CST).date().isoformat() if int(value) else "(none)"


def _yuan(value: Any, _: dict[str, Any]) -> str:
    from shanglian.receivables.units import format_yuan

    return format_yuan(int(value))


def _member(load: Callable[[], type[IntEnum]], what: str) -> Callable[[Any, dict[str, Any]], str]:
    """A formatter naming the member of the enum `load` returns (imported when first needed)."""

    def name(value: Any, _: dict[str, Any]) -> str:
        try:
            return load()(int(value)).name.lower().replace("_", " ")
        except ValueError:
            return f"{what} {value}"

    return name


def _enterprise_status() -> type[IntEnum]:
    from shanglian.roles import Status

    return Status


def _licence_status() -> type[IntEnum]:
    from shanglian.licences import LicenceStatus

    return LicenceStatus


def _grant_status() -> type[IntEnum]:
    from shanglian.copyrights import GrantStatus

    return GrantStatus


def _roles(value: Any, _: dict[str, Any]) -> str:
    from shanglian.roles import role_names

    names = role_names(int(value))
    return ", ".join(names) if names else "no role"


def _step(value: Any, _: dict[str, Any]) -> str:
    from shanglian.provenance import BizStep

    try:
        return BizStep(int(value)).label
    except ValueError:
        return f"business step {value}"


def _text(value: Any, _: dict[str, Any]) -> str:
    return bytes(value).rstrip(b"\0").decode("ascii", errors="replace") if isinstance(value, (bytes, bytearray)) else str(value)


def _gs1_key(value: Any, _: dict[str, Any]) -> str:
    # A GTIN and a GLN are both numbers here; the registry keys both by their twelve digits.
    return f"{int(value):014d} (GTIN) / {int(value):013d} (GLN)" if int(value) < 10**13 else f"{int(value):014d}"


def _region(value: Any, _: dict[str, Any]) -> str:
    from shanglian import regions

    name = regions.full_name(int(value))
    return f"{int(value):06d}" + (f" ({name})" if name else "")


#: How an argument reads, by its name: fn(value, all the error's arguments) -> text.
FORMATS: dict[str, Callable[[Any, dict[str, Any]], str]] = {
    "gtin": lambda v, _: f"{int(v):014d}",
    "gln": lambda v, _: f"{int(v):013d}",
    "code": _gs1_key,
    "prefix": lambda v, a: f"{int(v):0{int(a.get('digits', 0))}d}",
    "status": _member(_enterprise_status, "status"),
    "LicenceWrongStatus.status": _member(_licence_status, "status"),
    "CopyrightGrantNotPending.status": _member(_grant_status, "status"),
    "roles": _roles,
    "rolesNeeded": _roles,
    "bizStep": _step,
    "licenceExpiry": _date,
    "expiry": _date,
    "dueDate": _date,
    "productionDate": _date,
    "registeredAt": _date,
    "filedAt": _date,
    "validFrom": _date,
    "validUntil": _date,
    "CopyrightInvalidTerm.start": _date,
    "CopyrightInvalidTerm.end": _date,
    "creditCode": _text,
    "currency": _text,
    "latitude": lambda v, _: f"{int(v) / 1_000_000:.6f}°",
    "longitude": lambda v, _: f"{int(v) / 1_000_000:.6f}°",
    "regionCode": _region,
    "position": lambda v, _: str(int(v) + 1),  # the contract counts from 0, people from 1
    "value": _yuan,
    "allowance": _yuan,
    "ReceivableInsufficientValue.requested": _yuan,
    "faceValue": _yuan,
    "price": _yuan,
}


def format_value(name: str, value: Any, args: dict[str, Any], error: str = "") -> str:
    """`value` of argument `name` (of custom error `error`) as a person reads it (bytes as 0x hex
    unless FORMATS says otherwise)."""
    formatter = FORMATS.get(f"{error}.{name}") or FORMATS.get(name)
    if formatter is not None:
        return formatter(value, args)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value)


def render(name: str, args: dict[str, Any]) -> str | None:
    """The sentence for custom error `name` with `args` (None: no row for it)."""
    template = MESSAGES.get(name)
    if template is None:
        return None
    return template.format(**{key: format_value(key, value, args, name) for key, value in args.items()})


MESSAGES: dict[str, str] = {
    # -- EnterpriseRegistry --------------------------------------------------------------------
    "RegistryAdminExists": "{admin} is already a consortium admin",
    "RegistryAlreadyVoted": "admin {admin} already voted for this proposal ({proposal}); another admin must vote",
    "RegistryCreditCodeTaken": "credit code {creditCode} already belongs to the enterprise {holder}",
    "RegistryEnterpriseActive": "{account} is an active enterprise: only it or its operator can end the binding",
    "RegistryImportAlreadyApproved": "import {importRoot} was approved before",
    "RegistryImportChunkApplied": "chunk {chunk} of import {importRoot} was applied already",
    "RegistryImportEmpty": "import {importRoot} has no chunk: give it at least one row",
    "RegistryImportInvalidProof": "chunk {chunk} does not prove into the approved import {importRoot}: the file "
                                  "differs from the one the admins approved",
    "RegistryImportMalformedRow": "the import row at byte {offset} is cut short, or its name is empty or longer than 96 bytes",
    "RegistryImportNotApproved": "import {importRoot} is not approved (or has no such chunk): the admins must run the "
                                 "same import first",
    "RegistryInvalidCreditCode": "the credit code is empty",
    "RegistryInvalidMetadataURI": "the metadata URI is {length} bytes; at most 256 are allowed",
    "RegistryInvalidName": "the name is {length} bytes; give 1 to 96 bytes of UTF-8",
    "RegistryInvalidPrefix": "{prefix} is no GS1 Company Prefix: it has 4 to 12 digits",
    "RegistryInvalidRoles": "the roles ({roles}) are empty or not defined",
    "RegistryInvalidThreshold": "a threshold of {threshold} is not between 1 and the {admins} admins",
    "RegistryLicenceExpired": "the licence expiry {licenceExpiry} is not in the future: give a later date",
    "RegistryNoOperatorOffer": "{account} has not offered {operator} to act for it: the enterprise offers first "
                               "(`enterprise add-operator`)",
    "RegistryNotActive": "{account} is not an active enterprise (approved, not suspended or revoked, licence unexpired)",
    "RegistryNotAdmin": "{caller} is not a consortium admin",
    "RegistryNotOperator": "{operator} is not an operator of the enterprise {account}",
    "RegistryOperatorTaken": "{operator} already acts for the enterprise {enterprise} (or is an enterprise itself)",
    "RegistryPrefixNotAssigned": "no enterprise holds the GS1 Company Prefix {prefix}",
    "RegistryPrefixTaken": "the GS1 Company Prefix {prefix} is held by {holder}, which is active",
    "RegistryTooFewAdmins": "removing an admin would leave {admins} admins, fewer than the threshold {threshold}: "
                            "lower the threshold first",
    "RegistryTooManyAdmins": "the consortium has {admins} admins, the most it can have",
    "RegistryWrongStatus": "the enterprise {account} is {status}, which does not allow this: an application is "
                           "approved or rejected once, only a suspended enterprise is reinstated, a revoked one is "
                           "never active again",
    "RegistryZeroAddress": "the zero address cannot be an enterprise, an operator or an admin",
    # -- ProductProvenance ---------------------------------------------------------------------
    "ProvenanceAlreadyCustodian": "{custodian} already holds batch {batchId}",
    "ProvenanceAlreadyRegistrant": "{enterprise} already holds the product or location {code}",
    "ProvenanceBatchExists": "batch {batchId} exists already: a GTIN's lot is registered once",
    "ProvenanceBatchConsumed": "batch {batchId} was transformed into batch {outputBatchId} and no longer moves",
    "ProvenanceBatchRecalled": "batch {batchId} (or a batch it was made from) is recalled",
    "ProvenanceCannotRecall": "{caller} acts neither for the producer of batch {batchId} nor for an active regulator",
    "ProvenanceCannotRecord": "{caller} may not record {bizStep} for batch {batchId}: its custodian, its producer, "
                              "a regulator (or an inspector, for inspecting) records events",
    "ProvenanceInactiveCustodian": "the custodian {custodian} that offered batch {batchId} is not active: its offer "
                                   "is void meanwhile",
    "ProvenanceInactiveProducer": "the producer {producer} of batch {batchId} is not active: its certification "
                                  "request is void meanwhile",
    "ProvenanceInvalidBizStep": "{bizStep} is no business step this contract knows",
    "ProvenanceInvalidCertificate": "the certificate {certificateHash} is empty or expires on {expiry}, not in the future",
    "ProvenanceInvalidCertifier": "{alliance} is not the primary account of an active quality alliance",
    "ProvenanceInvalidCoordinates": "coordinates {latitude}, {longitude} are outside ±90° latitude / ±180° longitude",
    "ProvenanceInvalidFeatures": "the product features are {length} bytes; at most 512 are allowed",
    "ProvenanceInvalidGln": "{gln} is no GLN-13 with a valid check digit",
    "ProvenanceInvalidGtin": "{gtin} is no GTIN-14 with a valid check digit",
    "ProvenanceInvalidInputs": "a transformation takes 1 to 64 input batches, not {count}",
    "ProvenanceInvalidLotCharacter": "character {position} of lot {lot} is outside the GS1 AI character set 82",
    "ProvenanceInvalidLotLength": "the lot is {length} characters; give 1 to 20",
    "ProvenanceInvalidMetadataURI": "the metadata URI is {length} bytes; at most 256 are allowed",
    "ProvenanceInvalidName": "the product name is {length} bytes; give 1 to 96",
    "ProvenanceInvalidPlace": "the place name is {length} bytes; give 1 to 96",
    "ProvenanceInvalidProductionDate": "the production date {productionDate} is empty or in the future",
    "ProvenanceInvalidQuantity": "the quantity {quantity} is not a positive number of items",
    "ProvenanceInvalidReason": "the recall reason is {length} bytes; give 1 to 256",
    "ProvenanceInvalidReceiver": "{to} cannot receive batch {batchId}: it must be another active enterprise's primary "
                                 "account holding the logistics, retailer, processor or producer role",
    "ProvenanceInvalidRegion": "{regionCode} is no six-digit GB/T 2260 region code",
    "ProvenanceInvalidScanBatch": "a scan batch holds 1 to 500 items, not {items}",
    "ProvenanceMalformedScans": "packed scans are {length} bytes, not whole 36-byte records (an item hash and a "
                                "count each)",
    "ProvenanceLineageTooLarge": "the output's lineage would be {depth} transformations deep with {ancestors} "
                                 "ancestors, more than a batch may have",
    "ProvenanceLocationExists": "GLN {gln} is registered already, by {enterprise}",
    "ProvenanceNoOffer": "batch {batchId} has no custody offer to accept or withdraw",
    "ProvenanceNotAuthorized": "{caller} does not act for an active enterprise holding the role {rolesNeeded}",
    "ProvenanceNotCertified": "batch {batchId} has no certification to revoke",
    "ProvenanceNotCertifier": "{caller} does not act for {alliance}, the quality alliance that certified batch {batchId}",
    "ProvenanceNotCustodian": "{caller} does not act for {custodian}, the custodian of batch {batchId}",
    "ProvenanceNotOfferee": "{caller} does not act for {offeree}, the enterprise offered batch {batchId}",
    "ProvenanceNotPrefixHolder": "the GS1 key {code} is under a Company Prefix held by {holder}, not by your "
                                 "enterprise {enterprise}: the admins assign prefixes (`enterprise assign-prefix`)",
    "ProvenanceNotProducer": "{caller} does not act for {producer}, the product's producer, with the producer role",
    "ProvenanceNotRequested": "the producer of batch {batchId} asked {requested} to certify it, not your alliance "
                              "{alliance}",
    "ProvenanceOfferPending": "batch {batchId} is offered to {offeree} already: withdraw that offer first",
    "ProvenanceProductExists": "GTIN {gtin} is registered already, by {producer}",
    "ProvenanceScanBatchRecorded": "platform {platform} recorded scan batch {scanBatch} already (a resubmission: use "
                                   "a new key)",
    "ProvenanceUnknownBatch": "no batch {batchId} is registered",
    "ProvenanceUnknownLocation": "no location is registered under GLN {gln}",
    "ProvenanceUnknownProduct": "no product is registered under GTIN {gtin}: register it first (`product register`)",
    "ProvenanceZeroAddress": "the registry address is the zero address",
    "ProvenanceZeroScanCount": "item {itemHash} has a scan count of 0; every count is at least 1",
    # -- Receivables ---------------------------------------------------------------------------
    "ReceivableAlreadyFinanced": "fragment {tokenId} was financed already",
    "ReceivableAlreadySettled": "fragment {tokenId} is settled already",
    "ReceivableFrozen": "fragment {tokenId} is frozen by a regulator",
    "ReceivableInactiveHolder": "the holder {holder} is not an active enterprise: only it, once reinstated, may act",
    "ReceivableIncorrectOwner": "{from} does not hold fragment {tokenId}; {holder} does",
    "ReceivableInsufficientAllowance": "{operator} may move {allowance} of fragment {tokenId}, less than {value}",
    "ReceivableInsufficientValue": "fragment {tokenId} holds {value}, less than the {requested} asked for",
    "ReceivableInvalidCreditor": "{creditor} is not the primary account of an active supplier (or is the debtor)",
    "ReceivableInvalidCurrency": "currency {currency} is not three upper-case letters (e.g. CNY)",
    "ReceivableInvalidDueDate": "the due date {dueDate} is not in the future",
    "ReceivableInvalidFaceValue": "a face value of {faceValue} is zero or too large",
    "ReceivableInvalidFinancier": "{financier} is not the primary account of an active financier (or is the holder)",
    "ReceivableInvalidInvoice": "the invoice hash is zero",
    "ReceivableInvalidOperator": "{operator} cannot be approved: it is the zero address or the holder itself",
    "ReceivableInvalidOwner": "the zero address holds nothing",
    "ReceivableInvalidPaymentReference": "the payment reference {paymentReference} is empty",
    "ReceivableInvalidPrice": "a price of {price} is zero or above the fragment's value {value}",
    "ReceivableInvalidReceiver": "the receiving contract {receiver} rejected the transfer",
    "ReceivableInvalidRecipient": "{to} is not the primary account of an active enterprise",
    "ReceivableInvoiceUsed": "invoice {invoiceHash} already backs receivable {slot}: an invoice backs one receivable, ever",
    "ReceivableMatured": "receivable {slot} fell due on {dueDate}: financing closes at the due date",
    "ReceivableNoSettlementToken": "no settlement token is configured: settle off chain and confirm with "
                                   "`receivable confirm-payment`",
    "ReceivableNonexistentSlot": "there is no receivable {slot}",
    "ReceivableNonexistentToken": "there is no fragment {tokenId}",
    "ReceivableNotAuthorized": "{caller} may not do this to fragment {tokenId}",
    "ReceivableNotCoreEnterprise": "{caller} does not act for an active core enterprise",
    "ReceivableNotEnterprise": "{caller} does not act for an active enterprise",
    "ReceivableNotFrozen": "fragment {tokenId} is not frozen",
    "ReceivableNotMatured": "receivable {slot} falls due on {dueDate}: settlement opens then",
    "ReceivableNotOffered": "fragment {tokenId} is not offered for financing",
    "ReceivableNotRegulator": "{caller} does not act for an active regulator",
    "ReceivableOfferPending": "fragment {tokenId} is offered for financing: withdraw the offer first",
    "ReceivableSameToken": "fragment {tokenId} cannot move value to itself",
    "ReceivableSlotFrozen": "receivable {slot} is frozen by a regulator",
    "ReceivableSlotMismatch": "fragments {fromTokenId} and {toTokenId} belong to different receivables",
    "ReceivableSlotNotFrozen": "receivable {slot} is not frozen",
    "ReceivableTooManyFragments": "receivable {slot} has the most fragments an id can number (9,999,999)",
    "ReceivableTooManySlots": "every receivable id is taken",
    "ReceivableZeroValue": "fragment {tokenId}: a split or transfer of zero",
    "ReceivableConfidential": "receivable {slot} is confidential: this call would publish what it hides; use the "
                              "confidential form of the command",
    "ReceivableEmptyEnvelope": "the envelope of confidential facts is empty",
    "ReceivableEncryptionKeyPublished": "{account} has published its encryption key already; an account's key never "
                                        "changes",
    "ReceivableInvalidCommitment": "a price or payment-reference commitment is zero",
    "ReceivableInvalidDisclosure": "the revealed face value and salt do not prove into the document root of "
                                   "receivable {slot}",
    "ReceivableInvalidDocument": "the document root is zero",
    "ReceivableInvalidEncryptionKey": "the key is not 64 bytes, or it belongs to {keyOwner}, not to {caller}",
    "ReceivableNoEncryptionKey": "{account} has not published an encryption key, so nothing confidential can be sealed "
                                 "to it: it runs `receivable publish-key` first",
    "ReceivableNotConfidential": "receivable {slot} is not confidential: use the ordinary form of the command",
    "ReceivableOfferChanged": "fragment {tokenId} is now offered at another price (commitment {priceCommitment}) than "
                              "the one you accepted: read the offer again",
    "ReceivablePriceChanged": "fragment {tokenId} is now offered at {price}, not the price you accepted: read the "
                              "offer again",
    "SafeERC20FailedOperation": "the settlement token {token} refused the transfer",
    # -- Evidence ------------------------------------------------------------------------------
    "EvidenceAlreadyCosigned": "{cosigner} signed record {id} already",
    "EvidenceAlreadyFiled": "your enterprise {filer} filed this digest already, as record {id} on {filedAt}",
    "EvidenceAlreadyNotarised": "record {id} was notarised already, by {notary}",
    "EvidenceFilerInactive": "the filer {filer} of record {id} is not an active enterprise: its requests are void "
                             "meanwhile",
    "EvidenceIncomplete": "record {id} has {signed} of its {named} co-signatures: a notary attests a record once "
                          "every named party has signed",
    "EvidenceInvalidAlgorithm": "digest algorithm {algorithm} is neither 0 (SHA-256) nor 1 (SM3)",
    "EvidenceInvalidCertificate": "the notarial certificate's digest is zero",
    "EvidenceInvalidCosigner": "{cosigner} cannot co-sign: it is the zero address, the filer, named twice, or not the "
                               "primary account of an active enterprise",
    "EvidenceInvalidCosigners": "a record names 1 to 16 co-signers, not {count}",
    "EvidenceInvalidDigest": "the digest is zero",
    "EvidenceInvalidDocuments": "a record covers at least one document, not {documents}",
    "EvidenceInvalidNotary": "{notary} is not the primary account of an active notary, or is a party to the record",
    "EvidenceNotCosigner": "record {id} names no co-signer that {caller} acts for",
    "EvidenceNotEnterprise": "{caller} does not act for an active enterprise",
    "EvidenceNotFiler": "{caller} is not the filer of record {id}; {filer} is",
    "EvidenceNotRequestedNotary": "{caller} does not act for the notary record {id} asked ({notary})",
    "EvidenceUnknown": "there is no evidence record {id}",
    # -- Licences ------------------------------------------------------------------------------
    "LicenceDocumentUsed": "the document {documentDigest} belongs to licence {id} already",
    "LicenceInvalidAlgorithm": "digest algorithm {algorithm} is neither 0 (SHA-256) nor 1 (SM3)",
    "LicenceInvalidDigest": "a document or decision digest is zero",
    "LicenceInvalidHolder": "{holder} cannot hold a licence: it is the zero address or the issuing regulator itself",
    "LicenceInvalidKind": "licence kind {kind} is not one of the kinds (business, food-production, food-business, "
                          "industrial-product, printing)",
    "LicenceInvalidNumber": "the licence number is empty",
    "LicenceInvalidValidity": "a validity from {validFrom} until {validUntil} must end after it starts, and in the future",
    "LicenceNotIssuer": "{caller} does not act for {issuer}, the active regulator that issued licence {id}",
    "LicenceNotRegulator": "{caller} does not act for an active regulator",
    "LicenceUnknown": "there is no licence {id}",
    "LicenceWrongStatus": "licence {id} is {status}, which does not allow this: only an active licence is renewed or "
                          "suspended, only a suspended one reinstated, a revoked one never changes again",
    # -- Copyrights ----------------------------------------------------------------------------
    "CopyrightAlreadyRegistered": "this content was registered first by {registrant} on {registeredAt}",
    "CopyrightCommitmentTooRecent": "the commitment {commitment} was made in block {committedAt}: register in a later "
                                    "block",
    "CopyrightGrantNotPending": "licence grant {grantId} is {status}, not offered",
    "CopyrightGrantVoid": "licence grant {grantId} is void: its grantor {grantor} is not an active enterprise or no "
                          "longer holds the work",
    "CopyrightHolderInactive": "the holder {holder} of work {tokenId} is not an active enterprise: its offer is void "
                               "meanwhile",
    "CopyrightIncorrectOwner": "{from} does not hold work {tokenId}; {holder} does",
    "CopyrightInvalidAlgorithm": "digest algorithm {algorithm} is neither 0 (SHA-256) nor 1 (SM3)",
    "CopyrightInvalidAuthors": "the authors are {length} bytes; give 1 to 256 bytes of UTF-8",
    "CopyrightInvalidCommitment": "the commitment {commitment} is zero, or your enterprise made it before",
    "CopyrightInvalidDigest": "a content or terms digest is zero",
    "CopyrightInvalidLicensee": "{licensee} is not the primary account of an active enterprise other than the holder",
    "CopyrightInvalidOwner": "the zero address holds nothing",
    "CopyrightInvalidReceiver": "the receiving contract {to} does not accept ERC-721 tokens",
    "CopyrightInvalidRecipient": "{to} is not the primary account of an active enterprise other than the holder, or "
                                 "not the enterprise the work was offered to",
    "CopyrightInvalidTerm": "a term from {start} to {end} must end after it starts, and in the future",
    "CopyrightInvalidTitle": "the title is {length} bytes; give 1 to 128 bytes of UTF-8",
    "CopyrightNonexistentToken": "there is no work {tokenId}",
    "CopyrightNotCommitted": "{registrant} made no commitment to this content with this salt: commit first, then "
                             "register in a later block",
    "CopyrightNotEnterprise": "{caller} does not act for an active enterprise",
    "CopyrightNotGrantor": "{caller} does not act for {grantor}, the grantor of licence grant {grantId}",
    "CopyrightNotHolder": "{caller} does not act for {holder}, the holder of work {tokenId}",
    "CopyrightNotLicensee": "{caller} does not act for {licensee}, the licensee of licence grant {grantId}",
    "CopyrightNotOfferee": "{caller} does not act for the enterprise work {tokenId} is offered to ({offeree})",
    "CopyrightOperatorsUnsupported": "approvals for all are refused ({caller}): a work moves only to the enterprise it "
                                     "is offered to",
    "CopyrightUnknownGrant": "there is no licence grant {grantId}",
    # -- Annotations (evidence, licences, works) -------------------------------------------------
    "AnnotationInvalidDigest": "an annotation needs the digest of the document it rests on",
    "AnnotationInvalidKind": "annotation kind {kind} is none of dispute, court ruling, resolution",
    "AnnotationNotAuthorized": "{caller} does not act for an active regulator or notary",
    "AnnotationTooMany": "{subject} holds {count} annotations, the most it may have",
}
