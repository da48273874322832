"""Score the readers of ages, durations and yes/no answers on tests/parsing_dev.yml (see docs/parsing.md).

Compares: the parser before issue 10 (from git), the current bot/screening/parsing.py, and library candidates
(text2num's alpha2digit for number words, dateparser's search_dates for relative dates) where they are
importable. Usage: python scripts/parsing_eval.py [--baseline REV] [--libs DIR ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load_items(path: Path):
    data = yaml.safe_load(path.read_text())
    return data["items"], dt.date.fromisoformat(str(data["today"]))


def module_from_git(rev: str):
    for where in ("bot/screening/parsing.py", "bot/parsing.py"):  # the module moved into bot/screening/
        shown = subprocess.run(["git", "show", f"{rev}:{where}"], cwd=ROOT, capture_output=True, text=True)
        if shown.returncode == 0:
            source = shown.stdout
            break
    else:
        raise SystemExit(f"no parsing module at {rev}")
    path = Path(tempfile.mkdtemp()) / "parsing_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("parsing_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def close(got: Optional[float], want: Optional[float]) -> bool:
    if want is None or got is None:
        return got is None and want is None
    return abs(got - want) <= max(1.0, 0.1 * want) and (got < 3) == (want < 3)


def yes_no_label(value: Optional[bool], unsure: bool, note: bool) -> str:
    if unsure:
        return "unsure"
    if value is None:
        return "null"
    return ("yes" if value else "no") + ("_note" if note else "")


def score(items, today, age_fn, duration_fn, yes_no_fn) -> Dict[str, Any]:
    out: Dict[str, List[bool]] = {"age": [], "duration": [], "yes_no": [], "yes_no_value": []}
    misses: List[str] = []
    for item in items:
        asked = item.get("asked", True)
        want = item["expect"]
        if item["kind"] == "age" and age_fn:
            got = age_fn(item["text"], asked, today)
            ok = close(got, want)
        elif item["kind"] == "duration" and duration_fn:
            got = duration_fn(item["text"], asked, today, item.get("age"))
            ok = close(got, want)
        elif item["kind"] == "yes_no" and yes_no_fn:
            got = yes_no_fn(item["text"], item.get("slot"))
            want = "null" if want is None else str(want)
            ok = got == want
            out["yes_no_value"].append(got.split("_")[0] == want.split("_")[0])
        else:
            continue
        out[item["kind"]].append(ok)
        if not ok:
            misses.append(f"{item['kind']}: {item['text']!r} -> {got!r} (want {want!r})")
    return {"scores": {k: (sum(v), len(v)) for k, v in out.items()}, "misses": misses}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dev", default=str(ROOT / "tests" / "parsing_dev.yml"))
    parser.add_argument("--baseline", default="c73fab1", help="git revision of the parser before issue 10")
    parser.add_argument("--libs", nargs="*", default=[], help="extra sys.path entries holding library candidates")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    sys.path[:0] = args.libs
    items, today = load_items(Path(args.dev))

    from bot.screening import catalogue, parsing

    candidates: Dict[str, Dict[str, Optional[Callable]]] = {}
    base = module_from_git(args.baseline)

    def base_yes_no(text, slot):
        value = base.parse_yes_no(text)
        return yes_no_label(value, value is None and base.is_unsure(text), False)

    candidates[f"baseline ({args.baseline})"] = {
        "age": lambda t, a, d: base.parse_age(t, asked=a),
        "duration": lambda t, a, d, age: base.parse_duration_months(t, asked=a, today=d),
        "yes_no": base_yes_no,
    }

    def new_yes_no(text, slot):
        r = catalogue.read_yes_no(text, slot)
        return yes_no_label(r.value, r.unsure, r.note)

    new_age = lambda t, a, d: parsing.parse_age(t, asked=a, today=d)  # noqa: E731
    new_duration = lambda t, a, d, age: parsing.parse_duration_months(t, asked=a, today=d, age=age)  # noqa: E731
    candidates["bot/screening/parsing.py (this branch)"] = {
        "age": new_age,
        "duration": new_duration,
        "yes_no": new_yes_no,
    }

    try:
        from text_to_num import alpha2digit

        def with_text2num(fn):
            def run(*a):
                saved = parsing.words_to_digits
                parsing.words_to_digits = lambda s: alpha2digit(s, "en")
                try:
                    return fn(*a)
                finally:
                    parsing.words_to_digits = saved

            return run

        candidates["text2num 3.1.0 number words + this branch's rules"] = {
            "age": with_text2num(new_age),
            "duration": with_text2num(new_duration),
            "yes_no": None,
        }
    except ImportError:
        print("text2num not importable: skipped", file=sys.stderr)

    try:
        from dateparser.search import search_dates

        def dateparser_duration(text, asked, today, age):
            base_dt = dt.datetime(today.year, today.month, today.day)
            found = search_dates(
                text, languages=["en"], settings={"RELATIVE_BASE": base_dt, "PREFER_DATES_FROM": "past"}
            )
            if not found:
                return None
            when = found[0][1]
            months = (base_dt - when).days / 30.4
            return round(months, 1) if months > 0 else None

        candidates["dateparser 1.5.0 search_dates alone"] = {
            "age": None,
            "duration": dateparser_duration,
            "yes_no": None,
        }
        candidates["this branch, dateparser when it finds nothing"] = {
            "age": None,
            "duration": lambda t, a, d, age: (
                new_duration(t, a, d, age)
                if new_duration(t, a, d, age) is not None or not a
                else dateparser_duration(t, a, d, age)
            ),
            "yes_no": None,
        }
    except ImportError:
        print("dateparser not importable: skipped", file=sys.stderr)

    print(f"dev set: {args.dev}, {len(items)} items, reference date {today}\n")
    print("| reader | age | duration | yes/no (value) | yes/no (value + note) |")
    print("|---|---|---|---|---|")
    for name, fns in candidates.items():
        result = score(items, today, fns["age"], fns["duration"], fns["yes_no"])
        cells = []
        for key in ("age", "duration", "yes_no_value", "yes_no"):
            ok, n = result["scores"][key]
            cells.append(f"{ok}/{n} ({ok / n:.0%})" if n else "n/a")
        print(f"| {name} | " + " | ".join(cells) + " |")
        if args.misses:
            for miss in result["misses"]:
                print(f"    miss: {miss}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
