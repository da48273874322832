"""Medication and condition lexicon: what visitors type -> generic name, class, canonical condition.

The actions read bot/screening/lexicon_data/lexicon.generated.yml (the hand-curated clinic classes merged with the
everyday drugs, supplements, antibiotics and the DrugBank vocabulary by scripts/generate_lexicon_data.py);
Rasa gets only the clinic-relevant names (data/nlu/lexicon.generated.yml). Lookup is by word n-grams in a dict, so a
few thousand names cost nothing per message. Fuzzy matching only ever proposes curated names and never
touches an ordinary English word, so "pain", "spasms" or "nothing" can never become a drug.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Tuple

import yaml
from rapidfuzz import fuzz, process

DATA_DIR = Path(__file__).resolve().parent / "lexicon_data"
LEXICON_FILE = "lexicon.generated.yml"
WORDS_FILE = "english_words.generated.txt"
FUZZY_CUTOFF = 85
MIN_FUZZY_LENGTH = 5
MAX_FORM_WORDS = 6

# Words that say "no medication" when they are the whole answer.
NONE_PATTERNS = re.compile(
    r"^\s*(?:no(?:ne|pe|thing)?|nada|zero|nothing at all|none at all|n/?a|no meds?|no medications?|"
    r"no (?:prescriptions?|prescription (?:meds?|medications?|drugs?)|pills|drugs|medicines?)|none (?:currently|right now|at the moment)|"
    r"not (?:taking|on) any(?:thing)?(?: (?:meds?|medications?))?|nothing (?:currently|right now|regularly|daily|prescribed)|"
    r"i(?:'m| am)? not (?:taking|on) any(?:thing)?(?: (?:meds?|medications?|medicines?))?(?: right now| currently| at the moment)?|"
    r"i (?:don'?t|do not) take any(?:thing)?(?: (?:meds?|medications?|medicines?|pills))?(?: right now| currently| at the moment)?|"
    r"no,? i (?:don'?t|do not)(?: take any(?:thing)?)?)\s*[.!]*\s*$",
    re.IGNORECASE,
)
# Words around drug names in an answer that are never a medication themselves (doses, schedules, filler).
_FILLER = frozenset(
    """i im i'm am take takes taking took on currently also and plus some my the a an daily nightly every day night
    morning evening as needed prn twice once times tablet tablets pill pills med meds medication medications medicine
    medicines prescribed use using just only too well sometimes occasionally mg mcg ml milligram milligrams x""".split()
)
# A purpose or time clause ("for spasms", "when I have a panic attack", "at night"): its words are skipped
# until a word that starts another item ("... I also take zorblex").
_CLAUSE_START = frozenset(
    "for when whenever if because cause cuz since after before during until while at in to from bc".split()
)
_CLAUSE_END = frozenset("take takes taking use uses using on also plus".split())
# A drug named right after these words is an allergy, not a medication taken.
_ALLERGY = re.compile(r"\b(?:allergic|allergy|allergies|intolerant|reaction)\b(?:\s+(?:to|with|from))?[\s:,-]*$", re.I)
# Cues that a named drug is not taken now: a negation (even for street drugs) or past use (not for street drugs).
_NOT_TAKEN = re.compile(
    r"\b(?:(?P<neg>no(?!\s+longer)|not|never|none|nothing|don'?t|do not|doesn'?t|does not|without|denies)|"
    r"stopped|quit|used to|no longer|came off|weaned off|tapered off|discontinued|tried|was on|were on|got off|went off)\b",
    re.I,
)
_RESET = re.compile(
    r"\b(?:now|currently|but|except|besides|other than|just|only|still|today|these days|instead|apart from|aside from|also)\b",
    re.I,
)
_PAST_AFTER = re.compile(
    r"^[^,;.\n]*?\b(?:stopped|quit|not anymore|no longer|discontinued|in the past|used to|(?:were|was) (?:finished|done|over)|"
    r"finished (?:years|months|weeks|a while) ago|(?:years|months) ago|back then)\b",
    re.I,
)
_STREET = re.compile(
    r"\b(?:street|illegal(?:ly)?|illicit|black market|dealer|plug|not prescribed|non-?prescribed|without a (?:prescription|script)|"
    r"bought|buy|recreational(?:ly)?|to get high|get high|party|partying|from (?:a|my) (?:friend|buddy|cousin|brother|sister)|"
    r"(?:a |my )?friend'?s|not mine|someone else'?s|snort(?:ing)?|shoot(?:ing)? up|pressed)\b",
    re.I,
)
_CLAUSE_BREAK = re.compile(r"[,;.\n()]")
SUBSTANCE_CLASS = "illicit"  # the class whose entries count as substance use (street drugs, kratom)
_SPLIT = re.compile(r",|;|/|\+|&|\||\band\b|\bplus\b|\bwith\b|\bthen\b|\n|\.(?:\s|$)", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")
_KEY_WORD = re.compile(r"[a-z0-9]+")


def _key(text: str) -> str:
    """The lookup key of a name or a span of text: lowercase words, apostrophes and punctuation dropped."""
    return " ".join(_KEY_WORD.findall(text.lower().replace("'", "").replace("\u2019", "")))


@dataclass(frozen=True)
class Medication:
    """A medication as the bot understood it."""

    typed: str
    generic: str
    drug_class: Optional[str]
    class_label: Optional[str]
    class_only: bool = False  # "benzos": the class was named, not a drug
    key: str = ""  # the slot value: the generic, or the form itself when it names the drug in another class

    @property
    def recognised(self) -> bool:
        return self.drug_class is not None

    @property
    def slot_value(self) -> str:
        """What the `medications` slot keeps; lexicon.resolve(slot_value) gives this medication back."""
        return self.key or self.generic

    def describe(self) -> str:
        """'Xanax (alprazolam), a benzodiazepine' for the read-back."""
        if not self.recognised:
            return f"{self.typed} (a name I don't recognise; a clinician will check it)"
        if self.class_only:
            return f"{self.typed}: {self.class_label}, type not named"
        if _norm(self.typed) == self.generic:
            return f"{self.generic}, {self.class_label}"
        return f"{self.typed[:1].upper()}{self.typed[1:]} ({self.generic}), {self.class_label}"


class Lexicon:
    """Lookups over the medication and condition tables."""

    def __init__(self, medications: dict, conditions: dict, english: FrozenSet[str] = frozenset()) -> None:
        self.classes: Dict[str, dict] = medications["classes"]
        self.generic_class: Dict[str, str] = {}
        self.surface: Dict[str, str] = {}  # lookup key -> generic (or class key for class words)
        self.surface_class: Dict[str, str] = {}  # lookup key -> class, where the form names the drug in another class
        fuzzy: List[str] = []
        for generic, entry in medications["medications"].items():
            self.generic_class[generic] = entry["class"]
            for name in [generic, *entry.get("names", [])]:
                self._add(name, generic)
                fuzzy.append(_key(name))
            for name in [*entry.get("street", []), *entry.get("vocabulary", [])]:
                self._add(name, generic)
            for cls, names in (entry.get("as_class") or {}).items():
                for name in names:
                    self._add(name, generic)
                    self.surface_class[_key(name)] = cls
        for key, entry in self.classes.items():
            for word in entry.get("words", []):
                self._add(word, key)
        # generic -> the form naming it as a street drug ("street fentanyl"), for "fentanyl off the street"
        self._street_form = {}
        for generic, entry in medications["medications"].items():
            names = (entry.get("as_class") or {}).get(SUBSTANCE_CLASS)
            if names:
                self._street_form[generic] = _key(names[0])
        self.never_match = {str(w).lower() for w in medications.get("never_match", [])}
        self.only_when_asked = {_key(str(w)) for w in medications.get("only_when_asked", [])}
        self.english = english
        self.condition_phrases: Dict[str, str] = {}
        for canonical, phrases in conditions["conditions"].items():
            self.condition_phrases[canonical.replace("_", " ")] = canonical
            for phrase in phrases:
                self.condition_phrases[str(phrase).lower()] = canonical
        for phrase in self.condition_phrases:
            self.never_match.update(phrase.split())
        self._condition_regex = _alternation(self.condition_phrases)
        self._fuzzy_choices = sorted({f for f in fuzzy if len(f) >= MIN_FUZZY_LENGTH and f in self.surface})

    def _add(self, name: str, value: str) -> None:
        key = _key(str(name))
        if key and key not in self.surface:
            self.surface[key] = value

    # --- medications -------------------------------------------------
    def medication(self, typed: str, generic: str, key: Optional[str] = None) -> Medication:
        class_only = generic not in self.generic_class and generic in self.classes
        cls = generic if class_only else self.generic_class.get(generic)
        slot = ""
        if key and key in self.surface_class:
            cls, slot = self.surface_class[key], key
        label = self.classes[cls]["label"] if cls else None
        return Medication(
            typed=typed, generic=generic, drug_class=cls, class_label=label, class_only=class_only, key=slot
        )

    def resolve(self, name: str) -> Optional[Medication]:
        """One typed name -> Medication, exact first, then fuzzy within the lexicon; None if unknown."""
        key = _key(name)
        if not key:
            return None
        if key in self.surface:
            return self.medication(name.strip(), self.surface[key], key)
        if key in self.generic_class or key in self.classes:
            return self.medication(name.strip(), key)
        if not self._may_fuzzy(key):
            return None
        best = process.extractOne(key, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best is None:
            return None
        return self.medication(name.strip(), self.surface[best[0]], best[0])

    def _may_fuzzy(self, key: str) -> bool:
        """Only a word that is no ordinary word may be read as a misspelt drug name."""
        return (
            len(key) >= MIN_FUZZY_LENGTH
            and key not in self.never_match
            and key not in COMMON_WORDS
            and key not in self.english
            and not any(c.isdigit() for c in key)
        )

    def _scan(self, text: str) -> List[Tuple[int, int, Medication]]:
        """(start, end, medication) for every name in the text: longest exact word n-gram, then fuzzy per word."""
        tokens = [(m.start(), m.end(), _key(m.group(0))) for m in _TOKEN.finditer(text)]
        found: List[Tuple[int, int, Medication]] = []
        i = 0
        while i < len(tokens):
            for n in range(min(MAX_FORM_WORDS, len(tokens) - i), 0, -1):
                key = " ".join(t[2] for t in tokens[i : i + n])
                if key in self.surface:
                    start, end = tokens[i][0], tokens[i + n - 1][1]
                    found.append((start, end, self.medication(text[start:end], self.surface[key], key)))
                    i += n
                    break
            else:
                start, end, key = tokens[i]
                if self._may_fuzzy(key) and key.isalpha():
                    best = process.extractOne(key, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                    if best:
                        found.append((start, end, self.medication(text[start:end], self.surface[best[0]], best[0])))
                i += 1
        return found

    def find_medications(self, text: str, asked: bool = False) -> List[Medication]:
        """Every known medication mentioned anywhere in free text (exact forms, then fuzzy per word).

        Names that are also everyday words ("bars", "pot", "crack") count only when `asked` (the text
        answers a medication question): "the pain feels like a crack" elsewhere names no drug.
        """
        return _unique([med for _, _, med in self._scan(text) if asked or _key(med.typed) not in self.only_when_asked])

    def parse_medication_answer(self, text: str) -> Optional[List[Medication]]:
        """The answer to "which medications do you take?": [] for none, unknown names kept as typed.

        Purpose and time clauses ("for spasms", "when I have a panic attack", "at night"), doses and
        ordinary words are not medications; a drug named as an allergy is not one the visitor takes.
        Returns None when the text holds nothing that looks like an answer.
        """
        if NONE_PATTERNS.match(text.strip()):
            return []
        meds: List[Medication] = []
        masked = list(text)
        named = False
        for start, end, med in self._scan(text):
            masked[start:end] = "|" * (end - start)
            named = True
            med = self._in_context(text, start, end, med)
            if _ALLERGY.search(text[max(0, start - 40) : start]) or self._not_taken(text, start, end, med):
                continue
            meds.append(med)
        allergy_item = False
        for item in _SPLIT.split("".join(masked)):
            words = self._unknown_words(item, allergy_item)
            allergy_item = bool(_ALLERGY.search(item)) and not words
            if words and len(words) <= 3:
                candidate = " ".join(words).lower()
                meds.append(Medication(typed=candidate, generic=candidate, drug_class=None, class_label=None))
        if not meds:
            return [] if named else None  # "no benzos, never opioids": names, none taken
        return _unique(meds)

    def _not_taken(self, text: str, start: int, end: int, med: Medication) -> bool:
        """'no xanax', 'never used heroin', 'stopped lyrica last year', 'tried gabapentin': not a current medication.

        Past use of a street drug still counts (substance-use history): only a negation drops it.
        """
        window = text[_clause_start(text, start) : start]
        cue = None
        for cue in _NOT_TAKEN.finditer(window):  # noqa: B007  (runs to the last cue, the one nearest the drug)
            pass
        if cue is not None and not _RESET.search(window[cue.end() :]):
            if cue.group("neg") or med.drug_class != SUBSTANCE_CLASS:
                return True
        return med.drug_class != SUBSTANCE_CLASS and bool(_PAST_AFTER.match(text[end:]))

    def _in_context(self, text: str, start: int, end: int, med: Medication) -> Medication:
        """A drug with a street form ('fentanyl off the street') is read in its street class when the clause says so."""
        street_key = self._street_form.get(med.generic)
        if not street_key or med.drug_class == self.surface_class.get(street_key):
            return med
        clause = text[_clause_start(text, start) : _clause_end(text, end)]
        if _STREET.search(clause):
            return self.medication(med.typed, med.generic, street_key)
        return med

    def _unknown_words(self, item: str, after_allergy: bool) -> List[str]:
        """The words of one answer item that could be a medication name nobody listed."""
        if after_allergy or _ALLERGY.search(item):
            return []
        cue = None
        for cue in _NOT_TAKEN.finditer(item):  # noqa: B007  (runs to the last cue, the one nearest the drug)
            pass
        if cue is not None and not _RESET.search(item[cue.end() :]):
            return []
        kept: List[str] = []
        skipping = False
        for raw in _TOKEN.findall(item):
            word = _key(raw)
            if word in _CLAUSE_START:
                skipping = True
                continue
            if word in _CLAUSE_END:
                skipping = False
                continue
            if skipping or not self._could_be_a_name(word):
                continue
            kept.append(raw)
        return kept

    def _could_be_a_name(self, word: str) -> bool:
        """Not a number or dose, not filler, not an ordinary English word (or a one-letter slip of one)."""
        if len(word) < 3 or any(c.isdigit() for c in word) or " " in word:
            return False
        if word in _FILLER or word in COMMON_WORDS or word in self.never_match or self._is_english(word):
            return False
        return self.resolve(word) is None

    def _is_english(self, word: str) -> bool:
        if word in self.english:
            return True
        for suffix in ("s", "es", "ed", "ing", "ly"):
            if word.endswith(suffix) and word[: -len(suffix)] in self.english:
                return True
        if len(word) >= 6:  # one slip of the keyboard away from an ordinary word ("stomache")
            return any(edit in self.english for edit in _one_edit(word))
        return False

    # --- conditions --------------------------------------------------
    def find_condition(self, text: str, fuzzy: bool = True) -> Optional[str]:
        """Canonical condition named in free text (longest phrase wins); fuzzy per word only when asked."""
        m = self._condition_regex.search(text)
        if m:
            return self.condition_phrases[m.group(0).lower()]
        if not fuzzy:
            return None
        choices = [p for p in self.condition_phrases if len(p) >= 6]
        for word in re.findall(r"[A-Za-z]{6,}", text):
            if _norm(word) in COMMON_WORDS:
                continue
            best = process.extractOne(word.lower(), choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if best:
                return self.condition_phrases[best[0]]
        return None

    # --- export for Rasa ----------------------------------------------
    def medication_surface_forms(self) -> Dict[str, str]:
        return dict(self.surface)

    def condition_surface_forms(self) -> Dict[str, str]:
        return dict(self.condition_phrases)


# A short list of ordinary chat words that fuzzy matching must never read as a drug name.
COMMON_WORDS = frozenset(
    """about above actually after again against allergic almost alone along already although always among another
    anything anyone around asked because before being below between better bottle brand called cannot capsule chronic
    clinic could currently daily dealing diagnosed doctor doesn every everything except feeling first forgot further
    generic getting gonna great having hello helps honestly hospital however husband infusion infusions inject
    injection ketamine least little maybe medical medicine medicines months morning nausea needed never night nothing
    often other otherwise patch please pounds prescribed prescription probably really refill right sleep something
    sometimes started still surgery taking tablet tablets thank thanks their there these thing
    things think those three through today tried twice under until using usually weeks where which
    while with without would years yesterday
    feel feels tired exhausted sleepy sick hurt hurts hurting aches aching sore worse awful terrible fine good bad""".split()
)


def _one_edit(word: str):
    """Every string one deletion, transposition, substitution or insertion away (Norvig's spelling corrector)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for left, right in splits:
        if right:
            yield left + right[1:]
            if len(right) > 1:
                yield left + right[1] + right[0] + right[2:]
            for c in letters:
                yield left + c + right[1:]
        for c in letters:
            yield left + c + right


def _clause_start(text: str, pos: int) -> int:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, 0, pos)]
    return breaks[-1] if breaks else 0


