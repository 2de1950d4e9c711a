"""EnterpriseRegistry bulk import: admins approve a Merkle root over packed chunks of rows (built by
shanglian.registry.ImportPlan) to threshold; then any admin applies the chunks, in any order, each
exactly once, each proven against the root; a chunk with a malformed row reverts as a whole (its
content was fixed by the approval), a row that conflicts with what happened since is skipped, so an
interrupted import resumes by applying the chunks that are not applied yet and always completes."""

from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from brownie import ZERO_ADDRESS, chain, history
from brownie.exceptions import VirtualMachineError
from eth_utils import keccak, to_checksum_address

from shanglian.registry import ImportPlan, ImportRow
from shanglian.roles import Role, Status

YEAR = 365 * 24 * 3600
SUPPLIER = int(Role.SUPPLIER)
LICENCE = b"\x66" * 32


def address_of(label):
    return to_checksum_address(keccak(text=f"import row {label}")[12:])


@pytest.fixture(scope="module")
def make_rows(credit_code):
    """`make_rows(first, count, **overrides)`: rows n = first..first+count-1, whose account, credit
    code and name derive from n; a keyword replaces that field in every row."""
    expiry = chain.time() + 5 * YEAR

    def _make_rows(first, count, **overrides):
        return [
            ImportRow(
                **{
                    "account": address_of(n),
                    "name": f"湘企{n}号",
                    "credit_code": credit_code(n).decode(),
                    "roles": SUPPLIER,
                    "licence_hash": LICENCE,
                    "licence_expiry": expiry,
                    **overrides,
                }
            )
            for n in range(first, first + count)
        ]

    return _make_rows


@pytest.fixture(scope="module")
def approve(govern):
    def _approve(plan):
        govern("approveImport", plan.root, len(plan.chunks))
        return plan

    return _approve


@pytest.fixture(scope="module")
def world(make_rows, approve):
    """An approved import of 7 rows in 4 chunks (2, 2, 2, 1 rows)."""
    w = SimpleNamespace(rows=make_rows(1, 7))
    w.plan = approve(ImportPlan(w.rows, chunk_rows=2))
    return w


def import_state(registry, plan, index):
    chunks, applied = registry.importState(plan.root, index)
    return int(chunks), bool(applied)


def apply_chunk(registry, admin, plan, index, rows=None, proof=None):
    rows = plan.chunks[index] if rows is None else rows
    return registry.importChunk(
        plan.root, index, rows, plan.proof(index) if proof is None else proof, {"from": admin}
    )


# ---------------------------------------------------------------- approval


def test_one_approval_vote_does_not_approve_the_import(registry, admins, make_rows):
    plan = ImportPlan(make_rows(100, 3), chunk_rows=2)
    tx = registry.approveImport(plan.root, 2, {"from": admins[0]})
    assert "ImportApproved" not in tx.events
    assert import_state(registry, plan, 0) == (0, False)


def test_threshold_approval_emits_import_approved(make_rows, govern):
    plan = ImportPlan(make_rows(100, 3), chunk_rows=2)
    tx = govern("approveImport", plan.root, 2)
    assert dict(tx.events["ImportApproved"]) == {"importRoot": "0x" + plan.root.hex(), "chunks": 2}


def test_approved_import_records_its_chunk_count(registry, world):
    assert import_state(registry, world.plan, 3) == (4, False)


def test_approving_an_approved_root_again_is_refused(registry, admins, world, reverts_with):
    with reverts_with("RegistryImportAlreadyApproved", world.plan.root):
        registry.approveImport(world.plan.root, 4, {"from": admins[2]})


def test_approving_zero_chunks_is_refused(registry, admins, reverts_with):
    with reverts_with("RegistryImportEmpty", b"\x77" * 32):
        registry.approveImport(b"\x77" * 32, 0, {"from": admins[0]})


def test_chunk_of_an_unapproved_import_is_refused(registry, admins, make_rows, reverts_with):
    plan = ImportPlan(make_rows(100, 3), chunk_rows=2)
    registry.approveImport(plan.root, 2, {"from": admins[0]})  # one vote: not approved
    with reverts_with("RegistryImportNotApproved", plan.root):
        apply_chunk(registry, admins[0], plan, 0)


def test_chunk_beyond_the_approved_count_is_refused(registry, admins, world, reverts_with):
    with reverts_with("RegistryImportNotApproved", world.plan.root):
        registry.importChunk(
            world.plan.root, 4, world.plan.chunks[3], world.plan.proof(3), {"from": admins[0]}
        )


