"""The one way questions are read: choices, yes/no, defaults, reasons, wrapping."""

from __future__ import annotations

import io

import pytest

from scaffold.errors import InputError, InvalidAnswer, ScaffoldError
from scaffold.prompts import NO_DEFAULT, Ask, Terminal, match_choice, parse_bool, read_answer, wrap

CHOICES = (("sqlite", "SQLite"), ("postgresql", "PostgreSQL"), ("prototype", "Prototype"))


@pytest.mark.parametrize(
    ("typed", "value"),
    [("sqlite", "sqlite"), ("SQLITE", "sqlite"), ("PostgreSQL", "postgresql"), ("s", "sqlite"),
     ("POS", "postgresql"), ("  sq ", "sqlite"), ("prot", "prototype")],
    ids=["exact", "upper", "label", "prefix", "prefix-any-case", "spaces", "longer-prefix"],
)  # fmt: skip
def test_choices_match_in_any_case_and_by_unique_prefix(typed, value):
    assert match_choice(typed, CHOICES, "database") == value


def test_an_ambiguous_prefix_names_the_candidates():
    with pytest.raises(InputError) as caught:
        match_choice("p", CHOICES, "database")
    assert caught.value.reason == "'p' could be postgresql, prototype; type more of it"


def test_an_unknown_choice_lists_the_values():
    with pytest.raises(InvalidAnswer) as caught:
        match_choice("mysql", CHOICES, "database")
    assert caught.value.reason == "'mysql' is not one of: sqlite, postgresql, prototype"


@pytest.mark.parametrize(
    ("typed", "value"),
    [("y", True), ("Yes", True), ("TRUE", True), ("n", False), ("no", False), ("False", False),
     ("maybe", None), ("", None)],
)  # fmt: skip
def test_yes_no(typed, value):
    assert parse_bool(typed) is value


def test_enter_takes_the_default_and_typing_replaces_it():
    question = Ask(id="name", text="Name?", default="My Site")
    assert read_answer(question, "") == "My Site"
    assert read_answer(question, "Shop") == "Shop"


def test_no_default_needs_an_answer():
    with pytest.raises(InputError, match="an answer is needed"):
        read_answer(Ask(id="x", text="X?", default=NO_DEFAULT), "  ")


def test_the_check_refuses_with_its_reason_and_the_terminal_asks_again():
    def check(value):
        if "@" not in value:
            raise InputError(f"email: {value!r} is no address", reason=f"{value!r} is no address")
        return value

    err = io.StringIO()
    asker = Terminal(stdin=io.StringIO("nobody\nme@example.org\n"), stderr=err)
    assert asker(Ask(id="email", text="E-mail?", check=check)) == "me@example.org"
    assert err.getvalue().count("? E-mail?") == 2
    assert "! 'nobody' is no address" in err.getvalue()


def test_end_of_input_raises_eof():
    with pytest.raises(EOFError):
        Terminal(stdin=io.StringIO(""), stderr=io.StringIO())(Ask(id="x", text="X?"))


def test_long_messages_are_wrapped_never_cut():
    message = "word " * 60 + "the-end"
    folded = wrap(message, width=40)
    assert all(len(line) <= 40 for line in folded.splitlines())
    assert " ".join(folded.split()) == " ".join(message.split())


def test_every_scaffold_error_has_a_reason():
    assert ScaffoldError("x: too long", reason="too long").reason == "too long"
    assert ScaffoldError("plain").reason == "plain"
