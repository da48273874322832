"""Property tests (hypothesis): the parsers and the relay's input handling take any Unicode, lone
surrogates included, without raising, and return the types their callers expect."""

from __future__ import annotations

from typing import Optional

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot.screening import catalogue, flow as screening, parsing
from bot.screening.crisis import is_crisis
from bot.screening.lexicon import Medication, load_lexicon
from bot.web import chat, edge

# Any code point (surrogates included), plus the shapes the parsers look for mixed in.
ANY_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=300)
NEAR = st.lists(
    st.sampled_from(
        [
            "I'm 45",
            "5 years",
            "six months",
            "pain 8/10",
            "yes",
            "no",
            "not sure",
            "sertraline 50mg",
            "none",
            "a@b.co",
            "+1 555 123 4567",
            "kill myself",
            "/inform{",
            "\ud800",
            "\x00",
            "\u202e",
            "ﬁve",
            "٣",
            " ",
        ]
    ),
    max_size=6,
).map(" ".join)
TEXT = st.one_of(ANY_TEXT, NEAR, st.tuples(NEAR, ANY_TEXT).map("".join))
LEXICON = load_lexicon()
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def number(value) -> bool:
    return value is None or (isinstance(value, float) or isinstance(value, int)) and not isinstance(value, bool)


@PROFILE
@given(TEXT, st.booleans())
def test_parsing_functions(text, asked):
    assert number(parsing.parse_age(text, asked))
    assert number(parsing.parse_duration_months(text, asked))
    assert number(parsing.parse_severity(text, asked))
    assert parsing.parse_yes_no(text) in (True, False, None)
    assert isinstance(parsing.is_unsure(text), bool)
    assert all(isinstance(k, str) and isinstance(v, bool) for k, v in catalogue.find_volunteered(text).items())
    for value in (parsing.parse_email(text), parsing.parse_phone(text), parsing.parse_name(text)):
        assert value is None or isinstance(value, str)
    assert isinstance(parsing.clean_text(text), str)


@PROFILE
@given(TEXT, st.sampled_from([None, "inform", "affirm", "deny", "greet"]))
def test_screening_extract_functions(text, intent):
    turn = screening.Turn(text, intent=intent, requested="age")
    assert number(screening.extract_age(turn, None))
    assert isinstance(screening.extract_condition(turn, None, LEXICON), dict)
    assert number(screening.extract_pain_duration(turn))
    assert number(screening.extract_pain_severity(turn))
    assert screening.extract_prior_treatments(turn) is None or isinstance(screening.extract_prior_treatments(turn), str)
    assert isinstance(screening.extract_medications(turn, None, None, LEXICON), dict)
    assert isinstance(screening.extract_medications_confirmed(turn), dict)
    assert isinstance(screening.extract_yes_no(turn, "pregnant", None), dict)
    for fn in (screening.extract_consent, screening.extract_contact_wanted, screening.extract_contact_consent):
        assert fn(turn) in (True, False, None)
    for fn in (screening.extract_full_name, screening.extract_preferred_contact_time):
        assert fn(turn) is None or isinstance(fn(turn), str)
    assert isinstance(screening.extract_email(turn), dict) and isinstance(screening.extract_phone(turn), dict)


@PROFILE
@given(TEXT)
def test_medication_answer_and_crisis(text):
    meds: Optional[list] = LEXICON.parse_medication_answer(text)
    assert meds is None or all(isinstance(m, Medication) for m in meds)
    assert isinstance(is_crisis(text), bool)


KNOWN = edge.known_payloads()


@PROFILE
@given(TEXT)
def test_relay_input_handling(text):
    cleaned = edge.clean_text(text)
    if cleaned is None:  # only text that is not valid Unicode (lone surrogates) is refused
        with pytest.raises(UnicodeEncodeError):
            text.encode("utf-8")
        return
    cleaned.encode("utf-8")  # whatever is forwarded can be sent as JSON/UTF-8
    out = edge.neutralise_payload(cleaned, KNOWN)
    assert isinstance(out, str)
    assert not out.strip().startswith("/") or out.strip() in KNOWN  # Rasa never parses an unknown payload
    assert isinstance(chat.failure_messages(cleaned), list)


@PROFILE
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | TEXT,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
        max_leaves=12,
    )
)
def test_clean_messages_takes_any_json_shape(raw):
    out = chat.clean_messages(raw)
    assert isinstance(out, list) and all(isinstance(m, dict) for m in out)