# ---------------------------------------------------------------- applying chunks


def test_chunk_event_carries_its_packed_rows(registry, admins, world):
    tx = apply_chunk(registry, admins[1], world.plan, 1)
    assert dict(tx.events["ImportChunkApplied"]) == {
        "importRoot": "0x" + world.plan.root.hex(),
        "chunk": 1,
        "rows": "0x" + world.plan.chunks[1].hex(),
    }
    assert ImportRow.unpack(world.plan.chunks[1]) == world.rows[2:4]


def test_chunk_applied_by_an_admin_contract_carries_its_rows_in_its_event(
    registry, admins, world, govern, CallForwarder
):
    # A multisig admin's transaction input is its own call, not importChunk's: the rows an indexer
    # reads (with eth_getLogs alone, no call trace) are the event's.
    forwarder = CallForwarder.deploy({"from": admins[0]})
    govern("addAdmin", forwarder.address)
    data = registry.importChunk.encode_input(world.plan.root, 2, world.plan.chunks[2], world.plan.proof(2))
    tx = forwarder.forward(registry.address, data, {"from": admins[0]})
    assert tx.events["ImportChunkApplied"]["rows"] == "0x" + world.plan.chunks[2].hex()
    assert ImportRow.unpack(bytes(tx.events["ImportChunkApplied"]["rows"])) == world.rows[4:6]


def test_imported_rows_are_active_enterprises(registry, admins, world, record):
    apply_chunk(registry, admins[0], world.plan, 0)
    row = world.rows[1]
    assert record(row.account) == (row.credit_code.encode(), SUPPLIER, row.licence_expiry, Status.ACTIVE, 1)
    assert registry.actingFor(row.account, SUPPLIER) == row.account
    assert registry.accountOfCreditCode(row.credit_code.encode()) == row.account


def test_applied_chunk_is_marked_applied(registry, admins, world):
    apply_chunk(registry, admins[0], world.plan, 2)
    assert [import_state(registry, world.plan, i)[1] for i in range(4)] == [False, False, True, False]


def test_chunks_apply_in_any_order(registry, admins, world):
    for index in (3, 1, 0, 2):
        apply_chunk(registry, admins[index % 3], world.plan, index)
    assert all(registry.isActive(row.account) for row in world.rows)


def test_chunk_cannot_be_applied_twice(registry, admins, world, reverts_with):
    apply_chunk(registry, admins[0], world.plan, 1)
    with reverts_with("RegistryImportChunkApplied", world.plan.root, 1):
        apply_chunk(registry, admins[1], world.plan, 1)


def test_chunks_256_apart_are_applied_apart(registry, admins, make_rows, approve):
    """The applied chunks are bits of words of 256: chunk 256 is the first bit of the second word,
    so applying chunk 0 neither marks nor blocks it."""
    plan = approve(ImportPlan(make_rows(1000, 257), chunk_rows=1))
    apply_chunk(registry, admins[0], plan, 0)
    assert (import_state(registry, plan, 0), import_state(registry, plan, 256)) == ((257, True), (257, False))
    apply_chunk(registry, admins[0], plan, 256)
    assert import_state(registry, plan, 256) == (257, True)


def test_tampered_chunk_fails_the_proof(registry, admins, world, reverts_with):
    tampered = bytearray(world.plan.chunks[0])
    tampered[20:24] = int(Role.REGULATOR).to_bytes(4, "big")  # the first row's roles: supplier -> regulator
    with reverts_with("RegistryImportInvalidProof", world.plan.root, 0):
        apply_chunk(registry, admins[0], world.plan, 0, rows=bytes(tampered))


def test_chunk_under_another_index_fails_the_proof(registry, admins, world, reverts_with):
    with reverts_with("RegistryImportInvalidProof", world.plan.root, 1):
        apply_chunk(registry, admins[0], world.plan, 1, rows=world.plan.chunks[0], proof=world.plan.proof(0))


def test_chunk_with_an_empty_proof_fails(registry, admins, world, reverts_with):
    with reverts_with("RegistryImportInvalidProof", world.plan.root, 0):
        apply_chunk(registry, admins[0], world.plan, 0, proof=[])


# ---------------------------------------------------------------- rows that conflict are skipped
#
# Nothing anybody does after the admins approved an import may make it fail: an account that gained a
# record of its own, or a credit code a vetted enterprise took, is reported and skipped.


