"""Reading visitors' own words into slot values: ages, durations, 0-10 scores, yes/no, contact details.

Pure functions, no Rasa: each returns None when the text does not answer, so the caller can
ask again kindly instead of guessing.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Dict, Mapping, Optional

import phonenumbers

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "a": 1,
    "an": 1,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "couple": 2,
    "a few": 3,
    "few": 3,
    "several": 4,
    "half a": 0.5,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_NUMBER_WORD = re.compile(
    r"\b(%s)(?:[\s-]+(one|two|three|four|five|six|seven|eight|nine))?\b|\b(%s)\b"
    % (
        "|".join(_TENS),
        "|".join(k for k in _UNITS if " " not in k and k not in ("a", "an", "couple", "few", "several")),
    ),
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
# After "I'm N": units that make N something other than an age ("I'm 7/10", "I'm 5 months into this").
_NOT_AGE_AFTER = (
    r"(?!\s*(?:%|/|out of|mg|mcg|ml|months?|weeks?|days?|hours?|(?:years?|yrs?)(?!\s*old)|lbs?|pounds|kg|ft|foot|feet|"
    r"times|infusions?|pills?|tablets?|on (?:a|the) scale|today|right now)\b)"
)
# an age still to come: "turning 61 next month", "I'll be 18 in March" (not "just turned 18")
_AGE_TO_COME = re.compile(r"\b(?<!just )(?:turning|i'?ll be|i will be|going to be|gonna be)\b")
_AGE_FILLER = r"(?:(?:now|only|actually|really|just|about|almost|nearly|turning|going to be|gonna be)\s+)*"


def age_in_range(value: float) -> Optional[float]:
    """The value when it can be a person's age in years, else None."""
    return value if 0 < value < 120 else None


def parse_age(text: str, asked: bool, today: Optional[_dt.date] = None) -> Optional[float]:
    """Age in years, from an age stated as an age ("I'm 45", "45 years old", "forty two", "born in 1980").

    When the age was just asked, a number that opens the answer counts too ("52, and I've had
    fibromyalgia for about 10 years"), unless a unit shows it is something else.
    """
    today = today or _dt.date.today()
    t = words_to_digits(text.lower().replace("’", "'"))
    patterns = [
        rf"\b(?:i'?m|i am|im|age(?:d)?|age is|my age is|age:|i turned|i'?ll be|i will be)\s+{_AGE_FILLER}{_NUM}\b{_NOT_AGE_AFTER}",
        # "turning 61", "just turned 18": the visitor's own age, not "my daughter just turned sixteen"
        rf"(?:^|[.,;:!?]\s*|\b(?:and|but|so|well|actually|i|i'?m|im)\s+)(?:just turned|turning|turned)\s+{_NUM}\b{_NOT_AGE_AFTER}",
        rf"\b{_NUM}\s*(?:years?|yrs?|y/?o)\s*(?:old|young|of age)\b",
        rf"\b{_NUM}\s*(?:yo|y/o|yrs old|year old)\b",
    ]
    for pattern in patterns:
        m = re.search(pattern, t)
        if m:
            age = float(m.group(1))
            if _AGE_TO_COME.search(m.group(0)) and not re.match(r"\s*(?:today|this week)\b", t[m.end() :]):
                age -= 1  # "turning 18 in march" is 17 today
            return age_in_range(age)
    m = re.search(r"\bborn in ((?:19|20)\d\d)\b", t)
    if m and int(m.group(1)) <= today.year:
        return age_in_range(float(today.year - int(m.group(1))))
    if asked:
        m = re.match(rf"^\s*{_NUM}\s*(?:years?|yrs?)\s*[.!]*\s*$", t)  # "62 years", as the whole answer
        if m:
            return age_in_range(float(m.group(1)))
        m = re.match(
            rf"^\s*(?:about|around|almost|nearly|approx\.?|roughly|um+,?|uh+,?)?\s*{_NUM}\b{_NOT_AGE_AFTER}", t
        )
        if m and not re.match(rf"^\s*{_NUM}\s*(?:-|to)\s*\d", t):
            return age_in_range(float(m.group(1)))
        m = re.match(rf"^\s*(?:i\s+)?(?:have|has)\s+{_NUM}\s+years?\b", t)  # "I have 41 years"
        if m:
            return age_in_range(float(m.group(1)))
        # the only number in the answer, with no unit that makes it something else: "in my early sixties, 62."
        numbers = set(re.findall(r"(?<![\d.])\d{1,3}(?!\d|\.\d)", t))
        if len(numbers) == 1:
            m = re.search(rf"(?<![\d.]){_NUM}(?!\d|\.\d){_NOT_AGE_AFTER}", t)
            if m and 12 <= float(m.group(1)) <= 110:
                return age_in_range(float(m.group(1)))
    return None