def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE_BREAK.search(text, pos)
    return m.start() if m else len(text)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().strip(".,!?;:'\"()"))


def _alternation(forms) -> re.Pattern:
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:%s)(?![\w-])" % "|".join(re.escape(f) for f in ordered), re.IGNORECASE)


def _unique(meds: List[Medication]) -> List[Medication]:
    """Each drug once (street fentanyl and a fentanyl patch are two: different classes)."""
    seen, out = set(), []
    for med in meds:
        if (med.generic, med.drug_class) not in seen:
            seen.add((med.generic, med.drug_class))
            out.append(med)
    return out


@cache
def load_lexicon(data_dir: Optional[str] = None) -> Lexicon:
    """Load the lexicon once per process (it is read-only)."""
    base = Path(data_dir) if data_dir else DATA_DIR
    # The generated file is YAML whose body is JSON: json parses it ~100x faster than a YAML parser.
    generated = (base / LEXICON_FILE).read_text(encoding="utf-8")
    meds = json.loads("\n".join(line for line in generated.splitlines() if not line.startswith("#")))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    conds = yaml.load((base / "conditions.yml").read_text(encoding="utf-8"), Loader=loader)
    words_path = base / WORDS_FILE
    english = (
        frozenset(
            line for line in words_path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
        )
        if words_path.exists()
        else frozenset()
    )
    return Lexicon(meds, conds, english)