def skipped(tx):
    return [dict(e) for e in tx.events["ImportRowSkipped"]] if "ImportRowSkipped" in tx.events else []


def test_row_with_an_existing_enterprise_is_skipped(registry, admins, onboard, new_account, make_rows, approve, record):
    existing = onboard(new_account("import existing"), "supplier")
    before = record(existing)
    plan = approve(ImportPlan(make_rows(200, 1) + make_rows(201, 1, account=existing.address)))
    tx = apply_chunk(registry, admins[0], plan, 0)
    assert skipped(tx) == [
        {"importRoot": "0x" + plan.root.hex(), "account": existing, "status": Status.ACTIVE, "creditCodeHolder": ZERO_ADDRESS}
    ]
    assert record(existing) == before
    assert registry.isActive(plan.rows[0].account)
    assert registry.accountOfCreditCode(plan.rows[1].credit_code.encode()) == ZERO_ADDRESS


def test_row_of_an_applicant_supersedes_its_application(
    registry, admins, new_account, credit_code, make_rows, approve, record
):
    applicant = new_account("import applicant")
    registry.applyToJoin(
        "applicant", credit_code(300), SUPPLIER, LICENCE, chain.time() + YEAR, "", {"from": applicant}
    )
    plan = approve(ImportPlan(make_rows(200, 1, account=applicant.address)))
    tx = apply_chunk(registry, admins[0], plan, 0)
    assert skipped(tx) == []
    assert record(applicant).credit_code == plan.rows[0].credit_code.encode()
    assert record(applicant).status == Status.ACTIVE
    assert registry.accountOfCreditCode(plan.rows[0].credit_code.encode()) == applicant
    assert registry.accountOfCreditCode(credit_code(300)) == ZERO_ADDRESS


def test_row_of_a_rejected_applicant_makes_it_an_enterprise_keeping_its_history(
    registry, admins, new_account, credit_code, make_rows, approve, govern, record
):
    applicant = new_account("import rejected applicant")
    registry.applyToJoin(
        "rejected", credit_code(301), SUPPLIER, LICENCE, chain.time() + YEAR, "", {"from": applicant}
    )
    govern("reject", applicant)  # version 1 applied, 2 rejected
    plan = approve(ImportPlan(make_rows(200, 1, account=applicant.address)))
    tx = apply_chunk(registry, admins[0], plan, 0)
    assert skipped(tx) == []
    row = plan.rows[0]
    assert record(applicant) == (row.credit_code.encode(), SUPPLIER, row.licence_expiry, Status.ACTIVE, 3)


def test_an_application_with_an_imported_credit_code_cannot_block_the_import(
    registry, admins, new_account, make_rows, approve, govern, reverts_with
):
    """The review's finding, by credit code: a front-runner applies with a code the admins already
    approved for import. An application claims nothing, so the import completes, and the
    front-runner's approval is then refused."""
    plan = approve(ImportPlan(make_rows(200, 2)))
    squatter = new_account("import squatter")
    code = plan.rows[1].credit_code.encode()
    registry.applyToJoin("squatter", code, SUPPLIER, LICENCE, chain.time() + YEAR, "", {"from": squatter})
    tx = apply_chunk(registry, admins[0], plan, 0)
    assert skipped(tx) == []
    assert registry.accountOfCreditCode(code) == plan.rows[1].account
    registry.approve(squatter, SUPPLIER, {"from": admins[0]})
    with reverts_with("RegistryCreditCodeTaken", code, plan.rows[1].account):
        registry.approve(squatter, SUPPLIER, {"from": admins[1]})


def test_row_with_a_credit_code_a_vetted_enterprise_holds_is_skipped(registry, admins, make_rows, approve, world):
    apply_chunk(registry, admins[0], world.plan, 0)
    taken = world.rows[0].credit_code
    plan = approve(ImportPlan(make_rows(200, 1) + make_rows(201, 1, credit_code=taken)))
    tx = apply_chunk(registry, admins[0], plan, 0)
    assert skipped(tx) == [{"importRoot": "0x" + plan.root.hex(), "account": plan.rows[1].account,
                            "status": Status.NONE, "creditCodeHolder": world.rows[0].account}]
    assert registry.enterprise(plan.rows[1].account)[3] == Status.NONE
    assert registry.isActive(plan.rows[0].account)


