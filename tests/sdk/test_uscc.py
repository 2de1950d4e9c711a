import pytest

from shanglian import uscc
from shanglian.errors import InputError

# Published codes of real enterprises (from their business licences).
REAL = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_validate(code):
    assert uscc.validate(code) == code


def test_lower_case_and_spaces_are_normalised():
    assert uscc.validate(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(InputError) as err:
        uscc.validate("91350100M000100Y44")
    assert err.value.field == "credit_code"
    assert "expected '3'" in str(err.value)


@pytest.mark.parametrize("code, reason", [
    ("9135010", "18 characters"),
    ("91350100M000100I43", "'I' at position 16"),
    ("913501X0M000100Y43", "administrative division"),
    (uscc.with_check_character("00000000000000000"), "character 1 ('0') is no registration authority"),
    (uscc.with_check_character("B1350100M000100Y4"), "character 1 ('B') is no registration authority"),
    (uscc.with_check_character("94350100M000100Y4"), "character 2 ('4') is no organisation type that authority 9"),
    (uscc.with_check_character("51350100M000100Y4"[:1] + "4" + "350100M000100Y4"), "authority 5 (民政)"),
    (uscc.with_check_character("91000000M000100Y4"), "characters 3-8 (000000) are no GB/T 2260"),
    (uscc.with_check_character("91341399M000100Y4"), "characters 3-8 (341399) are no GB/T 2260"),
])
def test_malformed_codes_are_refused(code, reason):
    with pytest.raises(InputError) as err:
        uscc.validate(code)
    assert reason in str(err.value)


def test_the_zero_code_with_its_check_character_is_refused():
    assert uscc.check_character("00000000000000000") == "0"
    with pytest.raises(InputError):
        uscc.validate("000000000000000000")


@pytest.mark.parametrize("code", [
    uscc.with_check_character("93341321MA2N7Q8K0"),  # a farmers' cooperative, county level
    uscc.with_check_character("51340000MJB123456"),  # a social organisation, province level
    uscc.with_check_character("11340000MB1953297"),  # an office of government
    uscc.with_check_character("N2341321MF0000001"),  # a village collective
    uscc.with_check_character("91110108MA0000001"),  # a company in a Beijing district
])
def test_each_authority_type_and_division_level_validates(code):
    assert uscc.validate(code) == code


def test_with_check_character_completes_a_body():
    assert uscc.with_check_character("91350100M000100Y4") == "91350100M000100Y43"


def test_field_name_is_configurable():
    with pytest.raises(InputError) as err:
        uscc.validate("x", field="row 3 credit_code")
    assert err.value.field == "row 3 credit_code"