_DURATION_UNITS = {
    "day": 1 / 30.4,
    "week": 12 / 52.0,
    "wk": 12 / 52.0,
    "month": 1.0,
    "mo": 1.0,
    "year": 12.0,
    "yr": 12.0,
    "decade": 120.0,
}
# "twice a day", "3 times a week", "every day": how often, never how long.
_FREQUENCY = re.compile(
    r"\b(?:once|twice|thrice|\d+\s*(?:x|times?)|every|each|per|a|an)\s+(?:other\s+)?(?:a\s+)?(?:day|night|week|month|morning|evening)s?\b"
    r"|\b(?:daily|nightly|weekly|monthly|as needed|prn)\b",
    re.IGNORECASE,
)
# A clear statement of how long the pain has lasted, when another question is open.
_DURATION_STATEMENT = re.compile(
    r"\b(?:had (?:it|this|them|pain|the pain)|have had|i'?ve had|ive had|been (?:in pain|hurting|suffering|dealing|living)|"
    r"suffer(?:ed|ing)?|living with|lived with|dealing with|dealt with|hurt(?:ing)?|pain (?:for|since|started|began)|"
    r"started|began|diagnosed|it'?s been|going on|with \w+(?: \w+)? for)\b",
    re.IGNORECASE,
)
_ON_A_MEDICATION = re.compile(r"\b(?:been|i'?ve been|ive been)\s+(?:on|taking|using)\b", re.IGNORECASE)
# Life stages: the latest age each could mean, so the duration computed from them is never overstated.
_LIFE_STAGES = [
    (r"i was (?:a )?baby|i was born|birth|all my life|my (?:whole|entire) life", 0),
    # "since I was a kid", "as a child", never "since my second kid was born"
    (
        r"(?:i was (?:a )?|\ba )(?:little )?(?:kid|child|boy|girl)|i was little|childhood|elementary school|grade school|middle school",
        12,
    ),
    (r"(?:i was (?:a )?|\ba )(?:teen|teenager)|my teens|(?:high school|highschool)|puberty", 18),
    (r"college|university|uni\b|my (?:early )?twenties|my 20s", 22),
    (r"my (?:late )?twenties", 29),
    (r"my thirties|my 30s", 39),
    (r"my forties|my 40s", 49),
]
_SINCE_AGE = re.compile(
    r"\b(?:since|from|started (?:at|when i was)|began (?:at|when i was)|when i was|at age|at)\s+(?:i was\s+|age\s+)?(\d{1,2})\b(?!\s*(?:years?|months?|weeks?|days?|mg|%))"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTH_ABBR = {m[:3]: i for m, i in _MONTHS.items()}


def _months_between(year: int, month: int, today: _dt.date) -> Optional[float]:
    months = (today.year - year) * 12 + today.month - month
    return float(max(months, 1)) if months >= 0 else None


def _normalise_duration_words(t: str) -> str:
    t = words_to_digits(t)
    t = re.sub(r"\b(?:a|one) (?:year|yr) and a half\b|\b(?:year|yr) and a half\b", "18 months", t)
    t = re.sub(r"\ba month and a half\b", "1.5 months", t)
    t = re.sub(r"\bhalf a (year|month|decade)\b", lambda m: f"0.5 {m.group(1)}", t)
    t = re.sub(r"\b(\d+) and a half\b", lambda m: f"{int(m.group(1)) + 0.5}", t)
    t = re.sub(r"\b(\d+)\s*(?:½|1/2)\b", lambda m: f"{int(m.group(1)) + 0.5}", t)
    for phrase, value in sorted(_UNITS.items(), key=lambda kv: -len(kv[0])):
        if not phrase[0].isdigit():
            t = re.sub(
                rf"\b{re.escape(phrase)}\s+(?:more\s+)?(?=(?:days?|weeks?|months?|years?|yrs?|decades?)\b)",
                f"{value} ",
                t,
            )
    return t


_SWAPPED = re.compile(
    r"\b(\d{1,3})\s*,?\s*(?:and\s+)?not\s+(\d{1,3})\b|\bnot\s+(\d{1,3})\s*,?\s*(?:but\s+|it'?s\s+|i'?m\s+)?(\d{1,3})\b"
)


def parse_swapped_number(text: str, current: Optional[float]) -> Optional[float]:
    """A correction of an earlier number by naming it: "I meant 45 not 54" (current 54) -> 45."""
    if current is None:
        return None
    for m in _SWAPPED.finditer(words_to_digits(text.lower())):
        new, old = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if float(old) == float(current) and float(new) != float(current):
            return float(new)
    return None


_UNIT_WORD = r"(years?|yrs?|months?|weeks?|days?)"
_SWAPPED_UNIT = re.compile(
    rf"\b(?:(\d+(?:\.\d+)?)\s*)?{_UNIT_WORD}\s*,?\s*not\s+(?:\d+\s*)?{_UNIT_WORD}\b"
    rf"|\bnot\s+(?:\d+\s*)?{_UNIT_WORD}\s*,?\s*(?:but\s+|it'?s\s+)?(?:(\d+(?:\.\d+)?)\s*)?{_UNIT_WORD}\b"
)


def _unit_months(word: str) -> float:
    return next(v for k, v in _DURATION_UNITS.items() if word.startswith(k))


def parse_swapped_unit(text: str, current_months: Optional[float]) -> Optional[float]:
    """A correction of the unit of an earlier duration: "I meant 2 YEARS not months" (current 2 months) -> 24."""
    if current_months is None:
        return None
    m = _SWAPPED_UNIT.search(words_to_digits(text.lower()))
    if not m:
        return None
    number, new_unit, old_unit = (
        (m.group(1), m.group(2), m.group(3)) if m.group(2) else (m.group(5), m.group(6), m.group(4))
    )
    value = float(number) if number else current_months / _unit_months(old_unit)
    months = value * _unit_months(new_unit)
    return months if months != current_months else None


def parse_duration_months(
    text: str, asked: bool, today: Optional[_dt.date] = None, age: Optional[float] = None
) -> Optional[float]:
    """How long the pain has lasted, in months.

    Reads "3 years", "a year and a half", "since 2015", "since March 2019", "it started last month",
    "2 years ago", "since I was a teenager" (with the age given, else None), and vague answers with a
    conservative reading ("on and off for years" -> 24, "for months" -> 2). "twice a day" is a frequency,
    never a duration. When the question was not asked, only a clear statement counts ("I've had pain
    for 8 years"), never a stray "3 weeks" from another answer.
    """
    today = today or _dt.date.today()
    t = text.lower().replace("’", "'")
    t = _FREQUENCY.sub(" ", t)
    if not asked:
        if _ON_A_MEDICATION.search(t) or not (_DURATION_STATEMENT.search(t) or re.search(r"\bsince\b|\bago\b", t)):
            return None
    # A month and year, or a year ("since March 2019", "it started in 2023").
    m = re.search(r"\b(%s)[a-z]*\.?,?\s+((?:19|20)\d\d)\b" % "|".join(_MONTH_ABBR), t)
    if m:
        return _months_between(int(m.group(2)), _MONTH_ABBR[m.group(1)], today)
    m = re.search(
        r"\b(?:since|from|in|started in|began in|back in|around|about|circa)\s+(?:about\s+|around\s+|early\s+|late\s+|mid\s+)?((?:19|20)\d\d)\b",
        t,
    )
    if m:
        year = int(m.group(1))
        if 1900 < year <= today.year:
            return float(round(max((today.year - year) * 12 + today.month - 6, 1.0), 1))  # mid-year estimate
        return None
    t = _normalise_duration_words(t)
    # Relative starts: "last month", "last year", "a few weeks ago", "since last summer".
    if re.search(r"\blast (?:week|weekend)\b|\bthis week\b|\bfew days ago\b|\byesterday\b", t):
        return 0.25
    if re.search(r"\blast month\b", t):
        return 1.0
    if re.search(r"\blast (?:year|summer|winter|spring|fall|autumn|christmas)\b", t) and not re.search(r"\d", t):
        return 6.0 if re.search(r"\blast (?:summer|winter|spring|fall|autumn|christmas)\b", t) else 12.0
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:years?|yrs?)\s*(?:and|&|,)?\s*(\d+(?:\.\d+)?)\s*(?:months?|mos?)\b", t)
    if m:  # "a year and 3 months"
        return round(float(m.group(1)) * 12 + float(m.group(2)), 2)
    found = [
        round(float(m.group(1)) * _DURATION_UNITS[m.group(2)], 2)
        for m in re.finditer(
            r"(\d+(?:\.\d+)?)\s*(?:-|to|or)?\s*(?:\d+(?:\.\d+)?)?\s*\+?\s*(day|week|wk|month|mo|year|yr|decade)s?\b", t
        )
    ]
    if found:
        # several durations ("started 2 weeks post-op, so 2 years", "not 6 months, more like 14"): how long the
        # pain has lasted is the longest of them
        return max(found)
    # A life stage or an age: needs the visitor's age ("since I was a teenager" at 40 -> 264 months). Only as the
    # answer to the question: in passing, "type 1 since I was a kid" is about something else.
    for pattern, start_age in _LIFE_STAGES if asked else []:
        if re.search(
            rf"\b(?:since|from|as|when|as far back as|all through)\b[^.]*?\b(?:{pattern})|\b(?:{pattern})\b.*\bon\b", t
        ) or (start_age == 0 and re.search(rf"\b(?:{pattern})\b", t)):
            if age is None or age <= start_age:
                return None
            return float(round((age - start_age) * 12, 1))
    m = _SINCE_AGE.search(t) if asked else None
    if m and age is not None and re.search(r"\b(?:since|when i was|at age|started|began)\b", t):
        start = float(m.group(1))
        return float(round((age - start) * 12, 1)) if 0 < start < age else None
    # Vague amounts: the smallest reasonable reading.
    if re.search(r"\b(?:for|over|about|around|a)?\s*(?:year|yr)\b", t) and re.search(
        r"\b(?:for|about|over|a|one|almost|nearly|around)\s+(?:year|yr)\b", t
    ):
        return 12.0
    if re.search(r"\bdecades\b", t):
        return 240.0
    if re.search(r"\b(?:years|yrs)\b", t):
        return 24.0
    if re.search(r"\bmonths\b", t):
        return 2.0
    if re.search(r"\bweeks\b", t):
        return 0.5
    if asked:
        if re.search(r"\b(?:forever|ages|a long (?:time|while)|as long as i can remember|decade)\b", t):
            return 120.0 if re.search(r"\b(?:forever|as long as i can remember|decade)\b", t) else 12.0
        if re.search(r"\b(?:recently|just started|a few days|couple of days|days)\b", t):
            return 0.5
    return None


