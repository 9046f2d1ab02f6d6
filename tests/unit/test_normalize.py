import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadbot.errors import InvalidEmail
from leadbot.names import is_real_name
from leadbot.normalize import format_phone, normalize_email, normalize_phone

SAME_NUMBER = [
    "8 (916) 123-45-67",
    "+7 916 123 45 67",
    "79161234567",
    "9161234567",
    "+7(916)1234567",
    "8-916-123-4567",
]


@pytest.mark.parametrize("raw", SAME_NUMBER)
def test_formats_of_one_number_normalise_to_one_value(raw: str) -> None:
    assert normalize_phone(raw, "RU") == "+79161234567"


@pytest.mark.parametrize("raw", ["12345", "+7 (495) 123-45", "abc", "", "   ", "+", "8 800", "1" * 70])
def test_unparseable_phone_has_no_normalised_value(raw: str) -> None:
    assert normalize_phone(raw, "RU") is None


def test_foreign_number_without_plus_is_recognised() -> None:
    assert normalize_phone("16502530000", "RU") == "+16502530000"
    assert normalize_phone("(650) 253-0000", "US") == "+16502530000"


def test_human_format_is_international() -> None:
    assert format_phone("+79161234567") == "+7 916 123-45-67"


def test_email_is_trimmed_and_lower_cased() -> None:
    assert normalize_email("  Ivan.Petrov@Example.COM ") == "ivan.petrov@example.com"


@pytest.mark.parametrize(
    "raw", ["ivan", "ivan@", "@example.com", "a b@example.com", "x" * 300 + "@e.com", ""]
)
def test_invalid_email_is_refused(raw: str) -> None:
    with pytest.raises(InvalidEmail):
        normalize_email(raw)


@pytest.mark.parametrize(
    "name", ["1", "2", "3", "test", "Тест", "client", "+7 916 123-45-67", "a@b.ru", " ", "-", "x"]
)
def test_placeholder_names_are_not_real(name: str) -> None:
    assert not is_real_name(name)


@pytest.mark.parametrize("name", ["Иван", "Ivan Petrov", "Анна-Мария", "Li"])
def test_real_names(name: str) -> None:
    assert is_real_name(name)


_separators = st.sampled_from(["", " ", "-", "(", ")", ".", "  "])


@st.composite
def formatted_number(draw: st.DrawFn) -> tuple[str, str]:
    subscriber = draw(st.integers(min_value=0, max_value=9_999_999))
    national = f"916{subscriber:07d}"
    prefix = draw(st.sampled_from(["+7", "8", "7", ""]))
    digits = list(national)
    text = prefix
    for digit in digits:
        text += draw(_separators) + digit
    return text, f"+7{national}"


@settings(max_examples=300, deadline=None)
@given(formatted_number())
def test_any_formatting_of_a_number_normalises_to_the_same_value(case: tuple[str, str]) -> None:
    text, expected = case
    assert normalize_phone(text, "RU") == expected


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_random_text_never_crashes_the_phone_normaliser(text: str) -> None:
    result = normalize_phone(text, "RU")
    assert result is None or result.startswith("+")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_random_text_is_an_email_or_a_clear_refusal(text: str) -> None:
    try:
        result = normalize_email(text)
    except InvalidEmail:
        return
    assert result == result.lower() and "@" in result
