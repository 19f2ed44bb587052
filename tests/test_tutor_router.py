"""Routing is deterministic: numbers select from the screen, reserved words are words."""

from __future__ import annotations

import pytest

from tuneup.tutor.router import Ask, Empty, Invalid, Jump, Nav, Run, Select, normalize, route


@pytest.mark.parametrize("text", ["4", " 4 ", "4️⃣", "４", "4\u20e3"])
def test_the_forms_of_a_number_select_option_4(text: str) -> None:
    assert route(text, options=6) == Select(4)


@pytest.mark.parametrize("text", ["s2", "S2", "step 2", "step2", " s 2 ", "ｓ２"])
def test_jumps_to_a_step_from_anywhere(text: str) -> None:
    assert route(text, options=0) == Jump(2)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("m", "menu"),
        ("menu", "menu"),
        ("b", "back"),
        ("back", "back"),
        ("n", "next"),
        ("next", "next"),
        ("?", "help"),
        ("help", "help"),
        ("q", "quit"),
        ("quit", "quit"),
        ("exit", "quit"),
        ("Q", "quit"),
    ],
)
def test_reserved_words(text: str, word: str) -> None:
    assert route(text, options=6) == Nav(word)


def test_a_number_beyond_the_screen_is_invalid_not_a_step() -> None:
    # On a topic screen there are no numbered options: "2" is not step 2.
    assert route("2", options=0) == Invalid("2", "number")
    assert route("7", options=6) == Invalid("7", "number")
    assert route("0", options=6) == Invalid("0", "number")


def test_unknown_steps_and_words() -> None:
    assert route("s9", options=6) == Invalid("s9", "step")
    assert route("frobnicate", options=6) == Invalid("frobnicate", "word")
    assert route("   ", options=6) == Empty()


ACTIONS = {"validate", "ask"}


def test_actions_get_their_arguments() -> None:
    intent = route("validate examples/marv.jsonl --model gpt-4.1", options=6, actions=ACTIONS)
    assert intent == Run("validate", "examples/marv.jsonl --model gpt-4.1")
    assert route("Validate x", options=6, actions=ACTIONS) == Run("validate", "x")


def test_sentences_are_questions_when_ask_exists() -> None:
    question = "how many examples do I need?"
    assert route(question, options=6, actions=ACTIONS) == Ask(question)
    assert route(question, options=6, actions={"validate"}) == Invalid(question, "word")


def test_every_navigation_word_is_in_the_table_and_no_action_shadows_it() -> None:
    from tuneup.commands.catalogue import tutor_actions
    from tuneup.tutor.router import NAV_WORDS, NAVIGATION

    assert set(NAV_WORDS) == {w for nav in NAVIGATION for w in nav.words}
    assert not set(NAV_WORDS) & set(tutor_actions())
    for word, meaning in NAV_WORDS.items():
        assert route(word, options=3, actions=set(tutor_actions())) == Nav(meaning)


def test_normalize_is_idempotent() -> None:
    for text in ["4️⃣", "４", " step 3 "]:
        assert normalize(normalize(text)) == normalize(text)


def test_a_command_typed_as_in_the_shell_runs_the_action() -> None:
    # The README says `tuneup validate FILE`; typed in the tutor it is that action.
    intent = route("tuneup validate content/examples/marv.jsonl", options=6, actions=ACTIONS)
    assert intent == Run("validate", "content/examples/marv.jsonl", prefixed=True)
    assert route("TUNEUP  Validate x", options=6, actions=ACTIONS) == Run(
        "validate", "x", prefixed=True
    )


def test_tuneup_with_no_tutor_action_is_invalid_never_a_question() -> None:
    shell = {"lab", "join"}
    for text in ("tuneup", "tuneup lab --room w", "tuneup --provider lab", "tuneup join u c"):
        assert route(text, options=6, actions=ACTIONS, shell=shell) == Invalid(text, "shell")
    # a sentence that merely starts with the name is still a question
    assert route("tuneup is great, what is an epoch?", options=6, actions=ACTIONS) == Ask(
        "tuneup is great, what is an epoch?"
    )


def test_shell_hint_names_what_to_do() -> None:
    from tuneup.tutor.router import shell_hint

    assert shell_hint("tuneup lab --room w", {"lab"}).startswith("`tuneup lab` runs in the shell")
    assert "Options such as --provider" in shell_hint("tuneup --provider lab", {"lab"})
    assert "without `tuneup`" in shell_hint("tuneup", {"lab"})