def parse_severity(text: str, asked: bool) -> Optional[float]:
    """Pain 0-10. '7/10', '7 out of 10', 'about a seven', '7-8' (the middle); a bare number only when asked."""
    t = words_to_digits(text.lower())
    m = re.search(r"(?<!-)\b(\d{1,2}(?:\.\d)?)\s*(?:/|out of|on a scale of \d+ to)\s*10\b", t)
    if not m and asked:
        m = re.search(
            r"^\D*?(?<!-)\b(\d{1,2}(?:\.\d)?)(?:\s*(?:-|to|or)\s*(\d{1,2}(?:\.\d)?))?\b(?!\s*(?:years?|months?|weeks?|mg))",
            t,
        )
    if not m:
        return None
    value = float(m.group(1))
    if m.lastindex and m.lastindex >= 2 and m.group(2):
        value = (value + float(m.group(2))) / 2
    return value if 0 <= value <= 10 else None


_YES = re.compile(
    r"^\s*(?:y|yes+|yeah?|yea|yep|yup|ya|yah|sure|correct|right|true|i do|i have|i am|i did|affirmative|"
    r"that'?s (?:right|correct)|absolutely|definitely|of course|ok(?:ay)?|yes please|please do|"
    r"sometimes|i think so|unfortunately(?: yes)?|sadly(?: yes)?|go (?:for it|ahead)|fire away|ask away|by all means|sure thing|"
    r"that is (?:right|correct)|(?:it'?s|it is|all|looks|everything'?s|everything is) (?:correct|right|good)|spot on|exactly|affirmative|"
    r"i guess(?: so)?|i suppose(?: so)?|guess so|bet|say less|for sure)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\s*(?:n|no+|nope|nah|never|not really|not at all|none|negative|i don'?t|i dont|i do not|"
    r"i haven'?t|i havent|i have not|i'?m not|im not|i am not|i didn'?t|i did not|nothing|no,? never|not currently|"
    r"i used to,? but not (?:any ?more|now)|used to but not any ?more|no longer|not any ?more|not anymore|nada|zero|"
    r"i (?:have|'ve|ve) never|i never|never (?:had|have|been|done|used|taken|received|got|tried)|neg\.?)\b",
    re.IGNORECASE,
)
_EMPHATIC_NO = re.compile(
    r"^\s*(?:definitely|absolutely|certainly|of course|surely|sure|hell|god)\s*,?\s*not\b", re.IGNORECASE
)
# A no said with a hedge: read as no, and the words are kept for the clinician.
_HEDGED_NO = re.compile(
    r"\b(?:i don'?t think so|i dont think so|i do not think so|don'?t think so|not that i know of|not that i'?m aware of|"
    r"not as far as i know|not to my knowledge|probably not|i don'?t believe so|i don'?t think i (?:have|am|do|did)|"
    r"i doubt it|unlikely|not that i remember|not that i can remember|i don'?t remember (?:having|any)|"
    r"not officially|never been (?:diagnosed|told))\b",
    re.IGNORECASE,
)
_UNSURE = re.compile(
    r"\b(?:not sure|unsure|don'?t know|dont know|do not know|no idea|maybe|i'?m not certain|idk|possibly|dunno|"
    r"not certain|can'?t remember|cannot remember|could be|might be|might have)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class YesNo:
    """A yes/no reading: `value` None when unreadable; `unsure` for "not sure" (review); `note` keeps the
    visitor's words for the clinician (a hedged no, "well controlled", past use)."""

    value: Optional[bool]
    unsure: bool = False
    note: bool = False


@dataclass(frozen=True)
class YesNoWords:
    """One yes/no question's own words (regular expressions; declared with the question in catalogue.py)."""

    means_yes: str = ""  # a described answer that means yes, even after a leading "no ... but"
    means_no: str = ""  # a described answer that means no ("I had a hysterectomy" to the pregnancy question)
    no_with_note: str = (
        ""  # turns a described yes into "no, with a note": controlled blood pressure, a past that is over
    )
    no_unless_yes: str = ""  # no with the words kept unless a yes is said ("had ketamine once, no problems")
    said_in_passing: str = ""  # a statement that answers it whatever question is open ("I have glaucoma")


# An acknowledgement before the answer: "ok. no, I don't drink".
_ACK = re.compile(
    r"^\s*(?:ok(?:ay)?|alright|all right|fine|well|um+|hmm+|so|sure thing)\s*[.,!:;-]+\s*(?=\S)", re.IGNORECASE
)
_BUT = re.compile(r"\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\bexcept\b", re.IGNORECASE)
_NEGATED_FINDING = re.compile(
    r"\b(?:no|not|never|don'?t|dont|without|nor|neither|isn'?t|wasn'?t|denies?)\b(?:\W+\w+){0,3}\W*$", re.IGNORECASE
)


def _positive_finding(pattern: str, clause: str) -> bool:
    for m in re.finditer(rf"\b(?:{pattern})", clause, re.IGNORECASE):
        before = clause[: m.start()]
        if _NEGATED_FINDING.search(before):
            continue
        if _THIRD_PARTY.search(before) and not _FIRST_PERSON.search(before):
            continue
        return True
    return False


def read_yes_no(text: str, words: Optional[YesNoWords] = None, intent: Optional[str] = None) -> YesNo:
    """The answer to a yes/no question, as people give it.

    "no, I had a hysterectomy" / "I'm a guy" -> no (pregnant); "my blood pressure is high and not really
    controlled" -> yes; "no glaucoma, but my eye pressure is high" -> yes (the "but" clause wins); "well
    controlled with one pill" -> no with a note; "clean from heroin for 2 years" -> yes (past misuse);
    "I don't think so" -> no with a note; "not sure" -> unsure.
    """
    t = _ACK.sub("", text.replace("’", "'").strip())
    if words:
        clauses = _BUT.split(t)
        tail = " ".join(clauses[1:])
        yes_pattern = words.means_yes
        if yes_pattern and tail and _positive_finding(yes_pattern, tail):
            note_pattern = words.no_with_note
            if note_pattern and re.search(note_pattern, tail, re.IGNORECASE):
                return YesNo(False, note=True)
            return YesNo(True, note=True)
        no_pattern = words.means_no
        if (
            no_pattern
            and re.search(rf"\b(?:{no_pattern})", t, re.IGNORECASE)
            and not (yes_pattern and re.search(r"\bbut\b", t, re.IGNORECASE) and _positive_finding(yes_pattern, tail))
        ):
            return YesNo(False)
        note_pattern = words.no_with_note
        if yes_pattern and _positive_finding(yes_pattern, t):
            if note_pattern and re.search(note_pattern, t, re.IGNORECASE):
                return YesNo(False, note=True)
            if _HEDGED_NO.search(t) or _NO.match(t):
                pass  # "no, I don't drink heavily": the negation is read below
            else:
                return YesNo(True)
        if note_pattern and re.search(note_pattern, t, re.IGNORECASE) and (not _UNSURE.search(t) or _NO.match(t)):
            return YesNo(False, note=True)  # "No. A glass of wine at a wedding maybe": the hedge is about the wine
        no_unless_yes = words.no_unless_yes
        if no_unless_yes and re.search(no_unless_yes, t, re.IGNORECASE) and not _UNSURE.search(t):
            return YesNo(False, note=True)
    if _HEDGED_NO.search(t):
        return YesNo(False, note=True)
    if _UNSURE.search(t):
        return YesNo(None, unsure=True)
    if re.match(r"^\s*i used to\b", t, re.IGNORECASE) and re.search(
        r"\bnot (?:any ?more|now)\b|\bno longer\b|\bquit\b|\bstopped\b", t, re.IGNORECASE
    ):
        return YesNo(False, note=True)
    if _NO.match(t) or _EMPHATIC_NO.match(t):
        return YesNo(False)
    if _YES.match(t):
        return YesNo(True)
    if words and words.said_in_passing:
        found = _stated(t, words.said_in_passing)
        if found is not None:
            return YesNo(found)
    if intent == "affirm":
        return YesNo(True)
    if intent == "deny":
        return YesNo(False)
    return YesNo(None)


# Every way of saying "stop" has a word for it (the stop examples in data/nlu/control.yml, typos included).
_STOP_WORDS = re.compile(
    r"\b(?:stop(?:s|ped|ping)?|stahp|sto+p|quit(?:s|ting)?|qiut|cancel(?:s|led|ling)?|exit|(?:not|n't|no)\s+(?:to\s+)?(?:continue|go\s+on|finish)|end|ending|forget|never\s?mind|nvm|changed\s+my\s+mind|"
    r"don'?t\s+(?:want|wanna)|do\s+not\s+want|not\s+interested|abort|halt|enough|done|out|close|terminate|no\s+more|"
    r"drop\s+it|pass|discontinue|leave|bye)\b",
    re.IGNORECASE,
)


def says_stop(text: str) -> bool:
    """Does the message have a word that means stopping (so a `stop` guess is more than a look-alike name)?"""
    return bool(_STOP_WORDS.search(text or ""))


def parse_yes_no(text: str, intent: Optional[str] = None) -> Optional[bool]:
    """A plain yes/no answer (no question-specific reading); 'not sure' returns None."""
    return read_yes_no(text, None, intent).value


_FIRST_CLAUSE = re.compile(r"^\s*([^,.!;:]+?)(?:\s+(?:please|thanks|thank you))?\s*[,.!;:-]", re.IGNORECASE)


def _leading_answer(text: str) -> Optional[bool]:
    """A yes or a no (in _YES/_NO's words) that is the whole first clause: "yes please, maybe later"."""
    m = _FIRST_CLAUSE.match(text)
    if not m:
        return None
    if _YES.fullmatch(m.group(1)):
        return True
    return False if _NO.fullmatch(m.group(1)) else None


def parse_preference(text: str, intent: Optional[str] = None) -> Optional[bool]:
    """A yes/no about what the visitor wants (be contacted, keep details), not a safety question: a clear
    yes or no first wins over a hedge after it ("yes please, maybe after I'm done nursing")."""
    first = _leading_answer(_ACK.sub("", text or ""))
    return first if first is not None else parse_yes_no(text, intent)


def is_unsure(text: str) -> bool:
    return bool(_UNSURE.search(text)) and not _HEDGED_NO.search(text)


# "my mom had a stroke": about someone else, unless the visitor is in the clause too ("my husband and I ...").
_THIRD_PARTY = re.compile(
    r"\b(?:my|our|his|her|their)\s+(?:mom|mother|mum|dad|father|parents?|sister|brother|siblings?|son|daughter|kids?|"
    r"children|child|grand(?:ma|mother|pa|father|parents?)|aunt|uncle|cousin|friend|wife|husband|partner|spouse|"
    r"boyfriend|girlfriend|family)\b|\bfamily history\b|\bruns in (?:my|the) family\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:i|i'?m|i'?ve|i'?d|me|myself|we|we'?re|we'?ve|us)\b", re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(?:no|not|never|don'?t|dont|haven'?t|havent|hasn'?t|isn'?t|wasn'?t|aren'?t|without|nor|neither|denies?|none)\b(?:\W+\w+){0,4}\W*$",
    re.IGNORECASE,
)


def _stated(text: str, pattern: str) -> Optional[bool]:
    """Is the thing `pattern` names stated in `text` about the visitor: True, False when negated, None if absent."""
    for m in re.finditer(rf"\b(?:{pattern})\b", text, re.IGNORECASE):
        clause = re.split(r"[.;!?]|\bbut\b", text[: m.start()])[-1]
        if _THIRD_PARTY.search(clause) and not _FIRST_PERSON.search(clause):
            continue
        return not bool(_NEGATION.search(clause))
    return None


def find_volunteered(text: str, patterns: Mapping[str, str]) -> Dict[str, bool]:
    """Contraindications stated in passing ('I have glaucoma' -> True, 'no seizures' -> False), per slot's pattern."""
    found: Dict[str, bool] = {}
    for slot, pattern in patterns.items():
        stated = _stated(text, pattern)
        if stated is not None:
            found[slot] = stated
    return found


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def parse_email(text: str) -> Optional[str]:
    """The first well-formed email address in the text, lowercased."""
    m = _EMAIL.search(text)
    if not m or len(m.group(0)) > 254:
        return None
    return m.group(0).lower()


def _acceptable(number: phonenumbers.PhoneNumber) -> bool:
    if not phonenumbers.is_possible_number(number):
        return False
    if (
        number.country_code == 1
    ):  # NANP: 3-digit area code [2-9]xx + 7 digits; a bare 7-digit local number is not enough
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
    t = re.sub(
        r"^(?:my name is|my name's|name is|name's|i am|i'm|im|this is|it's|it is|call me)\s+",
        "",
        t,
        flags=re.IGNORECASE,
    )
    t = t.strip(" .,!")
    if not t or len(t) > 80 or "@" in t or re.search(r"\d{3,}", t) or not re.search(r"[^\W\d_]", t):
        return None  # a name has letters
    if len(t.split()) > 6:
        return None
    return t


def looks_like_a_name(text: str) -> bool:
    """Two to four capitalised words ("Ada Zorvathaha"): a name, whatever a classifier makes of "haha" in it."""
    return bool(
        re.fullmatch(r"[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){1,3}", clean_text(text, 120).strip(" .,!"))
    ) and all(w[0].isupper() for w in clean_text(text, 120).split())
