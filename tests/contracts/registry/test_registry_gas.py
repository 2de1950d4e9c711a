"""EnterpriseRegistry gas: printed for applyToJoin and approve, and checked against the project
target for bulk onboarding (DESIGN §4: ≤ 50k gas per enterprise in bulk). Nothing here is timed."""

import pytest
from brownie import chain
from eth_utils import keccak, to_checksum_address

from shanglian.registry import ImportPlan, ImportRow
from shanglian.roles import Role

YEAR = 365 * 24 * 3600
IMPORT_TARGET_PER_ENTERPRISE = 50_000
CHUNK_ROWS = 200


@pytest.fixture
def report(capsys):
    def _report(line):
        with capsys.disabled():
            print(f"\n  gas: {line}", end="")

    return _report


def test_gas_of_an_application_and_its_approval(registry, admins, new_account, credit_code, report):
    applicant = new_account("gas applicant")
    roles = int(Role.PRODUCER | Role.RETAILER)
    applied = registry.applyToJoin(
        "湖南省砀山梨业专业合作社",
        credit_code(1),
        roles,
        b"\x01" * 32,
        chain.time() + YEAR,
        "ipfs://bafy",
        {"from": applicant},
    )
    first = registry.approve(applicant, roles, {"from": admins[0]})
    executing = registry.approve(applicant, roles, {"from": admins[1]})
    assert "EnterpriseApproved" in executing.events
    report(
        f"applyToJoin {applied.gas_used:,}; "
        f"approve first vote {first.gas_used:,}, executing vote {executing.gas_used:,}"
    )


def test_bulk_import_stays_within_the_per_enterprise_target(registry, credit_code, govern, admins, report):
    expiry = chain.time() + 5 * YEAR
    rows = [
        ImportRow(
            to_checksum_address(keccak(text=f"gas import {n}")[12:]),
            f"湖南省第{n:03d}农业科技有限公司",  # 39 bytes of UTF-8, a typical enterprise name
            credit_code(1000 + n).decode(),
            int(Role.SUPPLIER),
            keccak(text=f"licence {n}"),
            expiry,
        )
        for n in range(CHUNK_ROWS)
    ]
    plan = ImportPlan(rows, chunk_rows=CHUNK_ROWS)
    govern("approveImport", plan.root, 1)
    tx = registry.importChunk(plan.root, 0, plan.chunks[0], plan.proof(0), {"from": admins[0]})
    assert len(ImportRow.unpack(bytes(tx.events["ImportChunkApplied"]["rows"]))) == CHUNK_ROWS
    assert all(registry.isActive(row.account) for row in rows)
    per_enterprise = tx.gas_used / CHUNK_ROWS
    report(
        f"importChunk of {CHUNK_ROWS} rows {tx.gas_used:,} = {per_enterprise:,.0f} per enterprise "
        f"(target {IMPORT_TARGET_PER_ENTERPRISE:,})"
    )
    assert per_enterprise <= IMPORT_TARGET_PER_ENTERPRISE, (
        f"{per_enterprise:,.0f} gas per enterprise is {per_enterprise - IMPORT_TARGET_PER_ENTERPRISE:,.0f} "
        f"above the target of {IMPORT_TARGET_PER_ENTERPRISE:,}"
    )
