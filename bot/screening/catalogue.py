"""The catalogue of questions: each question the bot asks, declared once.

The form's slot lists, eligibility (which answers are needed, the plain-language reasons), the policy
check that every criterion exists, the form actions' extract methods, and every staff view of a lead
(dashboard, CSV, email, FHIR) read this list. Prompts, buttons and "why do you ask" answers stay in
domain.yml responses (`utter_ask_<slot>`, `utter_why_<slot>`), the standard Rasa way;
tests/unit/test_catalogue.py checks that the two agree. Adding a question: README.md, "Adding a question".

Readers are looked up at call time (`questions()` reads `QUESTIONS`), so a test can add a question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from bot.screening import parsing

# Kinds of answer: how a value is read, stored and shown.
YES_NO = "yes_no"  # True / False, plus "not sure" kept in unsure_answers
NUMBER = "number"
CHOICE = "choice"  # a canonical name from a list (the condition)
TEXT = "text"  # the visitor's own words
MEDICATIONS = "medications"  # a list of generic names
CONFIRMATION = "confirmation"  # "is this right?" about an earlier answer
CONTACT = "contact"  # a contact detail: kept in the lead's columns, never with the health answers

SCREENING_FORM, CONTACT_FORM = "screening_form", "contact_form"


@dataclass(frozen=True)
class Question:
    """One question: its slot, how it is read, what it feeds in the policy, and how staff see it.

    `criteria` are the clinic_policy.yml `criteria` keys this answer can trigger; the answer is needed
    (missing or unclear sends the screening to review) when one of them is not just a note, or always
    when `always_needed`. `reason` names the topic for the visitor, in a sentence's middle ("liver
    disease", "your age"); for a yes/no question it is also the reason a "yes" is given.
    """

    slot: str
    kind: str
    reason: str
    label: str = ""  # what staff see beside the answer; a yes/no question's defaults to its reason
    criteria: Tuple[str, ...] = ()
    always_needed: bool = False
    reader: Optional[Callable[..., object]] = None  # the parsing function for its answers (yes/no: text, slot, intent)
    unit: str = ""  # how a number is shown: "{} months"
    form: str = SCREENING_FORM
    ask: str = ""  # the Rasa response or action that asks it; utter_ask_<slot> by default
    words: Optional[parsing.YesNoWords] = (
        None  # a yes/no question's own words: described answers, statements in passing
    )

    @property
    def staff_label(self) -> str:
        return self.label or self.reason[:1].upper() + self.reason[1:]

    @property
    def ask_with(self) -> str:
        return self.ask or f"utter_ask_{self.slot}"

    @property
    def why_response(self) -> str:
        """The "why do you ask?" answer (actions.ActionExplainQuestion falls back to utter_why_default)."""
        return f"utter_why_{self.slot}"


def yes_no(slot: str, reason: str, **words: str) -> Question:
    """A contraindication question: its criterion has the slot's name; `words` are its parsing.YesNoWords."""
    return Question(
        slot, YES_NO, reason, criteria=(slot,), reader=parsing.read_yes_no, words=parsing.YesNoWords(**words)
    )


