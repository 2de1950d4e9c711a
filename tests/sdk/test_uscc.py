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
])
def test_malformed_codes_are_refused(code, reason):
    with pytest.raises(InputError, match=reason):
        uscc.validate(code)


def test_with_check_character_completes_a_body():
    assert uscc.with_check_character("91350100M000100Y4") == "91350100M000100Y43"


def test_field_name_is_configurable():
    with pytest.raises(InputError) as err:
        uscc.validate("x", field="row 3 credit_code")
    assert err.value.field == "row 3 credit_code"