def test_row_with_an_account_already_imported_is_skipped(registry, admins, make_rows, approve, world, record):
    apply_chunk(registry, admins[0], world.plan, 0)
    before = record(world.rows[0].account)
    plan = approve(ImportPlan(make_rows(200, 1, account=world.rows[0].account)))
    tx = apply_chunk(registry, admins[0], plan, 0)
    assert [e["account"] for e in skipped(tx)] == [world.rows[0].account]
    assert record(world.rows[0].account) == before


def test_duplicate_credit_code_within_a_chunk_keeps_the_first_row(registry, admins, make_rows, approve):
    rows = make_rows(200, 1) + make_rows(201, 1, credit_code=make_rows(200, 1)[0].credit_code)
    plan = approve(ImportPlan(rows))
    tx = apply_chunk(registry, admins[0], plan, 0)
    assert [(e["account"], e["creditCodeHolder"]) for e in skipped(tx)] == [(rows[1].account, rows[0].account)]


def test_row_of_an_operator_is_skipped_and_the_rest_imported(
    registry, admins, onboard, new_account, make_rows, approve, bind_operator
):
    enterprise = onboard(new_account("import operator's enterprise"), "producer")
    operator = new_account("import operator")
    bind_operator(enterprise, operator)
    plan = approve(ImportPlan(make_rows(200, 1) + make_rows(201, 1, account=operator.address)))
    tx = apply_chunk(registry, admins[0], plan, 0)
    assert [(e["account"], e["status"]) for e in skipped(tx)] == [(operator, Status.OPERATOR)]
    assert registry.operatorOf(operator) == enterprise
    assert registry.isActive(plan.rows[0].account)


def test_an_offer_to_an_imported_account_cannot_block_the_import(
    registry, admins, onboard, new_account, make_rows, approve, record
):
    """The review's finding: an offer alone used to bind the account, so a front-runner could make
    an approved import unfinishable. Now only the account's own acceptance binds it."""
    plan = approve(ImportPlan(make_rows(200, 1)))
    front_runner = onboard(new_account("import front-runner"), "producer")
    registry.addOperator(plan.rows[0].account, {"from": front_runner})
    tx = apply_chunk(registry, admins[0], plan, 0)
    assert skipped(tx) == []
    assert record(plan.rows[0].account).status == Status.ACTIVE


def test_licence_expired_since_approval_does_not_block_the_import(registry, admins, make_rows, approve, record):
    plan = approve(ImportPlan(make_rows(200, 1, licence_expiry=chain.time() + 100)))
    chain.sleep(200)
    apply_chunk(registry, admins[0], plan, 0)
    row = plan.rows[0]
    assert record(row.account).status == Status.ACTIVE
    assert not registry.isActive(row.account)  # inactive until a renewed licence is approved


def test_row_without_roles_reverts_the_chunk(registry, admins, make_rows, approve, reverts_with):
    plan = approve(ImportPlan(make_rows(200, 1, roles=0)))
    with reverts_with("RegistryInvalidRoles", 0):
        apply_chunk(registry, admins[0], plan, 0)


def test_failed_chunk_leaves_no_row_behind(registry, admins, make_rows, approve, record, reverts_with):
    rows = make_rows(200, 1) + make_rows(201, 1, roles=0)
    plan = approve(ImportPlan(rows))
    with reverts_with("RegistryInvalidRoles", 0):
        apply_chunk(registry, admins[0], plan, 0)
    assert record(rows[0].account).status == Status.NONE
    assert registry.accountOfCreditCode(rows[0].credit_code.encode()) == ZERO_ADDRESS
    assert import_state(registry, plan, 0) == (1, False)


def test_row_for_the_zero_address_reverts_the_chunk(registry, admins, make_rows, approve, reverts_with):
    plan = approve(ImportPlan(make_rows(200, 1, account=ZERO_ADDRESS)))
    with reverts_with("RegistryZeroAddress"):
        apply_chunk(registry, admins[0], plan, 0)


def test_row_with_an_empty_name_is_malformed(registry, admins, make_rows, approve, reverts_with):
    rows = make_rows(200, 1) + make_rows(201, 1, name="")
    plan = approve(ImportPlan(rows))
    with reverts_with("RegistryImportMalformedRow", len(rows[0].packed())):
        apply_chunk(registry, admins[0], plan, 0)


def test_row_with_a_name_of_96_bytes_is_imported(registry, admins, make_rows, approve):
    plan = approve(ImportPlan(make_rows(200, 1, name="湘" * 32)))  # 3 bytes each
    apply_chunk(registry, admins[0], plan, 0)
    assert registry.isActive(plan.rows[0].account)


