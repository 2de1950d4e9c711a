"""The registry through the SDK on the embedded chain: inputs are checked before sending, reverts
arrive as named errors, lookups join storage and events, bulk import resumes."""

import datetime as dt

import pytest

from shanglian import uscc
from shanglian.errors import ContractError, InputError
from shanglian.registry import ImportPlan, parse_import_csv
from shanglian.roles import Role, Status

from conftest import sender

CODE = uscc.with_check_character("91341321MA2N0X2Y3")
LATER = (dt.date.today() + dt.timedelta(days=400)).isoformat()


def apply(registry_as, index=5, code=CODE, roles="producer"):
    registry_as(index).apply("砀山梨合作社", code, roles, "licence-1", LATER)


def test_applicant_becomes_active_on_the_second_vote(registry_as, chain):
    apply(registry_as)
    account = sender(chain, 5).address
    first = registry_as(0).approve(account)
    second = registry_as(1).approve(account)
    assert (first.executed, first.votes, second.executed, second.votes) == (False, 1, True, 2)
    shown = registry_as(None).show(account)
    assert shown.status == Status.ACTIVE and shown.active
    assert shown.name == "砀山梨合作社" and shown.credit_code == CODE
    assert shown.role_names == ["producer"]


def test_stranger_vote_is_a_named_error(registry_as, chain):
    apply(registry_as)
    with pytest.raises(ContractError) as err:
        registry_as(7).approve(sender(chain, 5).address)
    assert err.value.name == "RegistryNotAdmin"
    assert err.value.args_by_name == {"caller": sender(chain, 7).address}
    assert "not a consortium admin" in str(err.value)


def test_duplicate_credit_code_is_refused_with_its_holder(registry_as, chain):
    apply(registry_as, 5)
    for admin in (0, 1):
        registry_as(admin).approve(sender(chain, 5).address)
    with pytest.raises(ContractError) as err:
        apply(registry_as, 6)
    assert err.value.name == "RegistryCreditCodeTaken"
    assert err.value.args_by_name["holder"] == sender(chain, 5).address


def test_bad_credit_code_is_refused_before_sending(registry_as, chain):
    nonce = chain.w3.eth.get_transaction_count(sender(chain, 5).address)
    with pytest.raises(InputError) as err:
        apply(registry_as, code=CODE[:-1] + ("0" if CODE[-1] != "0" else "1"))
    assert err.value.field == "credit_code"
    assert chain.w3.eth.get_transaction_count(sender(chain, 5).address) == nonce


@pytest.mark.parametrize("field, kwargs", [
    ("name", {"name": ""}),
    ("name", {"name": "梨" * 40}),
    ("roles", {"roles": "farmer"}),
    ("licence_expiry", {"licence_expiry": "2001-01-01"}),
    ("licence_expiry", {"licence_expiry": "31/12/2030"}),
])
def test_bad_application_fields_are_named(registry_as, field, kwargs):
    values = {"name": "合作社", "credit_code": CODE, "roles": "producer", "licence_hash": "l", "licence_expiry": LATER}
    values.update(kwargs)
    with pytest.raises(InputError) as err:
        registry_as(5).apply(**values)
    assert err.value.field == field


def test_list_shows_every_applicant_in_order(registry_as):
    apply(registry_as, 5)
    apply(registry_as, 6, code=uscc.with_check_character("91330000MA28F3K2X"), roles="core_enterprise")
    names = [(e.credit_code, e.status) for e in registry_as(None).list()]
    assert names == [(CODE, Status.APPLIED), (uscc.with_check_character("91330000MA28F3K2X"), Status.APPLIED)]


def test_approve_defaults_to_the_roles_applied_for(registry_as, chain):
    apply(registry_as, roles="retailer,logistics")
    account = sender(chain, 5).address
    registry_as(0).approve(account)
    registry_as(1).approve(account)
    assert registry_as(None).show(account).roles == Role.RETAILER | Role.LOGISTICS


def _csv(rows):
    lines = ["account,name,credit_code,roles,licence_hash,licence_expiry"]
    lines += [f"{a},{n},{c},{r},lic-{i},{LATER}" for i, (a, n, c, r) in enumerate(rows)]
    return "\n".join(lines) + "\n"


