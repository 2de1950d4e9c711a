"""The enterprise registry (企业上链) from Python: applications, M-of-N governance, operators,
lookups, and bulk import.

Names, licence hashes and metadata URIs live in the registry's events, not its storage (no
contract reads them back), so lookups join the one-slot record with the enterprise's profile event:
its application, or the ImportChunkApplied event carrying the row that registered it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from eth_abi import decode as abi_decode
from cchecksum import to_checksum_address
from eth_utils import keccak
from web3.logs import DISCARD

from shanglian import gs1, logs, merkle, uscc, validate
from shanglian.client import ContractClient
from shanglian.errors import InputError, NetworkError
from shanglian.roles import ALL_ROLES, Role, Status, parse_roles, role_names

MAX_NAME_BYTES = 96
IMPORT_CHUNK_ROWS = 200
CSV_COLUMNS = ("account", "name", "credit_code", "roles", "licence_hash", "licence_expiry")


@dataclass(frozen=True)
class Enterprise:
    account: str
    name: str
    credit_code: str
    roles: int
    status: Status
    licence_expiry: int
    licence_hash: str
    metadata_uri: str
    active: bool
    version: int

    @property
    def role_names(self) -> list[str]:
        return role_names(self.roles)

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "name": self.name,
            "credit_code": self.credit_code,
            "roles": self.role_names,
            "status": self.status.name.lower(),
            "active": self.active,
            "licence_expiry": dt.datetime.fromtimestamp(self.licence_expiry, dt.timezone.utc).isoformat(),
            "licence_hash": self.licence_hash,
            "metadata_uri": self.metadata_uri,
            "version": self.version,
        }


@dataclass(frozen=True)
class Vote:
    """The outcome of one admin's vote: whether it carried the action, and the tally with it."""

    executed: bool
    votes: int
    threshold: int
    proposal: str
    transaction: str
    gas_used: int