# In asking order.
QUESTIONS: Tuple[Question, ...] = (
    Question("age", NUMBER, "your age", "Age", criteria=("under_minimum_age",), reader=parsing.parse_age),
    Question(
        "condition", CHOICE, "your pain condition", "Condition", criteria=("untreated_condition",), reader=None
    ),  # the lexicon's find_condition (it needs the loaded lexicon)
    Question(
        "pain_duration_months",
        NUMBER,
        "how long you have had the pain",
        "Pain for",
        criteria=("short_pain_duration",),
        reader=parsing.parse_duration_months,
        unit="{} months",
    ),
    Question("pain_severity", NUMBER, "how bad the pain is", "Severity", reader=parsing.parse_severity, unit="{}/10"),
    Question("prior_treatments", TEXT, "the treatments you have tried", "Treatments tried"),
    # the lexicon's parse_medication_answer reads it; each class's outcome is in clinic_policy.yml medication_classes
    Question(
        "medications",
        MEDICATIONS,
        "your medications",
        "Medications",
        criteria=("unrecognised_medication",),
        always_needed=True,
    ),
    Question(
        "medications_confirmed",
        CONFIRMATION,
        "your medication list",
        "Medication list confirmed",
        always_needed=True,
        reader=parsing.parse_yes_no,
        ask="action_ask_medications_confirmed",
    ),
    yes_no(
        "pregnant",
        "being pregnant, trying to conceive or breastfeeding",
        means_yes=r"pregnan\w*|expecting|trying (?:to conceive|for a baby|to get pregnant|for another)|we'?re trying|breast ?feeding|nursing|\bivf\b",
        means_no=r"hysterectomy|tubes? tied|tubal ligation|menopaus\w*|post[- ]?menopausal|i'?m (?:a )?(?:guy|man|male|dude|bloke)|"
        r"i am (?:a )?(?:guy|man|male)|im (?:a )?(?:guy|man|male)|\bmale\b|too old|i'?m 6\d|no uterus|can'?t get pregnant|"
        r"vasectomy|not a woman",
        said_in_passing=r"pregnant|expecting a baby|trying to (?:conceive|get pregnant)|breast ?feeding|nursing my baby|"
        r"(?:pregnancy|pg|home) test (?:\w+ ){0,4}(?:was|came back|is|turned out|came out) positive|positive (?:pregnancy|pg|home) test|"
        r"pregnan\w*\b[^.]{0,80}\btest\b[^.]{0,40}\bpositive",
    ),
    yes_no(
        "psychosis_history",
        "a history of psychosis, schizophrenia or mania with psychotic features",
        means_yes=r"schizo\w*|psychos[ie]s|psychotic|hear(?:d|ing)? voices|hallucinat\w+|delusion\w*",
        said_in_passing=r"schizophreni\w*|psychosis|psychotic|schizoaffective|hearing voices",
    ),
    yes_no(
        "heart_condition",
        "a heart or blood pressure condition",
        means_yes=r"(?:blood pressure|bp|pressure)\b[^.]*?\b(?:high|up|uncontrolled|not (?:really |well |very well )?controlled|"
        r"all over the place|out of control|hard to control|through the roof|spikes?)|hypertensi\w+|heart attack|"
        r"heart failure|angina|a stroke|had (?:a |two |mini )?strokes?|\btia\b|mini[- ]stroke|stents?|bypass|"
        r"chest pains?|afib|a-?fib|arrhythmia|heart (?:condition|disease|problems?)",
        no_with_note=r"(?:well|under|good|fully|nicely)[- ]controlled|under control|controlled (?:with|by|on)|in check|normal now|fine (?:now|with)|"
        r"managed (?:with|by|well)|(?:blood pressure|bp|pressure)\b[^.]*?\b(?:is|are|'s|runs?|been|stays?)\s+(?:\w+\s+)?(?:fine|normal|good|ok(?:ay)?|stable)\b",
        said_in_passing=r"heart attack|heart failure|angina|(?:had a |a )?stroke|high blood pressure|hypertension|uncontrolled blood pressure",
    ),
    yes_no(
        "liver_disease",
        "liver disease",
        means_yes=r"cirrhosis|hepatitis|hep [abc]\b|liver (?:disease|damage|failure|problems?|issues?)|fatty liver|liver enzymes|elevated (?:liver|lfts?)",
        said_in_passing=r"cirrhosis|hepatitis|liver disease|fatty liver|liver failure",
    ),
    yes_no(
        "substance_use",
        "current alcohol or drug use, or past ketamine misuse",
        means_yes=r"clean (?:from|off|for)|sober|in recovery|recovering|rehab|relapsed?|addict\w*|alcoholic|\baa\b|\bna meetings?|"
        r"drink(?:ing)? (?:too much|a lot|heavily|every day|daily)|heavy drink\w*|misused?|abused?|"
        r"(?:used|use|using|did|do|snort\w*|took) (?:ketamine|k\b|special k)|ketamine (?:recreationally|at (?:raves|parties))|"
        r"smoke (?:meth|crack)|heroin|fentanyl|cocaine|\bmeth\b|crack|methadone (?:clinic|program)|suboxone program|"
        r"kratom|street (?:pills|drugs|percs|xanax)|(?:pills|percs|bars|xans?) (?:off|from) the street|\bmolly\b|mdma|ecstasy",
        no_with_note=r"\b(?:a |couple(?: of)? |few |one |two |the odd |an occasional |occasional |small )?(?:beers?|glass(?:es)? of \w+|drinks?|wine|cocktails?|sherry|whiske?y)\b"
        r"[^.]*\b(?:weekends?|socially|occasionally|now and then|once in a while|with dinner|holidays|christmas|birthdays?|weddings?|"
        r"special occasions|nothing crazy|nothing major|nothing else|that'?s it|that'?s all|that'?s about it)\b|"
        r"social(?:ly)? drink\w*|drink socially|only socially",
        said_in_passing=r"alcoholic|drinking problem|addicted|addiction|substance (?:use|abuse)|in recovery|relapsed",
    ),
    yes_no(
        "ketamine_reaction",
        "an earlier allergic or severe reaction to ketamine",
        means_yes=r"(?:allerg\w+|bad|severe|awful|terrible) (?:reaction|time|trip)\b[^.]*\bketamine|ketamine\b[^.]*\b(?:allerg\w+|reaction|went badly)",
        means_no=r"never (?:had|tried|taken|used|received|been given) (?:it|ketamine)|no experience with|first time",
        no_unless_yes=r"\bno (?:problems?|issues?|reactions?|trouble|side effects)\b|\b(?:went|was|were|did) (?:fine|ok|okay|well|great)\b|"
        r"\bnever (?:receive|received|got|get|had|tried|taken|used|been given)\b",
        said_in_passing=r"(?:allergic|allergy|bad reaction|severe reaction) (?:to )?ketamine|ketamine allergy",
    ),
    yes_no(
        "pressure_condition",
        "glaucoma, raised pressure in the head or a recent head injury",
        means_yes=r"glaucoma|(?:eye|eyes|ocular|intraocular) pressure|pressure (?:in|behind) my (?:eye|eyes|head)|"
        r"ocular hypertension|intracranial|head injury|concussion|hit my head|tbi|brain injury|pseudotumou?r|"
        r"\biih\b|hydrocephalus",
        no_with_note=r"years ago|as a (?:kid|child|teen)|long ago|fully recovered",
        said_in_passing=r"glaucoma|intracranial pressure|head injury|concussion",
    ),
    yes_no(
        "seizure_history",
        "a history of seizures",
        means_yes=r"seizures?|epilep\w+|convulsions?|fits\b|fitting",
        said_in_passing=r"seizures?|epilepsy|epileptic",
    ),
    Question("full_name", CONTACT, "your name", "Name", reader=parsing.parse_name, form=CONTACT_FORM),
    Question("email", CONTACT, "your email", "Email", reader=parsing.parse_email, form=CONTACT_FORM),
    Question("phone", CONTACT, "your phone number", "Phone", reader=parsing.parse_phone, form=CONTACT_FORM),
    Question("preferred_contact_time", CONTACT, "the best time to call", "Best time", form=CONTACT_FORM),
    Question(
        "contact_consent",
        CONTACT,
        "whether we may contact you",
        "Contact consent",
        reader=parsing.parse_yes_no,
        form=CONTACT_FORM,
    ),
)


