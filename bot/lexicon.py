"""Medication and condition lexicon: what visitors type -> generic name, class, canonical condition.

One source of truth (bot/lexicon_data/*.yml) serves both Rasa (generated lookup tables and
synonyms in data/lexicon.yml) and the actions (validation with fuzzy matching). Fuzzy matching
only ever proposes lexicon entries and is guarded by a list of ordinary words, so "pain" or
"nothing" can never become a drug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml
from rapidfuzz import fuzz, process

DATA_DIR = Path(__file__).resolve().parent / "lexicon_data"
FUZZY_CUTOFF = 85
MIN_FUZZY_LENGTH = 5

# Words that say "no medication" when they are the whole answer.
NONE_PATTERNS = re.compile(
    r"^\s*(?:no(?:ne|pe|thing)?|nada|zero|nothing at all|none at all|n/?a|no meds?|no medications?|"
    r"not (?:taking|on) any(?:thing)?(?: (?:meds?|medications?))?|"
    r"i(?:'m| am)? not (?:taking|on) any(?:thing)?(?: (?:meds?|medications?|medicines?))?(?: right now| currently| at the moment)?|"
    r"i (?:don'?t|do not) take any(?:thing)?(?: (?:meds?|medications?|medicines?|pills))?(?: right now| currently| at the moment)?|"
    r"no,? i (?:don'?t|do not)(?: take any(?:thing)?)?)\s*[.!]*\s*$",
    re.IGNORECASE,
)
# Filler stripped from each item of a medication answer before it is looked up.
_FILLER = re.compile(
    r"\b(?:i(?:'m| am)?|take|takes|taking|took|on|currently|also|and|plus|some|my|the|a|an|for|"
    r"daily|nightly|every|day|night|morning|evening|as|needed|prn|twice|once|times|tablets?|pills?|"
    r"meds?|medications?|medicines?|prescribed|use|using|just|only|too|as well|sometimes|occasionally|"
    r"mg|mcg|ml|milligrams?|\d+(?:\.\d+)?\s*(?:mg|mcg|ml)?|x)\b",
    re.IGNORECASE,
)
_SPLIT = re.compile(r",|;|/|\+|&|\band\b|\bplus\b|\bwith\b|\n", re.IGNORECASE)


@dataclass(frozen=True)
class Medication:
    """A medication as the bot understood it."""

    typed: str
    generic: str
    drug_class: Optional[str]
    class_label: Optional[str]
    class_only: bool = False  # "benzos": the class was named, not a drug

    @property
    def recognised(self) -> bool:
        return self.drug_class is not None

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

    def __init__(self, medications: dict, conditions: dict) -> None:
        self.classes: Dict[str, dict] = medications["classes"]
        self.generic_class: Dict[str, str] = {}
        self.surface: Dict[str, str] = {}  # surface form -> generic (or class key for class words)
        for generic, entry in medications["medications"].items():
            self.generic_class[generic] = entry["class"]
            self.surface[generic] = generic
            for name in entry.get("names", []):
                self.surface[str(name).lower()] = generic
        for key, entry in self.classes.items():
            for word in entry.get("words", []):
                self.surface[str(word).lower()] = key
        self.never_match = {str(w).lower() for w in medications.get("never_match", [])}
        self.condition_phrases: Dict[str, str] = {}
        for canonical, phrases in conditions["conditions"].items():
            self.condition_phrases[canonical.replace("_", " ")] = canonical
            for phrase in phrases:
                self.condition_phrases[str(phrase).lower()] = canonical
        for phrase in self.condition_phrases:
            self.never_match.update(phrase.split())
        self._med_regex = _alternation(self.surface)
        self._condition_regex = _alternation(self.condition_phrases)
        self._fuzzy_choices = [s for s in self.surface if len(s) >= MIN_FUZZY_LENGTH]

    # --- medications -------------------------------------------------
    def medication(self, typed: str, generic: str) -> Medication:
        class_only = generic not in self.generic_class and generic in self.classes
        cls = generic if class_only else self.generic_class.get(generic)
        label = self.classes[cls]["label"] if cls else None
        return Medication(typed=typed, generic=generic, drug_class=cls, class_label=label, class_only=class_only)

    def resolve(self, name: str) -> Optional[Medication]:
        """One typed name -> Medication, exact first, then fuzzy within the lexicon; None if unknown."""
        key = _norm(name)
        if not key:
            return None
        if key in self.surface:
            return self.medication(name.strip(), self.surface[key])
        if key in self.generic_class or key in self.classes:
            return self.medication(name.strip(), key)
        if key in self.never_match or len(key) < MIN_FUZZY_LENGTH:
            return None
        best = process.extractOne(key, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best is None:
            return None
        return self.medication(name.strip(), self.surface[best[0]])

    def find_medications(self, text: str) -> List[Medication]:
        """Every known medication mentioned anywhere in free text (exact forms, then fuzzy per word)."""
        found: List[Medication] = []
        covered: List[Tuple[int, int]] = []
        for m in self._med_regex.finditer(text):
            found.append(self.medication(m.group(0), self.surface[m.group(0).lower()]))
            covered.append(m.span())
        for m in re.finditer(r"[A-Za-z][A-Za-z'-]{%d,}" % (MIN_FUZZY_LENGTH - 1), text):
            if any(a <= m.start() < b for a, b in covered):
                continue
            word = m.group(0)
            if _norm(word) in self.never_match or _norm(word) in COMMON_WORDS:
                continue
            med = self.resolve(word)
            if med:
                found.append(med)
        return _unique(found)

    def parse_medication_answer(self, text: str) -> Optional[List[Medication]]:
        """The answer to "which medications do you take?": [] for none, unknown names kept as typed.

        Returns None when the text holds nothing that looks like an answer.
        """
        if NONE_PATTERNS.match(text.strip()):
            return []
        meds = list(self.find_medications(text))
        known_spans = self._med_regex.sub(" ", text)
        for item in _SPLIT.split(known_spans):
            leftover = _FILLER.sub(" ", item)
            leftover = re.sub(r"[^A-Za-z' -]", " ", leftover)
            leftover = re.sub(r"\s+", " ", leftover).strip(" -'")
            if not leftover:
                continue
            words = [
                w for w in leftover.split()
                if len(w) > 1 and _norm(w) not in COMMON_WORDS and _norm(w) not in self.never_match
            ]
            if not words:
                continue
            candidate = " ".join(words)
            if self.resolve(candidate) or any(self.resolve(w) for w in words):
                continue  # already found above (fuzzy)
            if len(words) <= 3:
                meds.append(Medication(typed=candidate.lower(), generic=candidate.lower(), drug_class=None, class_label=None))
        return _unique(meds) if meds else None

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


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().strip(".,!?;:'\"()"))


def _alternation(forms: Iterable[str]) -> re.Pattern:
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:%s)(?![\w-])" % "|".join(re.escape(f) for f in ordered), re.IGNORECASE)


def _unique(meds: List[Medication]) -> List[Medication]:
    seen, out = set(), []
    for med in meds:
        if med.generic not in seen:
            seen.add(med.generic)
            out.append(med)
    return out


@lru_cache(maxsize=None)
def load_lexicon(data_dir: Optional[str] = None) -> Lexicon:
    """Load the lexicon once per process (it is read-only)."""
    base = Path(data_dir) if data_dir else DATA_DIR
    meds = yaml.safe_load((base / "medications.yml").read_text(encoding="utf-8"))
    conds = yaml.safe_load((base / "conditions.yml").read_text(encoding="utf-8"))
    return Lexicon(meds, conds)