class Registry(ContractClient):
    """EnterpriseRegistry bound to a chain; `sender` signs state changes (None: read only)."""

    # -- self-service ---------------------------------------------------------------------------

    def apply(
        self,
        name: str,
        credit_code: str,
        roles: int | str,
        licence_hash: str | bytes,
        licence_expiry: str | dt.date,
        metadata_uri: str = "",
    ) -> Any:
        name = validate.text(name, "name", MAX_NAME_BYTES)
        code = uscc.to_bytes18(credit_code)
        mask = parse_roles(roles) if isinstance(roles, str) else Role(roles)
        hash_ = licence_hash if isinstance(licence_hash, bytes) else validate.document_hash(licence_hash, "licence_hash")
        expiry = validate.future_timestamp(licence_expiry, "licence_expiry", self._now())
        validate.uri(metadata_uri, "metadata_uri")
        return self._send(self.contract.functions.applyToJoin(name, code, int(mask), hash_, expiry, metadata_uri))

    def add_operator(self, operator: str) -> Any:
        """Offers `operator` to act for the signer's enterprise; it binds once the operator accepts."""
        return self._send(self.contract.functions.addOperator(validate.address(operator, "operator")))

    def accept_operator(self, account: str) -> Any:
        """The signer accepts `account`'s offer and from then on acts for it."""
        return self._send(self.contract.functions.acceptOperator(validate.address(account, "account")))

    def remove_operator(self, operator: str) -> Any:
        """Ends the binding of the signer's operator, or withdraws an offer to it."""
        return self._send(self.contract.functions.removeOperator(validate.address(operator, "operator")))

    def resign_operator(self) -> Any:
        """The signer stops acting for its enterprise."""
        return self._send(self.contract.functions.resignOperator())

    def clear_operator(self, operator: str) -> Any:
        """An admin ends the binding of an operator whose enterprise is not active."""
        return self._send(self.contract.functions.clearOperator(validate.address(operator, "operator")))

    def operator_offered(self, account: str, operator: str) -> bool:
        return bool(self._call(self.contract.functions.operatorOffered(
            validate.address(account, "account"), validate.address(operator, "operator"))))

    # -- governance -----------------------------------------------------------------------------

    def approve(self, account: str, roles: int | str | None = None) -> Vote:
        """Votes to approve; `roles` defaults to the roles the enterprise applied for."""
        account = validate.address(account, "account")
        if roles is None:
            mask = self.contract.functions.enterprise(account).call()[1]
        else:
            mask = int(parse_roles(roles) if isinstance(roles, str) else roles)
        return self._vote(self.contract.functions.approve(account, mask))

    def reject(self, account: str) -> Vote:
        return self._vote(self.contract.functions.reject(validate.address(account, "account")))

    def set_roles(self, account: str, roles: int | str) -> Vote:
        mask = int(parse_roles(roles) if isinstance(roles, str) else roles)
        return self._vote(self.contract.functions.setRoles(validate.address(account, "account"), mask))

    def reinstate(self, account: str) -> Vote:
        return self._vote(self.contract.functions.reinstate(validate.address(account, "account")))

    def revoke(self, account: str) -> Vote:
        return self._vote(self.contract.functions.revoke(validate.address(account, "account")))

    def renew_licence(self, account: str, licence_hash: str | bytes, licence_expiry: str | dt.date) -> Vote:
        hash_ = licence_hash if isinstance(licence_hash, bytes) else validate.document_hash(licence_hash, "licence_hash")
        expiry = validate.future_timestamp(licence_expiry, "licence_expiry", self._now())
        return self._vote(
            self.contract.functions.renewLicence(validate.address(account, "account"), hash_, expiry)
        )

    def add_admin(self, admin: str) -> Vote:
        return self._vote(self.contract.functions.addAdmin(validate.address(admin, "admin")))

    def remove_admin(self, admin: str) -> Vote:
        return self._vote(self.contract.functions.removeAdmin(validate.address(admin, "admin")))

    def set_threshold(self, threshold: int) -> Vote:
        return self._vote(self.contract.functions.setThreshold(validate.positive_int(threshold, "threshold", 256)))

    def assign_prefix(self, account: str, prefix: str | int) -> Vote:
        """Votes to give the GS1 Company Prefix (its digits, e.g. ``6901234``) to `account`."""
        code = gs1.parse_company_prefix(prefix)
        return self._vote(self.contract.functions.assignPrefix(
            validate.address(account, "account"), code.value, code.digits))

    def revoke_prefix(self, prefix: str | int) -> Vote:
        code = gs1.parse_company_prefix(prefix)
        return self._vote(self.contract.functions.revokePrefix(code.value, code.digits))

    def prefix_holder(self, prefix: str | int) -> str | None:
        code = gs1.parse_company_prefix(prefix)
        found = self._call(self.contract.functions.prefixHolder(code.value, code.digits))
        return None if int(found, 16) == 0 else found

    def prefix_of(self, code: str, kind: str = "gtin") -> tuple[str, gs1.CompanyPrefix] | None:
        """(holder, prefix) of the assigned prefix a GTIN (or, with kind="gln", a GLN) lies under."""
        holder, value, digits = self._call(self.contract.functions.prefixOf(gs1.key12(code, kind)))
        return None if int(holder, 16) == 0 else (holder, gs1.CompanyPrefix(int(value), int(digits)))

    def prefixes(self) -> dict[str, str]:
        """Every assigned prefix (as digits) with its holder, from the assignment events."""
        held: dict[str, str] = {}
        for event in self._logs(["PrefixAssigned", "PrefixRevoked"]):
            args = event["args"]
            text = str(gs1.CompanyPrefix(int(args["prefix"]), int(args["digits"])))
            if event["event"] == "PrefixAssigned":
                held[text] = args["account"]
            else:
                held.pop(text, None)
        return held

    def suspend(self, account: str) -> Any:
        return self._send(self.contract.functions.suspend(validate.address(account, "account")))

    # -- reads ----------------------------------------------------------------------------------

    def show(self, account: str) -> Enterprise:
        account = validate.address(account, "account")
        record = self.contract.functions.enterprise(account).call()
        if Status(record[3]) == Status.NONE:
            raise InputError("account", f"{account} is not a registered enterprise")
        profiles = self._profiles([logs.address_topic(account)])
        return self._enterprise(account, record, profiles.get(account, {}), self._now())

    def list(self) -> list[Enterprise]:
        """Every enterprise that ever applied or was imported, in registration order: the profiles
        from one log query, the records in JSON-RPC batches, the clock read once."""
        profiles = self._profiles([])
        records = self._records(list(profiles))
        now = self._now()
        return [self._enterprise(account, record, profile, now) for (account, profile), record in zip(profiles.items(), records)]

    def names(self, accounts: list[str] | None = None) -> dict[str, str]:
        """Display names by account (all enterprises when `accounts` is None), in one log query."""
        topics = [logs.address_topic(a) for a in accounts] if accounts else []
        return {account: profile["name"] for account, profile in self._profiles(topics).items()}

    def admins(self) -> list[str]:
        return list(self.contract.functions.admins().call())

    def threshold(self) -> int:
        return int(self.contract.functions.threshold().call())

    def acting_for(self, actor: str, roles: int = int(ALL_ROLES)) -> str | None:
        found = self.contract.functions.actingFor(validate.address(actor, "account"), roles).call()
        return None if int(found, 16) == 0 else found

    def account_of(self, credit_code: str) -> str | None:
        found = self.contract.functions.accountOfCreditCode(uscc.to_bytes18(credit_code)).call()
        return None if int(found, 16) == 0 else found

    # -- bulk import ----------------------------------------------------------------------------

    def import_state(self, plan: "ImportPlan") -> tuple[int, list[int]]:
        """(approved chunk count, indexes of chunks still to apply) for `plan`."""
        fn = self.contract.functions
        approved = fn.importState(plan.root, 0).call()[0]
        if approved == 0:
            return 0, list(range(len(plan.chunks)))
        states = self.read_many("importState", [(plan.root, i) for i in range(len(plan.chunks))])
        pending = [i for i, (_, applied) in enumerate(states) if not applied]
        return approved, pending

    def approve_import(self, plan: "ImportPlan") -> Vote:
        return self._vote(self.contract.functions.approveImport(plan.root, len(plan.chunks)))

    def import_chunk_call(self, plan: "ImportPlan", index: int) -> Any:
        return self.contract.functions.importChunk(plan.root, index, plan.chunks[index], plan.proof(index))

    def import_chunk(self, plan: "ImportPlan", index: int) -> Any:
        return self._send(self.import_chunk_call(plan, index))

    def plan_import(self, rows: Iterable["ImportRow"], chunk_rows: int = IMPORT_CHUNK_ROWS) -> "ImportPlan":
        """`rows` in chunks of at most `chunk_rows` that this chain's nodes accept as one transaction
        each: within its transaction size limit (GoQuorum's txnSizeLimit) and per-transaction gas
        cap (EIP-7825). The chunks decide the root the admins vote for, so every admin must plan
        with the same profile."""
        return ImportPlan(rows, chunk_rows, self.chain.max_tx_bytes, self.chain.profile.max_tx_gas)

    def run_import(self, plan: "ImportPlan", journal: Any = None, progress: Any = None) -> dict[str, Any]:
        """Votes for `plan` if it is not approved yet; once approved, applies the missing chunks.

        On a node, chunks go through the bulk pipeline (batched, journaled, resumable); on the
        embedded chain one by one. Chunks the registry already applied are never sent again.
        """
        plan.check_fits(self.chain.max_tx_bytes, self.chain.profile.max_tx_gas)  # before anyone votes for it
        approved, pending = self.import_state(plan)
        result: dict[str, Any] = {"root": "0x" + plan.root.hex(), "rows": len(plan.rows), "chunks": len(plan.chunks)}
        if not approved:
            vote = self.approve_import(plan)
            result.update(votes=vote.votes, threshold=vote.threshold)
            if not vote.executed:
                return {**result, "approved": False, "applied_now": 0}
        if pending and self.chain.profile.embedded:
            for index in pending:
                self.import_chunk(plan, index)
        elif pending:
            from shanglian.pipeline import CallEncoder, Job, Pipeline, PipelineError

            assert self.sender is not None
            largest = max(pending, key=lambda i: len(plan.chunks[i]))
            try:
                gas = int(self.import_chunk_call(plan, largest).estimate_gas({"from": self.sender.address}) * 1.2)
            except Exception as exc:  # a chunk that cannot apply: say why before sending anything
                from shanglian.transactions import as_contract_error

                raise as_contract_error(exc) from None
            gas = min(gas, self.chain.profile.max_tx_gas or gas)
            encode = CallEncoder(self.contract, "importChunk")
            jobs = (
                Job(f"import:{result['root']}:{i}", self.contract.address, encode(plan.root, i, plan.chunks[i], plan.proof(i)), gas)
                for i in pending
            )
            outcome = Pipeline(self.chain, self.sender.account, journal, progress=progress).run(jobs)
            if outcome.reverted:
                raise PipelineError(outcome.reverted[0], f"{len(outcome.reverted)} chunk(s) reverted; re-run to see why")
        return {**result, "approved": True, "applied_now": len(pending),
                "applied_before": len(plan.chunks) - len(pending), "skipped": self.skipped_rows(plan)}

    def skipped_rows(self, plan: "ImportPlan") -> list[dict[str, Any]]:
        """Rows of `plan` the registry did not register because the account already had a record of
        its own, or a vetted enterprise held the credit code (see ImportRowSkipped)."""
        return [
            {"account": e["args"]["account"], "status": Status(e["args"]["status"]).name.lower(),
             "credit_code_holder": None if int(e["args"]["creditCodeHolder"], 16) == 0 else e["args"]["creditCodeHolder"]}
            for e in self._logs(["ImportRowSkipped"], "0x" + plan.root.hex())
        ]

    # -- internals ------------------------------------------------------------------------------

    def _vote(self, call: Any) -> Vote:
        receipt = self._send(call)
        voted = self.contract.events.ProposalVoted().process_receipt(receipt, errors=DISCARD)[-1]["args"]
        return Vote(
            executed=voted["votes"] >= voted["threshold"],
            votes=int(voted["votes"]),
            threshold=int(voted["threshold"]),
            proposal="0x" + bytes(voted["proposal"]).hex(),
            transaction=receipt["transactionHash"].to_0x_hex(),
            gas_used=int(receipt["gasUsed"]),
        )

    def _profiles(self, account_topics: list[str]) -> dict[str, dict[str, Any]]:
        """Name, licence hash and metadata URI per account, in registration order: from its
        application, or from the import chunk that carried it (unless the registry skipped that
        row), then any licence renewal."""
        wanted = {"0x" + t[-40:] for t in account_topics}
        applied = logs.topic(self.contract, "EnterpriseApplied")
        imported = logs.topic(self.contract, "ImportChunkApplied")
        skipped_topic = logs.topic(self.contract, "ImportRowSkipped")
        renewed = logs.topic(self.contract, "LicenceRenewed")
        found: dict[str, dict[str, Any]] = {}
        skipped: set[tuple[bytes, str]] = set()
        # Applications can be filtered by account; import chunks carry many accounts each.
        raw = sorted(
            [*self._fetch([applied, account_topics or None]),
             *self._fetch([imported]),
             *self._fetch([skipped_topic, None, account_topics or None]),
             *self._fetch([renewed, account_topics or None])],
            key=lambda log: (log["blockNumber"], log["logIndex"]),
        )
        for event in logs.decode(self.contract, raw):
            args = event["args"]
            if event["event"] == "ImportRowSkipped":
                # Emitted before the chunk's ImportChunkApplied, in the same transaction.
                skipped.add((bytes(args["importRoot"]), args["account"]))
            elif event["event"] == "ImportChunkApplied":
                root = bytes(args["importRoot"])
                for row in ImportRow.unpack(bytes(args["rows"])):
                    if (root, row.account) in skipped:
                        continue
                    if not wanted or row.account.lower() in wanted:
                        found[row.account] = {"name": row.name, "licence_hash": "0x" + row.licence_hash.hex(),
                                              "metadata_uri": ""}
            elif event["event"] == "EnterpriseApplied":
                found[args["account"]] = {"name": args["name"], "licence_hash": "0x" + bytes(args["licenceHash"]).hex(),
                                          "metadata_uri": args["metadataURI"]}
            elif args["account"] in found:
                found[args["account"]]["licence_hash"] = "0x" + bytes(args["licenceHash"]).hex()
        return found

    def _records(self, accounts: list[str]) -> list[Any]:
        """The registry's record of each account."""
        return self.read_many("enterprise", [(account,) for account in accounts])

    def read_many(self, function: str, calls: list[tuple[Any, ...]]) -> list[Any]:
        """`function(*args)` of the registry for each `args` of `calls`, as `.call()` answers it: on
        a node, many calls per request (a call a request is a round trip per row of a large import)."""
        fn = getattr(self.contract.functions, function)
        if self.chain.profile.rpc is None or not calls:  # the embedded chain
            return [fn(*args).call() for args in calls]
        import requests

        from shanglian.pipeline import CallEncoder, Rpc
        from shanglian.transactions import abi_type

        encode, rpc, session = CallEncoder(self.contract, function), Rpc(self.chain), requests.Session()
        item = next(i for i in self.contract.abi if i["type"] == "function" and i["name"] == function)
        outputs = [abi_type(o) for o in item["outputs"]]
        to = self.contract.address
        answers_of_all = []
        for start in range(0, len(calls), _CALLS_PER_REQUEST):
            group = calls[start : start + _CALLS_PER_REQUEST]
            answers = rpc.batch(session, [("eth_call", [{"to": to, "data": "0x" + encode(*a).hex()}, "latest"]) for a in group])
            for args, answer in zip(group, answers):
                if "error" in answer:
                    raise NetworkError(f"{function}{args} failed at {self.chain.profile.rpc}: {answer['error']}")
                decoded = [to_checksum_address(v) if t == "address" else v  # as web3 answers them
                           for t, v in zip(outputs, abi_decode(outputs, bytes.fromhex(answer["result"][2:])))]
                answers_of_all.append(decoded[0] if len(outputs) == 1 else tuple(decoded))
        return answers_of_all

    def _enterprise(self, account: str, record: Any, profile: dict[str, Any], now: int) -> Enterprise:
        status = Status(record[3])
        return Enterprise(
            account=account,
            name=profile.get("name", ""),
            credit_code=uscc.from_bytes18(record[0]),
            roles=int(record[1]),
            status=status,
            licence_expiry=int(record[2]),
            licence_hash=profile.get("licence_hash", ""),
            metadata_uri=profile.get("metadata_uri", ""),
            active=status == Status.ACTIVE and int(record[2]) > now,
            version=int(record[4]),
        )


