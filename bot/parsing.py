"""Reading visitors' own words into slot values: ages, durations, 0-10 scores, yes/no, contact details.

Pure functions, no Rasa: each returns None when the text does not answer, so the caller can
ask again kindly instead of guessing.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from typing import Dict, Optional

import phonenumbers

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "a": 1, "an": 1, "a couple of": 2,
    "a couple": 2, "couple of": 2, "couple": 2, "a few": 3, "few": 3, "several": 4, "half a": 0.5,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_NUMBER_WORD = re.compile(
    r"\b(%s)(?:[\s-]+(one|two|three|four|five|six|seven|eight|nine))?\b|\b(%s)\b"
    % ("|".join(_TENS), "|".join(k for k in _UNITS if " " not in k and k not in ("a", "an", "couple", "few", "several"))),
    re.IGNORECASE,
)


def words_to_digits(text: str) -> str:
    """'thirty five' -> '35', 'eight' -> '8' (leaves other text alone)."""

    def repl(m: re.Match) -> str:
        if m.group(1):
            return str(_TENS[m.group(1).lower()] + (_UNITS[m.group(2).lower()] if m.group(2) else 0))
        return str(_UNITS[m.group(3).lower()])

    return _NUMBER_WORD.sub(repl, text)


_NUM = r"(\d{1,3}(?:\.\d+)?)"


def parse_age(text: str, asked: bool) -> Optional[float]:
    """Age in years. A bare number counts only when the age was just asked."""
    t = words_to_digits(text.lower())
    patterns = [
        rf"\b(?:i'?m|i am|im|age(?:d)?|age is|turning|just turned)\s+(?:now\s+|only\s+|about\s+)?{_NUM}\b(?!\s*(?:%|/|out of|mg|months?|weeks?|days?|lbs?|pounds|kg|ft|foot|feet|times|infusions?)\b)",
        rf"\b{_NUM}\s*(?:years?|yrs?|y/?o)\s*old\b",
        rf"\b{_NUM}\s*(?:yo|y/o|yrs old)\b",
    ]
    if asked:
        patterns.append(rf"^\s*(?:about|around|almost|nearly)?\s*{_NUM}\s*(?:years?|yrs?)?\s*[.!]*\s*$")
    for pattern in patterns:
        m = re.search(pattern, t)
        if m:
            age = float(m.group(1))
            if 0 < age < 120:
                return age
    return None


_DURATION_UNITS = {"day": 1 / 30.4, "week": 12 / 52.0, "wk": 12 / 52.0, "month": 1.0, "mo": 1.0, "year": 12.0, "yr": 12.0}


def parse_duration_months(text: str, asked: bool, today: Optional[_dt.date] = None) -> Optional[float]:
    """How long the pain has lasted, in months: '3 years', 'since 2015', 'about 6 weeks', 'a couple of years'."""
    today = today or _dt.date.today()
    t = text.lower()
    m = re.search(r"\b(?:since|from|in|started in|began in|back in)\s+(?:about\s+|around\s+)?((?:19|20)\d\d)\b", t)
    if m:
        year = int(m.group(1))
        if 1900 < year <= today.year:
            return float(round(max((today.year - year) * 12 + today.month - 6, 1.0), 1))  # mid-year estimate
    t = words_to_digits(t)
    t = re.sub(r"\b(a year and a half|year and a half)\b", "18 months", t)
    t = re.sub(r"\bhalf a year\b", "6 months", t)
    t = re.sub(r"\b(\d+) and a half\b", lambda m: f"{int(m.group(1)) + 0.5}", t)
    for phrase, value in sorted(_UNITS.items(), key=lambda kv: -len(kv[0])):
        if not phrase[0].isdigit() and not phrase.isdigit():
            t = re.sub(rf"\b{re.escape(phrase)}\s+(?=(?:days?|weeks?|months?|years?|yrs?)\b)", f"{value} ", t)
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:-|to)?\s*(?:\d+(?:\.\d+)?)?\s*\+?\s*(day|week|wk|month|mo|year|yr)s?\b", t)
    if m:
        return round(float(m.group(1)) * _DURATION_UNITS[m.group(2)], 2)
    if re.search(r"\b(?:a|one)?\s*(?:year|yr)\b", t) and re.search(r"\b(?:for|about|over|a|one)\s+(?:year|yr)\b", t):
        return 12.0
    if asked:
        if re.search(r"\b(?:decades?|forever|all my life|my whole life|since (?:i was a )?(?:child|kid|teen))\b", t):
            return 120.0
        if re.search(r"\b(?:recently|a few days|just started|last week)\b", t):
            return 0.5
    return None


def parse_severity(text: str, asked: bool) -> Optional[float]:
    """Pain 0-10. '7/10', '7 out of 10', 'about a seven', '7-8' (the middle); a bare number only when asked."""
    t = words_to_digits(text.lower())
    m = re.search(r"(?<!-)\b(\d{1,2}(?:\.\d)?)\s*(?:/|out of|on a scale of \d+ to)\s*10\b", t)
    if not m and asked:
        m = re.search(r"^\D*?(?<!-)\b(\d{1,2}(?:\.\d)?)(?:\s*(?:-|to|or)\s*(\d{1,2}(?:\.\d)?))?\b(?!\s*(?:years?|months?|weeks?|mg))", t)
    if not m:
        return None
    value = float(m.group(1))
    if m.lastindex and m.lastindex >= 2 and m.group(2):
        value = (value + float(m.group(2))) / 2
    return value if 0 <= value <= 10 else None


_YES = re.compile(
    r"^\s*(?:y|yes+|yeah?|yep|yup|ya|yah|sure|correct|right|true|i do|i have|i am|i did|affirmative|"
    r"that'?s (?:right|correct)|absolutely|definitely|of course|ok(?:ay)?|yes please|please do|"
    r"sometimes|i think so|unfortunately(?: yes)?|sadly(?: yes)?)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\s*(?:n|no+|nope|nah|never|not really|not that i know of|not at all|none|negative|i don'?t|i do not|"
    r"i haven'?t|i have not|i'?m not|i am not|i didn'?t|i did not|nothing|no,? never|not currently|"
    r"i used to,? but not (?:any ?more|now)|used to but not any ?more|no longer|not any ?more|not anymore)\b",
    re.IGNORECASE,
)
_EMPHATIC_NO = re.compile(
    r"^\s*(?:definitely|absolutely|certainly|of course|surely|sure|hell|god)\s*,?\s*not\b", re.IGNORECASE
)
_UNSURE = re.compile(r"\b(?:not sure|unsure|don'?t know|do not know|no idea|maybe|i'?m not certain|idk|possibly)\b", re.IGNORECASE)


def parse_yes_no(text: str, intent: Optional[str] = None) -> Optional[bool]:
    """A yes/no answer; 'not sure' returns None (the caller records it as unsure)."""
    if _UNSURE.search(text):
        return None
    if re.match(r"^\s*i used to\b", text, re.IGNORECASE) and re.search(r"\bnot (?:any ?more|now)\b|\bno longer\b|\bquit\b|\bstopped\b", text, re.IGNORECASE):
        return False
    if _NO.match(text) or _EMPHATIC_NO.match(text):
        return False
    if _YES.match(text):
        return True
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    return None


def is_unsure(text: str) -> bool:
    return bool(_UNSURE.search(text))


# Statements a visitor may volunteer at any point; each maps to a yes/no contraindication slot.
_VOLUNTEERED: Dict[str, str] = {
    "pregnant": r"pregnant|expecting a baby|trying to (?:conceive|get pregnant)|breast ?feeding|nursing my baby",
    "psychosis_history": r"schizophreni\w*|psychosis|psychotic|schizoaffective|hearing voices",
    "heart_condition": r"heart attack|heart failure|angina|(?:had a |a )?stroke|high blood pressure|hypertension|uncontrolled blood pressure",
    "liver_disease": r"cirrhosis|hepatitis|liver disease|fatty liver|liver failure",
    "seizure_history": r"seizures?|epilepsy|epileptic",
    "pressure_condition": r"glaucoma|intracranial pressure|head injury|concussion",
    "ketamine_reaction": r"(?:allergic|allergy|bad reaction|severe reaction) (?:to )?ketamine|ketamine allergy",
    "substance_use": r"alcoholic|drinking problem|addicted|addiction|substance (?:use|abuse)|in recovery|relapsed",
}
# "my mom had a stroke": about someone else, unless the visitor is in the clause too ("my husband and I ...").
_THIRD_PARTY = re.compile(
    r"\b(?:my|our|his|her|their)\s+(?:mom|mother|mum|dad|father|parents?|sister|brother|siblings?|son|daughter|kids?|"
    r"children|child|grand(?:ma|mother|pa|father|parents?)|aunt|uncle|cousin|friend|wife|husband|partner|spouse|"
    r"boyfriend|girlfriend|family)\b|\bfamily history\b|\bruns in (?:my|the) family\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:i|i'?m|i'?ve|i'?d|me|myself|we|we'?re|we'?ve|us)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:no|not|never|don'?t|dont|haven'?t|havent|hasn'?t|isn'?t|wasn'?t|aren'?t|without|nor|neither|denies?|none)\b(?:\W+\w+){0,4}\W*$", re.IGNORECASE)


def find_volunteered(text: str) -> Dict[str, bool]:
    """Contraindications stated in passing ('I have glaucoma' -> True, 'no seizures' -> False)."""
    found: Dict[str, bool] = {}
    for slot, pattern in _VOLUNTEERED.items():
        for m in re.finditer(rf"\b(?:{pattern})\b", text, re.IGNORECASE):
            clause = re.split(r"[.;!?]|\bbut\b", text[: m.start()])[-1]
            if _THIRD_PARTY.search(clause) and not _FIRST_PERSON.search(clause):
                continue
            found[slot] = not bool(_NEGATION.search(clause))
            break
    return found


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def parse_email(text: str) -> Optional[str]:
    """The first well-formed email address in the text, lowercased."""
    m = _EMAIL.search(text)
    if not m or len(m.group(0)) > 254:
        return None
    return m.group(0).lower()


def _acceptable(number: "phonenumbers.PhoneNumber") -> bool:
    if not phonenumbers.is_possible_number(number):
        return False
    if number.country_code == 1:  # NANP: 3-digit area code [2-9]xx + 7 digits; a bare 7-digit local number is not enough
        national = str(number.national_number)
        return len(national) == 10 and national[0] not in "01"
    return True


def parse_phone(text: str, region: str = "US") -> Optional[str]:
    """A valid phone number in E.164 ('(303) 555-0142' -> '+13035550142'); None when not valid."""
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        number = match.number
        if _acceptable(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"\D", "", text)
    if 7 <= len(digits) <= 15:
        try:
            number = phonenumbers.parse(text if text.strip().startswith("+") else digits, region)
        except phonenumbers.NumberParseException:
            return None
        if _acceptable(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


MAX_FIELD = 200


def clean_text(text: str, limit: int = MAX_FIELD) -> str:
    """Collapse whitespace and cut long pastes; markup is kept as text (escaped where shown)."""
    return re.sub(r"\s+", " ", text or "").strip()[:limit]


def parse_name(text: str) -> Optional[str]:
    """A person's name from 'I'm Jane Doe' / 'my name is Jane' / 'Jane Doe'; None when it is not a name."""
    t = clean_text(text, 120)
    t = re.sub(r"^(?:hi|hello|hey)[,!.\s]+", "", t, flags=re.IGNORECASE)
    t = re.sub(r"^(?:my name is|my name's|name is|name's|i am|i'm|im|this is|it's|it is|call me)\s+", "", t, flags=re.IGNORECASE)
    t = t.strip(" .,!")
    if not t or len(t) > 80 or "@" in t or re.search(r"\d{3,}", t):
        return None
    if len(t.split()) > 6:
        return None
    return t


def escape(text: str) -> str:
    """HTML-escape visitor text for any place it is echoed into markup."""
    return html.escape(text or "", quote=True)
