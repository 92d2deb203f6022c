import pytest

from portal.identifiers import check_credit_code, make_credit_code, org_code_check_character


def test_worked_example_from_the_domain_notes():
    assert check_credit_code("91350100M000100Y43").ok
    result = check_credit_code("91350100M000100Y4Z")
    assert not result.ok
    assert "character 'Z' is not allowed" in result.error


def test_known_valid_code():
    assert check_credit_code("91512081MA62K0260E").ok


def test_wrong_check_character_names_the_expected_one():
    assert check_credit_code("91350100M000100Y44").error == "check character is 4, expected 3"


@pytest.mark.parametrize("raw", [" 91350100m000100y43 ", "９１３５０１００Ｍ０００１００Ｙ４３"])
def test_pasted_codes_are_normalised_and_said_so(raw):
    result = check_credit_code(raw)
    assert result.ok
    assert result.value == "91350100M000100Y43"
    assert result.normalised


def test_length_is_reported():
    assert check_credit_code("9135").error == "must be 18 characters, got 4"


def test_generated_codes_pass_both_checks():
    code = make_credit_code("91", "350102", "ABCD1234")
    result = check_credit_code(code)
    assert result.ok and not result.warning


def test_organisation_code_check_is_a_warning_only():
    code = make_credit_code("91", "350102", "ABCD1234")
    bad_org = code[:16] + ("1" if code[16] != "1" else "2")
    first17 = bad_org[:17]
    from portal.identifiers import uscc_check_character

    result = check_credit_code(first17 + uscc_check_character(first17))
    assert result.ok
    assert "organisation code" in result.warning


def test_org_code_check_character_maps_ten_to_x():
    values = {org_code_check_character(f"{n:08d}") for n in range(200)}
    assert "X" in values