# ------------------------------------------------------------------------------------------------
# Bulk import


@dataclass(frozen=True)
class ImportRow:
    account: str
    name: str
    credit_code: str
    roles: int
    licence_hash: bytes
    licence_expiry: int

    @staticmethod
    def unpack(rows: bytes) -> list["ImportRow"]:
        """The rows of an import chunk, as importChunk takes them and ImportChunkApplied carries them."""
        found = []
        offset = 0
        while offset < len(rows):
            end = offset + 80 + rows[offset + 79]
            found.append(ImportRow(
                account=to_checksum_address(rows[offset : offset + 20]),
                roles=int.from_bytes(rows[offset + 20 : offset + 24], "big"),
                licence_expiry=int.from_bytes(rows[offset + 24 : offset + 29], "big"),
                credit_code=rows[offset + 29 : offset + 47].decode("ascii"),
                licence_hash=rows[offset + 47 : offset + 79],
                name=rows[offset + 80 : end].decode("utf-8"),
            ))
            offset = end
        return found

    def packed(self) -> bytes:
        """The row as EnterpriseRegistry.importChunk reads it (see IEnterpriseRegistry)."""
        name = self.name.encode("utf-8")
        return (
            bytes.fromhex(self.account[2:])
            + self.roles.to_bytes(4, "big")
            + self.licence_expiry.to_bytes(5, "big")
            + self.credit_code.encode("ascii")
            + self.licence_hash
            + len(name).to_bytes(1, "big")
            + name
        )


