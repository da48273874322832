"""Score a medication list (tests/medications_holdout.yml format) through Lexicon.parse_medication_answer.

That is the path the actions take with a visitor's answer, so the scores are the bot's own. Forms pass
when the one medication read has an acceptable generic and the right class; answers pass when exactly
the expected generics are kept (or one of the alternatives) and, for `substance: true`, an illicit
substance is among them. Exits 1 when form recognition is below the floor or any answer keeps a word
that is not one of its medications.

    .venv/bin/python scripts/medication_eval.py tests/medications_dev.yml --report reports/medications_dev.md
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import List, Optional, Set

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORM_FLOOR = 0.97


def norm(name: str) -> str:
    return " ".join(str(name).lower().replace("_", " ").split())


def kept_names(meds) -> List[str]:
    return [norm(m.generic) for m in meds or []]


def describe(meds) -> str:
    if meds is None:
        return "(nothing read)"
    if not meds:
        return "[] (none)"
    return ", ".join(f"{m.generic} [{m.drug_class or 'unknown'}]" for m in meds)


def evaluate(path: Path, report: Optional[Path], verbose: bool = False) -> int:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != 1:
        sys.exit(f"error: {path}: expected a mapping with version: 1")
    t0 = time.perf_counter()
    from bot.screening.lexicon import load_lexicon

    lex = load_lexicon()
    load_s = time.perf_counter() - t0
    timings: List[float] = []

    def parse(text: str):
        start = time.perf_counter()
        meds = lex.parse_medication_answer(text)
        timings.append((time.perf_counter() - start) * 1000)
        return meds

    form_misses, per_class = [], defaultdict(lambda: [0, 0])
    forms = data.get("forms") or []
    for item in forms:
        text, want_cls = str(item["text"]), str(item["class"])
        wanted = {norm(g) for g in item["generic"]}
        meds = parse(text)
        ok = bool(meds) and len(meds) == 1 and norm(meds[0].generic) in wanted and meds[0].drug_class == want_cls
        per_class[want_cls][1] += 1
        if ok:
            per_class[want_cls][0] += 1
        else:
            form_misses.append((text, f"{'/'.join(sorted(wanted))} [{want_cls}]", describe(meds)))

    answer_misses, extra_words = [], []
    answers = data.get("answers") or []
    for item in answers:
        text = str(item["text"])
        options = [[norm(g) for g in item.get("expect") or []]] + [
            [norm(g) for g in alt] for alt in item.get("alternatives") or []
        ]
        meds = parse(text)
        kept = kept_names(meds)
        ok = any(set(kept) == set(opt) and len(kept) == len(set(kept)) for opt in options)
        if item.get("substance"):
            ok = ok and any(m.drug_class == "illicit" for m in meds or [])
        allowed: Set[str] = {g for opt in options for g in opt}
        # A class named without a drug ("a blood pressure pill") is a medication, unnamed: it is a
        # miss of the whole answer if not expected, but not a non-drug word kept as a medication.
        classes = {norm(m.generic) for m in meds or [] if getattr(m, "class_only", False)}
        extras = [k for k in kept if k not in allowed and k not in classes]
        if not ok:
            answer_misses.append((text, " | ".join(", ".join(o) or "[]" for o in options), describe(meds)))
            extra_words += [(text, e) for e in extras]

    form_rate = (len(forms) - len(form_misses)) / len(forms) if forms else 1.0
    answer_rate = (len(answers) - len(answer_misses)) / len(answers) if answers else 1.0
    p95 = sorted(timings)[int(0.95 * (len(timings) - 1))] if timings else 0.0
    lines = [
        f"# Medication recognition: {path.name}",
        "",
        "Scored through `Lexicon.parse_medication_answer` (the actions' path) by `scripts/medication_eval.py`.",
        "",
        "| measure | value | floor |",
        "|---|---|---|",
        f"| forms recognised (generic and class) | {len(forms) - len(form_misses)}/{len(forms)} = {form_rate:.3f} | {FORM_FLOOR} |",
        f"| whole answers exactly right | {len(answers) - len(answer_misses)}/{len(answers)} = {answer_rate:.3f} | |",
        f"| non-drug words kept as medications | {len(extra_words)} | 0 |",
        f"| lexicon load | {load_s * 1000:.0f} ms | |",
        f"| parse per answer | mean {statistics.mean(timings) if timings else 0:.2f} ms, p95 {p95:.2f} ms, max {max(timings) if timings else 0:.2f} ms | |",
        "",
        "## Forms by class",
        "",
        "| class | recognised |",
        "|---|---|",
    ]
    lines += [f"| {cls} | {ok}/{n} |" for cls, (ok, n) in sorted(per_class.items())]
    lines += ["", f"## Form misses ({len(form_misses)})", ""]
    lines += (
        ["| typed | expected | read |", "|---|---|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in form_misses]
        if form_misses
        else ["none"]
    )
    lines += ["", f"## Answer misses ({len(answer_misses)})", ""]
    lines += (
        ["| answer | expected | kept |", "|---|---|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in answer_misses]
        if answer_misses
        else ["none"]
    )
    lines += ["", f"## Non-drug words kept ({len(extra_words)})", ""]
    lines += [f'- `{w}` in "{t}"' for t, w in extra_words] if extra_words else ["none"]
    text = "\n".join(lines) + "\n"
    failed = []
    if form_rate < FORM_FLOOR:
        failed.append(f"form recognition {form_rate:.3f} < {FORM_FLOOR}")
    if extra_words:
        failed.append(f"{len(extra_words)} non-drug word(s) kept")
    if verbose or failed:  # a failure shows the summary table as before
        print("\n".join(lines[:11]))
        if form_misses or answer_misses:
            print(f"\nmisses: {len(form_misses)} forms, {len(answer_misses)} answers (details in the report)")
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(text, encoding="utf-8")
        if verbose:
            print(f"wrote {report}")
    # One line by default (make test prints it); the report holds every miss.
    print(
        f"medications ({path.name}): {'FAIL: ' + '; '.join(failed) if failed else 'PASS'}: forms {form_rate:.3f} "
        f"(floor {FORM_FLOOR}), whole answers {answer_rate:.3f}, {len(form_misses)} form and {len(answer_misses)} "
        f"answer misses" + (f"; report {report}" if report else "")
    )
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("list", type=Path, help="a list in the tests/medications_holdout.yml format")
    parser.add_argument("--report", type=Path, default=ROOT / "reports" / "medications_holdout.md")
    parser.add_argument("--verbose", action="store_true", help="print the summary table, not only the one-line verdict")
    args = parser.parse_args()
    if not args.list.exists():
        sys.exit(f"error: {args.list} not found")
    sys.exit(evaluate(args.list, args.report, verbose=args.verbose))


if __name__ == "__main__":
    main()