def questions(form: Optional[str] = None) -> Tuple[Question, ...]:
    return tuple(q for q in QUESTIONS if form is None or q.form == form)


def screening_questions() -> Tuple[Question, ...]:
    return questions(SCREENING_FORM)


def screening_slots() -> List[str]:
    return [q.slot for q in screening_questions()]


def contact_slots() -> List[str]:
    return [q.slot for q in questions(CONTACT_FORM)]


def yes_no_questions() -> Tuple[Question, ...]:
    return tuple(q for q in QUESTIONS if q.kind == YES_NO)


def yes_no_slots() -> List[str]:
    return [q.slot for q in yes_no_questions()]


def find(slot: str) -> Optional[Question]:
    return next((q for q in QUESTIONS if q.slot == slot), None)


def by_slot(slot: str) -> Question:
    question = find(slot)
    if question is None:
        raise KeyError(f"no question in the catalogue fills slot {slot!r}")
    return question


def is_yes_no(slot: str) -> bool:
    question = find(slot)
    return question is not None and question.kind == YES_NO


def criterion_keys() -> Tuple[str, ...]:
    """Every key clinic_policy.yml `criteria` must set: the ones the questions feed, in asking order."""
    return tuple(dict.fromkeys(c for q in QUESTIONS for c in q.criteria))


def read_yes_no(text: str, slot: Optional[str] = None, intent: Optional[str] = None) -> parsing.YesNo:
    """The answer to the yes/no question `slot`, read with that question's own words (none: a plain yes/no)."""
    question = find(slot) if slot else None
    return parsing.read_yes_no(text, question.words if question else None, intent)


def find_volunteered(text: str) -> Dict[str, bool]:
    """Contraindications stated in passing, whatever question is open ("I have glaucoma" -> pressure_condition)."""
    patterns = {q.slot: q.words.said_in_passing for q in yes_no_questions() if q.words and q.words.said_in_passing}
    return parsing.find_volunteered(text, patterns)