# Records asked for in one JSON-RPC batch by Registry.list.
_CALLS_PER_REQUEST = 1000


def parse_import_csv(text: str, now: int) -> list[ImportRow]:
    """Rows of an import CSV (header: account,name,credit_code,roles,licence_hash,licence_expiry).

    Every row is checked before anything is sent; a bad value raises InputError naming the row and
    column, e.g. `row 7 credit_code: check character is 'X', expected '3'`. Roles within a cell are
    separated by ';' or '|'.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise InputError("csv", f"missing column(s) {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}")
    rows: list[ImportRow] = []
    accounts: set[str] = set()
    codes: set[str] = set()
    # A list has few distinct role sets and expiry dates: each is parsed once.
    masks: dict[str, int] = {}
    expiries: dict[str, int] = {}
    for number, record in enumerate(reader, start=2):  # line 1 is the header
        if None in record or any(record[c] is None for c in CSV_COLUMNS):
            raise InputError(f"row {number}", f"expected {len(header)} columns")
        try:
            account = validate.address(record["account"], "account")
            name = validate.text(record["name"].strip(), "name", MAX_NAME_BYTES)
            credit_code = uscc.validate(record["credit_code"])
            roles = record["roles"]
            if roles not in masks:
                masks[roles] = int(parse_roles(roles.replace(";", ",").replace("|", ",")))
            licence_hash = validate.document_hash(record["licence_hash"], "licence_hash")
            expiry = record["licence_expiry"]
            if expiry not in expiries:
                expiries[expiry] = validate.future_timestamp(expiry, "licence_expiry", now)
            row = ImportRow(account, name, credit_code, masks[roles], licence_hash, expiries[expiry])
        except InputError as exc:
            raise InputError(f"row {number} {exc.field}", exc.reason) from None
        if row.account in accounts:
            raise InputError(f"row {number} account", f"{row.account} appears twice")
        if row.credit_code in codes:
            raise InputError(f"row {number} credit_code", f"{row.credit_code} appears twice")
        accounts.add(row.account)
        codes.add(row.credit_code)
        rows.append(row)
    if not rows:
        raise InputError("csv", "no rows to import")
    return rows


# Gas of one importChunk, measured on Anvil (london, 200 rows of 96-byte names: 10,143,254): about
# 47.5k fixed, 46.1k per row and 24.7 per byte of packed rows (calldata, the event's copy, memory).
# The bound below rounds each up; tests/sdk/test_engines.py holds it against chunks on a node.
CHUNK_GAS_FIXED = 80_000
CHUNK_GAS_PER_ROW = 47_000
CHUNK_GAS_PER_BYTE = 28
# What a signed importChunk transaction adds to its rows: selector, root, index, two offsets, the
# rows' length and padding, a Merkle proof of up to 24 levels, and the RLP envelope with signature.
CHUNK_TX_OVERHEAD = 2_048


def chunk_gas_bound(rows: int, size: int) -> int:
    """An upper bound on the gas of an importChunk of `rows` rows packing to `size` bytes."""
    return CHUNK_GAS_FIXED + rows * CHUNK_GAS_PER_ROW + size * CHUNK_GAS_PER_BYTE


class ImportPlan:
    """An import split into chunks, with the Merkle root the admins approve.

    A chunk holds at most `chunk_rows` rows, and fewer where a transaction of its size
    (`max_tx_bytes`) or gas (`max_tx_gas`) would exceed what the chain's nodes accept.

    Each leaf is `keccak256(keccak256(abi.encodePacked(uint256 chunk, bytes rows)))`, the same
    double hashing as OpenZeppelin's standard tree, so a chunk can be proved but never confused
    with an inner node.
    """

    def __init__(self, rows: Iterable[ImportRow], chunk_rows: int = IMPORT_CHUNK_ROWS,
                 max_tx_bytes: int | None = None, max_tx_gas: int | None = None):
        self.rows = list(rows)
        self.chunks = list(_chunks([row.packed() for row in self.rows], chunk_rows, max_tx_bytes, max_tx_gas))
        self._leaves = [keccak(keccak(i.to_bytes(32, "big") + chunk)) for i, chunk in enumerate(self.chunks)]
        self._tree = merkle.HashTree(self._leaves)
        self.root = self._tree.root

    def rows_in(self, index: int) -> int:
        return len(ImportRow.unpack(self.chunks[index]))

    def check_fits(self, max_tx_bytes: int | None, max_tx_gas: int | None) -> None:
        """Raises InputError naming chunk_rows if a chunk would not fit the chain's limits (a plan
        made without them, e.g. by an older release or another profile)."""
        for index, chunk in enumerate(self.chunks):
            size, gas = len(chunk) + CHUNK_TX_OVERHEAD, chunk_gas_bound(self.rows_in(index), len(chunk))
            if (max_tx_bytes and size > max_tx_bytes) or (max_tx_gas and gas > max_tx_gas):
                raise InputError("chunk_rows", f"chunk {index} ({self.rows_in(index)} rows, {size} bytes, up to {gas} gas) "
                                 f"exceeds what this network accepts in one transaction ({max_tx_bytes or '-'} bytes, "
                                 f"{max_tx_gas or '-'} gas); plan the import with the network's profile")

    def proof(self, index: int) -> list[bytes]:
        return self._tree.proof(self._leaves[index])

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)


def _chunks(packed: list[bytes], chunk_rows: int, max_tx_bytes: int | None, max_tx_gas: int | None) -> Iterator[bytes]:
    """Consecutive packed rows joined into chunks within the row, size and gas limits."""
    chunk: list[bytes] = []
    size = 0
    for number, row in enumerate(packed):
        grown = size + len(row)
        too_big = max_tx_bytes is not None and grown + CHUNK_TX_OVERHEAD > max_tx_bytes
        too_heavy = max_tx_gas is not None and chunk_gas_bound(len(chunk) + 1, grown) > max_tx_gas
        if chunk and (len(chunk) == chunk_rows or too_big or too_heavy):
            yield b"".join(chunk)
            chunk, size, grown = [], 0, len(row)
            too_big = max_tx_bytes is not None and grown + CHUNK_TX_OVERHEAD > max_tx_bytes
            too_heavy = max_tx_gas is not None and chunk_gas_bound(1, grown) > max_tx_gas
        if too_big or too_heavy:
            raise InputError(f"row {number + 2}", "one row alone exceeds the network's transaction limits")
        chunk.append(row)
        size = grown
    if chunk:
        yield b"".join(chunk)
