"""Generate the lexicon files from the hand-curated lists and a maintained drug vocabulary.

Outputs (all marked GENERATED; `make lexicon` rewrites them):
- bot/screening/lexicon_data/lexicon.generated.yml: every medication the actions recognise: the clinic classes
  curated by hand (medications.yml, which wins on any overlap), the everyday drugs, supplements and
  antibiotics with their classes (common_medications.yml), and each generic's synonyms and brand names
  from the DrugBank open-data vocabulary shipped by the PyPI package drug-named-entity-recognition.
- bot/screening/lexicon_data/english_words.generated.txt: common English words (wordfreq), minus drug names, so
  an answer's ordinary words ("for spasms") are never kept as an unknown medication.
- data/nlu/lexicon.generated.yml: Rasa lookup tables and synonyms, clinic-relevant names only (medications.yml
  `names` and conditions.yml), so training and model loading stay fast.

The vocabulary packages are generation-time only (requirements-lexicon.txt); the runtime reads the
generated YAML. `--rasa-only` rewrites data/nlu/lexicon.generated.yml without them (tests/unit/test_lexicon.py uses render()).
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import hashlib
import json
import pickle
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterable, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bot" / "screening" / "lexicon_data"
OUT_RASA = ROOT / "data" / "nlu" / "lexicon.generated.yml"
OUT_LEXICON = DATA / "lexicon.generated.yml"
OUT_WORDS = DATA / "english_words.generated.txt"
INPUTS = ("medications.yml", "common_medications.yml", "conditions.yml")
VOCAB_DIR = ROOT / ".cache" / "lexicon-vocab"  # `make lexicon` installs requirements-lexicon.txt here
VOCAB_PACKAGES = {"drug-named-entity-recognition": "2.0.9", "wordfreq": "3.1.1"}
ENGLISH_MAX_BUCKET = 650  # wordfreq cB buckets: frequency 10**(-bucket/100); 650 = Zipf 2.5 (3 per 10 million words)
# Our generic -> DrugBank canonical names whose synonyms it takes (when they differ from the generic).
VOCAB_ALIASES = {
    "insulin": [
        "insulin glargine",
        "insulin lispro",
        "insulin aspart",
        "insulin detemir",
        "insulin degludec",
        "insulin human",
    ],
    "carbidopa": ["carbidopa", "levodopa"],
    "ferrous sulfate": ["ferrous sulfate", "ferrous gluconate", "ferrous fumarate"],
    "fish oil": ["fish oil", "omega-3 fatty acids"],
    "coenzyme q10": ["ubidecarenone"],
    "divalproex": ["valproic acid"],
    "cannabidiol": ["cannabidiol"],
}
# Chat shorthand and condition abbreviations that are not in the frequency list but are never a drug.
EXTRA_ENGLISH = """hfa mdi respimat diskus ellipta handihaler flexpen kwikpen solostar autoinjector nebulizer neb nebs pen pens
vial vials syringe syringes kombucha succ tart sod ec sl sa hct ds ss cd ac dm yrs yr wks wk hrs hr mos mo prn bid tid qid qhs qd qam qpm po mg mcg iu ml cc otc rx meds med abt bc cuz coz idk
tho thru w wo ngl smth sth pls plz lol tbh imo rn atm asap aka ish pm am dr drs doc docs pcp gerd afib copd ibs bph uti hbp htn t2d dm
ra ms pots eds ocd ptsd adhd mdd gad rls cfs tmj sle ckd chf cad hypothyroid hashimotos hypothyroidism pcos ed endo gp np pa
er xr sr cr la xl odt hcl ir dr tabs caps gummies gummy otc rx'd prescribed""".split()