def _rows(count, start=100):
    from shanglian import devkeys
    from eth_account import Account

    rows = []
    for i in range(start, start + count):
        body = f"91330100MA{i:07d}"
        rows.append((Account.from_key(devkeys.key(i)).address, f"企业{i}", uscc.with_check_character(body), "supplier;financier"))
    return rows


def test_bulk_import_resumes_without_duplicates(registry_as, chain):
    now = chain.w3.eth.get_block("latest")["timestamp"]
    plan = ImportPlan(parse_import_csv(_csv(_rows(9)), now), chunk_rows=2)
    assert len(plan.chunks) == 5
    admin0, admin1 = registry_as(0), registry_as(1)
    assert not admin0.approve_import(plan).executed
    assert admin1.approve_import(plan).executed
    admin0.import_chunk(plan, 3)
    admin0.import_chunk(plan, 0)  # interrupted here; a re-run applies only what is missing
    approved, pending = admin0.import_state(plan)
    assert (approved, pending) == (5, [1, 2, 4])
    for index in pending:
        admin1.import_chunk(plan, index)
    assert admin0.import_state(plan)[1] == []
    listed = admin0.list()
    assert len(listed) == 9 and all(e.active and e.name.startswith("企业") for e in listed)
    with pytest.raises(ContractError) as err:
        admin0.import_chunk(plan, 2)
    assert err.value.name == "RegistryImportChunkApplied"


@pytest.mark.parametrize("text, field", [
    ("account,name\n", "csv"),
    ("account,name,credit_code,roles,licence_hash,licence_expiry\n", "csv"),
    ("account,name,credit_code,roles,licence_hash,licence_expiry\n0x12,a,b,c,d,e\n", "row 2 account"),
    (f"account,name,credit_code,roles,licence_hash,licence_expiry\n0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266,a,{CODE[:-1]}Z,producer,h,{LATER}\n", "row 2 credit_code"),
    (f"account,name,credit_code,roles,licence_hash,licence_expiry\n0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266,a,{CODE},producer,h\n", "row 2"),
    (f"account,name,credit_code,roles,licence_hash,licence_expiry\n0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266,a,{CODE},cook,h,{LATER}\n", "row 2 roles"),
])
def test_malformed_import_csv_names_row_and_column(text, field):
    with pytest.raises(InputError) as err:
        parse_import_csv(text, now=0)
    assert err.value.field == field


def test_duplicate_rows_in_one_csv_are_refused():
    rows = _rows(2)
    rows[1] = (rows[1][0], "x", rows[0][2], "supplier")
    with pytest.raises(InputError) as err:
        parse_import_csv(_csv(rows), now=0)
    assert err.value.field == "row 3 credit_code"


def test_operator_acts_only_after_it_accepts(registry_as, chain):
    apply(registry_as)
    enterprise, operator = sender(chain, 5).address, sender(chain, 6).address
    for admin in (0, 1):
        registry_as(admin).approve(enterprise)
    registry_as(5).add_operator(operator)
    assert registry_as(None).operator_offered(enterprise, operator)
    assert registry_as(None).acting_for(operator) is None
    registry_as(6).accept_operator(enterprise)
    assert registry_as(None).acting_for(operator) == enterprise
    registry_as(6).resign_operator()
    assert registry_as(None).acting_for(operator) is None


def test_prefix_is_assigned_by_the_threshold_and_found_from_a_gtin(registry_as, chain):
    apply(registry_as)
    account = sender(chain, 5).address
    for admin in (0, 1):
        registry_as(admin).approve(account)
    first = registry_as(0).assign_prefix(account, "6901234")
    second = registry_as(1).assign_prefix(account, "6901234")
    assert (first.executed, second.executed) == (False, True)
    holder, prefix = registry_as(None).prefix_of("06901234567892")
    assert (holder, str(prefix)) == (account, "6901234")
    assert registry_as(None).prefixes() == {"6901234": account}


@pytest.mark.parametrize("prefix", ["690", "6901234567890", "69O1234", ""])
def test_malformed_prefix_is_refused_before_sending(registry_as, chain, prefix):
    with pytest.raises(InputError) as err:
        registry_as(0).assign_prefix(sender(chain, 5).address, prefix)
    assert err.value.field == "prefix"