def test_row_with_a_name_over_96_bytes_is_malformed(registry, admins, make_rows, approve, reverts_with):
    rows = make_rows(200, 1) + make_rows(201, 1, name="湘" * 33)
    plan = approve(ImportPlan(rows))
    with reverts_with("RegistryImportMalformedRow", len(rows[0].packed())):
        apply_chunk(registry, admins[0], plan, 0)


def test_row_with_a_zero_credit_code_reverts_the_chunk(registry, admins, make_rows, approve, reverts_with):
    plan = approve(ImportPlan(make_rows(200, 1, credit_code="\0" * 18)))
    with reverts_with("RegistryInvalidCreditCode", b"\0" * 18):
        apply_chunk(registry, admins[0], plan, 0)


@dataclass(frozen=True)
class CutRow(ImportRow):
    """A row whose packed form is cut short by `cut` bytes."""

    cut: int = 1

    def packed(self):
        return super().packed()[: -self.cut]


def test_row_shorter_than_its_name_length_is_malformed(registry, admins, make_rows, approve, reverts_with):
    rows = make_rows(200, 1) + [CutRow(**vars(make_rows(201, 1)[0]), cut=1)]
    plan = approve(ImportPlan(rows))
    with reverts_with("RegistryImportMalformedRow", len(rows[0].packed())):
        apply_chunk(registry, admins[0], plan, 0)


def test_row_shorter_than_a_header_is_malformed(registry, admins, make_rows, approve, reverts_with):
    rows = make_rows(200, 1) + [CutRow(**vars(make_rows(201, 1)[0]), cut=40)]
    plan = approve(ImportPlan(rows))
    with reverts_with("RegistryImportMalformedRow", len(rows[0].packed())):
        apply_chunk(registry, admins[0], plan, 0)


# ---------------------------------------------------------------- after the import


def test_imported_credit_code_blocks_an_application(registry, admins, world, new_account, reverts_with):
    apply_chunk(registry, admins[0], world.plan, 0)
    row = world.rows[0]
    with reverts_with("RegistryCreditCodeTaken", row.credit_code.encode(), row.account):
        registry.applyToJoin(
            "copy",
            row.credit_code.encode(),
            SUPPLIER,
            LICENCE,
            chain.time() + YEAR,
            "",
            {"from": new_account("import copycat")},
        )


def test_imported_account_cannot_become_an_operator(
    registry, admins, world, onboard, new_account, reverts_with
):
    apply_chunk(registry, admins[0], world.plan, 0)
    enterprise = onboard(new_account("import recruiter"), "producer")
    with reverts_with("RegistryOperatorTaken", world.rows[0].account, world.rows[0].account):
        registry.addOperator(world.rows[0].account, {"from": enterprise})


# ---------------------------------------------------------------- resuming an interrupted import


def pending_chunks(registry, plan):
    """What a resuming importer asks the chain: the chunks not applied yet."""
    return [i for i in range(len(plan.chunks)) if not import_state(registry, plan, i)[1]]


def test_resumed_import_registers_every_row_exactly_once(registry, admins, world):
    imported = Counter()

    def accounts_in(tx):
        return [row.account for row in ImportRow.unpack(bytes(tx.events["ImportChunkApplied"]["rows"]))]

    for index in (1, 3):  # the first run stops after two chunks
        imported.update(accounts_in(apply_chunk(registry, admins[0], world.plan, index)))
    for index in pending_chunks(registry, world.plan):  # the second run applies what is left
        imported.update(accounts_in(apply_chunk(registry, admins[1], world.plan, index)))
    assert imported == Counter(row.account for row in world.rows)
    assert all(registry.isActive(row.account) for row in world.rows)
    assert pending_chunks(registry, world.plan) == []


def test_chunk_that_ran_out_of_gas_is_applied_by_the_resumed_import(registry, admins, world, record):
    args = (world.plan.root, 0, world.plan.chunks[0], world.plan.proof(0))
    short = registry.importChunk.estimate_gas(*args, {"from": admins[0]}) - 25_000  # dies in its last row
    with pytest.raises(VirtualMachineError):
        registry.importChunk(*args, {"from": admins[0], "gas_limit": short})
    assert (history[-1].status, history[-1].gas_used) == (0, short)
    assert record(world.rows[0].account).status == Status.NONE
    for index in pending_chunks(registry, world.plan):
        apply_chunk(registry, admins[0], world.plan, index)
    assert all(record(row.account)[-2:] == (Status.ACTIVE, 1) for row in world.rows)
    assert pending_chunks(registry, world.plan) == []