def _load_yaml(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def inputs_digest() -> str:
    """sha256 over the hand-curated inputs: tests compare it with the generated file's header."""
    h = hashlib.sha256()
    for name in INPUTS:
        h.update((DATA / name).read_bytes())
    return h.hexdigest()[:16]


# --- data/nlu/lexicon.generated.yml (Rasa) -------------------------------------------------------
def rasa_medication_forms(curated: dict) -> Dict[str, str]:
    """Clinic-relevant names for the RegexEntityExtractor: curated `names` and class words, no street or illicit names."""
    forms: Dict[str, str] = {}
    for generic, entry in curated["medications"].items():
        if entry["class"] == "illicit":
            continue
        forms[generic] = generic
        for name in entry.get("names", []):
            forms[str(name).lower()] = generic
    for key, entry in curated["classes"].items():
        if key == "illicit" or key not in _RASA_CLASS_WORDS:
            continue
        for word in entry.get("words", []):
            forms[str(word).lower()] = key
    return forms


# Class words the NLU model was trained with (the clinic classes); everyday-class words stay on the actions side.
_RASA_CLASS_WORDS = {
    "benzodiazepine",
    "lamotrigine",
    "maoi",
    "stimulant",
    "naltrexone",
    "theophylline",
    "antipsychotic",
    "opioid",
    "ssri",
    "snri",
    "tca",
    "gabapentinoid",
    "nsaid",
    "muscle_relaxant",
    "triptan",
    "lithium",
    "st_johns_wort",
    "memantine",
}


def condition_forms(conditions: dict) -> Dict[str, str]:
    forms: Dict[str, str] = {}
    for canonical, phrases in conditions["conditions"].items():
        forms[canonical.replace("_", " ")] = canonical
        for phrase in phrases:
            forms[str(phrase).lower()] = canonical
    return forms


def render() -> str:
    """data/nlu/lexicon.generated.yml from the hand-curated files alone (no vocabulary package needed)."""
    curated, conditions = _load_yaml("medications.yml"), _load_yaml("conditions.yml")
    lines = [
        "# GENERATED by scripts/generate_lexicon_data.py from bot/screening/lexicon_data/medications.yml and conditions.yml"
        " (clinic-relevant names only). Do not edit by hand.",
        'version: "3.1"',
        "nlu:",
    ]
    for entity, forms in (("medication", rasa_medication_forms(curated)), ("condition", condition_forms(conditions))):
        lines += [f"  - lookup: {entity}", "    examples: |"]
        # Longest first: Rasa joins a lookup table into one regex alternation, where the first match wins,
        # so "phantom limb pain" must come before "phantom limb".
        lines += [f"      - {form}" for form in sorted(forms, key=lambda f: (-len(f), f))]
        by_value = defaultdict(list)
        for form, value in forms.items():
            if form != value:
                by_value[value].append(form)
        for value in sorted(by_value):
            lines += [f"  - synonym: {value}", "    examples: |"]
            lines += [f"      - {form}" for form in sorted(by_value[value])]
    return "\n".join(lines) + "\n"


# --- the vocabulary packages ------------------------------------------------------------------------
def _package_file(vocab_dir: Path, *parts: str) -> Path:
    path = vocab_dir.joinpath(*parts)
    if not path.exists():
        sys.exit(f"error: {path} not found; run `make lexicon` (installs requirements-lexicon.txt into {vocab_dir})")
    return path


def _installed_version(vocab_dir: Path, package: str) -> str:
    dist = package.replace("-", "_")
    found = sorted(vocab_dir.glob(f"{dist}-*.dist-info"))
    if not found:
        sys.exit(f"error: {package} is not installed in {vocab_dir}; run `make lexicon`")
    version = found[-1].name[len(dist) + 1 : -len(".dist-info")]
    if version != VOCAB_PACKAGES[package]:
        sys.exit(f"error: {package} {version} in {vocab_dir}, expected {VOCAB_PACKAGES[package]}")
    return version


def load_drugbank(vocab_dir: Path) -> Dict[str, List[str]]:
    """DrugBank canonical name -> its variants (lowercase), from the package's bundled dictionary."""
    path = _package_file(vocab_dir, "drug_named_entity_recognition", "drug_ner_dictionary.pkl.bz2")
    with bz2.open(path, "rb") as fh:
        data = pickle.load(fh)  # the pinned package's own data file (plain dicts and lists)
    variants: Dict[str, List[str]] = defaultdict(list)
    for variant, canonicals in data["drug_variant_to_canonical"].items():
        for canonical in canonicals:
            variants[canonical].append(variant)
    variants["__ambiguous__"] = [v for v, cs in data["drug_variant_to_canonical"].items() if len(cs) > 1]
    variants["__marketed__"] = [c for c, d in data["drug_canonical_to_data"].items() if d.get("medline_plus_id")]
    return variants


def load_wordfreq(vocab_dir: Path) -> Dict[str, int]:
    """English word -> frequency bucket (lower is more frequent) from wordfreq's bundled 'large' list."""
    import msgpack  # in requirements.lock (a Rasa dependency)

    path = _package_file(vocab_dir, "wordfreq", "data", "large_en.msgpack.gz")
    with gzip.open(path, "rb") as fh:
        packed = msgpack.load(fh, raw=False)
    return {word: bucket for bucket, words in enumerate(packed[1:]) for word in words}


# --- the merged lexicon -----------------------------------------------------------------------------
_TOKEN = re.compile(r"[a-z0-9]+")
_VARIANT_OK = re.compile(r"^[a-z][a-z0-9 -]*[a-z0-9]$")


def _check_names(where: str, names: Iterable) -> None:
    """Every name is a string with a letter (an unquoted "vitamin d 50,000" in a YAML list splits in two)."""
    for name in names:
        if not isinstance(name, str) or not re.search(r"[a-z]", name.lower()):
            sys.exit(f"error: {where}: {name!r} is not a name (quote names that hold a comma or are numbers)")


def _words(text: str) -> List[str]:
    return _TOKEN.findall(text.lower().replace("'", ""))


def build(vocab_dir: Path) -> tuple[str, str]:
    """(lexicon.generated.yml, english_words.generated.txt) from the curated lists and the vocabulary."""
    curated, common = _load_yaml("medications.yml"), _load_yaml("common_medications.yml")
    conditions = _load_yaml("conditions.yml")
    drugbank = load_drugbank(vocab_dir)
    freq = load_wordfreq(vocab_dir)
    versions = {p: _installed_version(vocab_dir, p) for p in VOCAB_PACKAGES}

    classes = curated["classes"]
    never_match = [str(w).lower() for w in curated.get("never_match", [])]
    meds: Dict[str, dict] = {}
    owner: Dict[str, str] = {}  # surface form -> generic

    def claim(form: str, generic: str) -> bool:
        """Give a surface form to one generic; False when it is empty or already taken (listed once)."""
        form = str(form).lower().strip()
        if not form or form in owner:
            return False
        owner[form] = generic
        return True

    for generic, entry in curated["medications"].items():  # curated first: it wins every clash
        if entry["class"] not in classes:
            sys.exit(f"error: medications.yml: {generic} has unknown class {entry['class']!r}")
        for key in ("names", "more", "street"):
            _check_names(f"medications.yml {generic}.{key}", entry.get(key, []))
        for names in (entry.get("as_class") or {}).values():
            _check_names(f"medications.yml {generic}.as_class", names)
        out = {"class": entry["class"], "names": [], "street": [], "vocabulary": []}
        claim(generic, generic)
        out["names"] = [str(n).lower() for n in entry.get("names", []) + entry.get("more", []) if claim(n, generic)]
        out["street"] = [str(n).lower() for n in entry.get("street", []) if claim(n, generic)]
        if entry.get("as_class"):
            out["as_class"] = {
                c: [str(n).lower() for n in names if claim(n, generic)] for c, names in entry["as_class"].items()
            }
        meds[generic] = out
    for drug_class, entries in common.items():
        if drug_class not in classes:
            sys.exit(f"error: common_medications.yml: unknown class {drug_class!r}")
        for generic, names in entries.items():
            if generic in meds:
                sys.exit(f"error: {generic} is in both medications.yml and common_medications.yml")
            _check_names(f"common_medications.yml {generic}", names or [])
            if not claim(generic, generic):
                sys.exit(f"error: common_medications.yml: {generic} is already a name of {owner[generic]}")
            meds[generic] = {
                "class": drug_class,
                "names": [str(n).lower() for n in names or [] if claim(n, generic)],
                "street": [],
                "vocabulary": [],
            }

    # Words that must never become a synonym: ordinary English, never_match, condition words, class words.
    english = {w for w, b in freq.items() if b <= 650}
    blocked = set(never_match) | set(english)
    for phrase in condition_forms(conditions):
        blocked.update(phrase.split())
    for entry in classes.values():
        blocked.update(str(w).lower() for w in entry.get("words", []))
    other_names = {w for form in owner for w in _words(form) if len(w) >= 5}
    ambiguous = set(drugbank["__ambiguous__"])

    added = 0
    for generic, entry in meds.items():
        if entry["class"] == "illicit":
            continue  # street names are curated by hand; DrugBank's chemical synonyms add nothing there
        own = set(_words(generic)) | {w for n in entry["names"] for w in _words(n)}
        for canonical in VOCAB_ALIASES.get(generic, [generic]):
            for variant in sorted(drugbank.get(canonical, [])):
                v = variant.lower().strip()
                words = _words(v)
                if (
                    not _VARIANT_OK.match(v)
                    or len(v) < 5
                    or len(words) > 4
                    or v in ambiguous
                    or v in blocked
                    or (len(words) == 1 and v in english)
                    or any(w in other_names and w not in own for w in words)  # names another drug
                    or all(w in english for w in words)
                    and not own & set(words)
                ):
                    continue
                if claim(v, generic):
                    entry["vocabulary"].append(v)
                    added += 1

    # English words, minus anything that names a drug (ours, or a marketed drug DrugBank knows).
    drug_words = set(owner)
    for canonical in drugbank["__marketed__"]:
        drug_words.add(canonical)
        drug_words.update(drugbank.get(canonical, []))
    words = sorted(
        {w for w, b in freq.items() if b <= ENGLISH_MAX_BUCKET and re.fullmatch(r"[a-z]+(?:'[a-z]+)?", w)} - drug_words
        | set(EXTRA_ENGLISH)
    )

    header = [
        "# GENERATED by scripts/generate_lexicon_data.py (`make lexicon`). Do not edit by hand: edit",
        "# bot/screening/lexicon_data/medications.yml (clinic classes, street names) or common_medications.yml, then regenerate.",
        "# The body is JSON (valid YAML) so the action server parses it in milliseconds.",
        "# Sources: hand-curated lists above; synonyms from the DrugBank open-data vocabulary (CC0) as shipped by",
        f"# drug-named-entity-recognition {versions['drug-named-entity-recognition']} (MIT, PyPI);"
        f" English word list from wordfreq {versions['wordfreq']}.",
        f"# inputs sha256: {inputs_digest()}",
        f"# {len(meds)} generics, {len(owner)} surface forms ({added} from the vocabulary).",
    ]
    body = {
        "classes": classes,
        "never_match": never_match,
        "only_when_asked": [str(w).lower() for w in curated.get("only_when_asked", [])],
        "medications": {},
    }
    for generic in sorted(meds):
        entry = {k: v for k, v in meds[generic].items() if v or k == "class"}
        body["medications"][generic] = entry
    text = "\n".join(header) + "\n" + _json_yaml(body)
    words_text = (
        "\n".join(
            [
                f"# GENERATED by scripts/generate_lexicon_data.py from wordfreq {versions['wordfreq']} (data CC BY-SA 4.0,",
                "# https://github.com/rspeer/wordfreq): English words with Zipf frequency >= 2.5, minus drug names, plus chat",
                "# shorthand. An unknown word in a medication answer that is on this list is not kept as a medication.",
            ]
            + words
        )
        + "\n"
    )
    return text, words_text


def _json_yaml(body: dict) -> str:
    """The body as JSON, one class or medication a line: valid YAML that the runtime parses with json (fast start)."""

    def section(name: str, mapping: dict) -> str:
        rows = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=True)}" for k, v in mapping.items()]
        return f" {json.dumps(name)}: {{\n" + ",\n".join(rows) + "\n }"

    parts = [
        section("classes", body["classes"]),
        f' "never_match": {json.dumps(body["never_match"])}',
        f' "only_when_asked": {json.dumps(body["only_when_asked"])}',
        section("medications", body["medications"]),
    ]
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rasa-only",
        action="store_true",
        help="rewrite data/nlu/lexicon.generated.yml only (no vocabulary packages needed)",
    )
    parser.add_argument("--vocab-dir", type=Path, default=VOCAB_DIR)
    args = parser.parse_args()
    if not args.rasa_only:
        lexicon_text, words_text = build(args.vocab_dir)
        OUT_LEXICON.write_text(lexicon_text, encoding="utf-8")
        OUT_WORDS.write_text(words_text, encoding="utf-8")
        print(f"wrote {OUT_LEXICON.relative_to(ROOT)} and {OUT_WORDS.relative_to(ROOT)}")
    rendered = render()
    if not OUT_RASA.exists() or OUT_RASA.read_text(encoding="utf-8") != rendered:
        OUT_RASA.write_text(rendered, encoding="utf-8")
        print(f"wrote {OUT_RASA.relative_to(ROOT)} (changed: retrain with `make train`)")
    else:
        print(f"{OUT_RASA.relative_to(ROOT)} unchanged")


if __name__ == "__main__":
    main()
