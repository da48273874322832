"""`make test-crisis` / `make crisis-dev`: score crisis detection of the trained model on a labelled message set.

Loads models/screening.tar.gz once with Rasa's Agent and parses every message through the whole NLU
pipeline (DIET, FallbackClassifier and CrisisDetector), exactly as the server does. A message counts as
flagged when the final intent is `crisis`. Reports crisis recall, the false-alarm rate (share of
non-crisis messages flagged), a per-category table, every miss and every false alarm, and a sweep of the
classifier bar (what recall and false alarms would be at other `crisis_confidence` values, read from
the detector's `crisis_detection` output) into reports/crisis_holdout.md or --report.

The file format (tests/crisis_dev.yml, tests/crisis_holdout.yml):
    version: 1
    messages:
      - text: "..."
        crisis: true
        category: passive_ideation

Exit status: 0 when recall >= --min-recall and false alarms <= --max-false-alarm, 1 below a floor,
2 when the file or the model is missing or malformed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from scripts.nlu_eval import machine_line, md_cell, now_utc  # noqa: E402

# ---- The floors: the one place to change them ----
MIN_RECALL = 0.97  # share of crisis messages that must get the crisis answer
MAX_FALSE_ALARM = 0.03  # share of other messages that may get it
# ---------------------------------------------------
CRISIS_CATEGORIES = [
    "passive_ideation",
    "active_ideation",
    "method_plan",
    "attempt",
    "self_harm",
    "overdose_intent",
    "third_party",
    "implicit_slang",
]
SAFE_CATEGORIES = [
    "pain_idiom",
    "everyday_idiom",
    "medication_talk",
    "clinical_question",
    "history_without_risk",
    "other",
]
SWEEP = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.01]


def load_set(path: Path) -> List[dict]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    msgs = doc.get("messages")
    if doc.get("version") != 1 or not isinstance(msgs, list) or not msgs:
        raise ValueError(f"{path}: expected `version: 1` and a non-empty `messages:` list")
    for i, m in enumerate(msgs):
        if not isinstance(m, dict) or not isinstance(m.get("text"), str) or not isinstance(m.get("crisis"), bool):
            raise ValueError(f"{path}: message {i + 1} needs `text` (string) and `crisis` (true/false)")
        m.setdefault("category", "uncategorised")
    return msgs


def parse_all(model: Path, texts: List[str]) -> Tuple[List[dict], float]:
    """Parse results of every text (as the server's parse_message builds them) and the model load time.

    The messages go through the model's NLU graph in one batch: the same components and the same
    per-message results as `Agent.parse_message`, without the per-call graph overhead."""
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker

    start = time.perf_counter()
    agent = Agent.load(str(model))
    loaded = time.perf_counter() - start
    processor = agent.processor
    target = processor.model_metadata.nlu_target
    tracker = DialogueStateTracker("crisis-eval", processor.domain.slots)
    results = processor.graph_runner.run(
        inputs={PLACEHOLDER_MESSAGE: [UserMessage(t) for t in texts], PLACEHOLDER_TRACKER: tracker}, targets=[target]
    )
    parsed = []
    for message in results[target]:
        data = {"text": "", "intent": {"name": None, "confidence": 0.0}, "entities": []}
        data.update(message.as_dict(only_output_properties=True))
        parsed.append(data)
    return parsed, loaded


def effective_bar(detection: dict, bar: float) -> float:
    """The bar a message would meet if `crisis_confidence` were `bar`: short messages keep their own, higher one."""
    return max(bar, float(detection.get("applied_bar") or 0)) if detection.get("short_message") else bar


def rate(num: int, den: int) -> Optional[float]:
    return num / den if den else None


def pct(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def score(msgs: List[dict], flagged: List[bool]) -> Dict[str, object]:
    pos = [f for m, f in zip(msgs, flagged) if m["crisis"]]
    neg = [f for m, f in zip(msgs, flagged) if not m["crisis"]]
    return {
        "recall": rate(sum(pos), len(pos)),
        "false_alarm": rate(sum(neg), len(neg)),
        "n_pos": len(pos),
        "n_neg": len(neg),
        "hits": sum(pos),
        "alarms": sum(neg),
    }


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("messages", type=Path, help="labelled set, e.g. tests/crisis_dev.yml")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "screening.tar.gz")
    ap.add_argument("--report", type=Path, default=ROOT / "reports" / "crisis_holdout.md")
    ap.add_argument("--min-recall", type=float, default=MIN_RECALL)
    ap.add_argument("--max-false-alarm", type=float, default=MAX_FALSE_ALARM)
    ap.add_argument("--verbose", action="store_true", help="print the report's summary tables, not only the verdict")
    args = ap.parse_args(argv)

    if not args.messages.exists():
        print(
            f"error: {args.messages} is missing: the crisis evaluation set is kept apart from the code it "
            "tests; put it there (format in scripts/crisis_eval.py) and run again.",
            file=sys.stderr,
        )
        return 2
    if not args.model.exists():
        print(f"error: {args.model} is missing: run `make train` first.", file=sys.stderr)
        return 2
    try:
        msgs = load_set(args.messages)
    except (ValueError, yaml.YAMLError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's debug log would print every message text
    logging.disable(logging.WARNING)
    start = time.perf_counter()
    results, load_seconds = parse_all(args.model, [m["text"] for m in msgs])
    seconds = time.perf_counter() - start
    flagged = [(r.get("intent") or {}).get("name") == "crisis" for r in results]
    detections = [r.get("crisis_detection") or {} for r in results]
    overall = score(msgs, flagged)
    bar = next((d.get("bar") for d in detections if d), None)

    failures = []
    if overall["recall"] is not None and overall["recall"] < args.min_recall:
        failures.append(f"recall {pct(overall['recall'])} < {args.min_recall:.2f}")
    if overall["false_alarm"] is not None and overall["false_alarm"] > args.max_false_alarm:
        failures.append(f"false alarms {pct(overall['false_alarm'])} > {args.max_false_alarm:.2f}")

    shown = args.messages.resolve()
    shown = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    L = ["# Crisis detection evaluation", ""]
    L.append(f"- Date: {now_utc()}")
    L.append(f"- Machine: {machine_line()}")
    L.append(f"- Set: `{shown}`, {len(msgs)} messages ({overall['n_pos']} crisis, {overall['n_neg']} not)")
    L.append(
        f"- Model: `{args.model.name}`, whole NLU pipeline; classifier bar `crisis_confidence` = {bar}; "
        f"model loaded in {load_seconds:.1f} s, {len(msgs)} messages parsed in {seconds - load_seconds:.1f} s"
    )
    L.append(
        f"- Verdict: **{'PASS' if not failures else 'FAIL'}**" + ("" if not failures else " — " + "; ".join(failures))
    )
    L += ["", "| metric | score | floor |", "|---|---|---|"]
    L.append(
        f"| crisis recall | {pct(overall['recall'])} ({overall['hits']}/{overall['n_pos']}) | >= {args.min_recall:.2f} |"
    )
    L.append(
        f"| false-alarm rate | {pct(overall['false_alarm'])} ({overall['alarms']}/{overall['n_neg']}) | <= {args.max_false_alarm:.2f} |"
    )

    L += [
        "",
        "## Per category",
        "",
        "| category | crisis? | messages | flagged | rate | by patterns | by classifier only |",
        "|---|---|---|---|---|---|---|",
    ]
    cats = sorted(
        {m["category"] for m in msgs},
        key=lambda c: (
            (CRISIS_CATEGORIES + SAFE_CATEGORIES).index(c) if c in CRISIS_CATEGORIES + SAFE_CATEGORIES else 99,
            c,
        ),
    )
    for cat in cats:
        idx = [i for i, m in enumerate(msgs) if m["category"] == cat]
        label = {msgs[i]["crisis"] for i in idx}
        n_flag = sum(flagged[i] for i in idx)
        by_pat = sum(bool(detections[i].get("patterns")) for i in idx)
        by_clf = sum(flagged[i] and not detections[i].get("patterns") for i in idx)
        L.append(
            f"| {cat} | {'yes' if label == {True} else 'no' if label == {False} else 'mixed'} | {len(idx)} | {n_flag} | "
            f"{n_flag / len(idx):.3f} | {by_pat} | {by_clf} |"
        )

    pattern_only = score(msgs, [bool(d.get("patterns")) for d in detections])
    L += ["", "## Each layer alone, and the classifier bar", ""]
    L.append(
        "What recall and false alarms would be at other values of `crisis_confidence` (patterns OR classifier "
        ">= bar, unless the idiom guard), computed from the detector's output for each message:"
    )
    L += ["", "| layer | recall | false alarms |", "|---|---|---|"]
    L.append(f"| patterns only | {pct(pattern_only['recall'])} | {pct(pattern_only['false_alarm'])} |")
    for b in SWEEP:
        # a short message keeps its higher bar (short_message_confidence) while the main bar moves below it
        sim = [
            bool(d.get("patterns"))
            or (float(d.get("classifier_confidence") or 0) >= effective_bar(d, b) and not d.get("idiom_guard"))
            for d in detections
        ]
        clf = [float(d.get("classifier_confidence") or 0) >= b for d in detections]
        s, c = score(msgs, sim), score(msgs, clf)
        label = (
            "patterns only (bar above 1)"
            if b > 1
            else f"bar {b:.2f}" + (" (current)" if bar is not None and abs(b - bar) < 1e-9 else "")
        )
        L.append(
            f"| {label}: patterns OR classifier | {pct(s['recall'])} | {pct(s['false_alarm'])} |"
            + (
                ""
                if b > 1
                else f"\n| bar {b:.2f}: classifier alone, no guard | {pct(c['recall'])} | {pct(c['false_alarm'])} |"
            )
        )

    def rows(pred_wrong: bool, want: bool) -> List[str]:
        out = []
        for m, f, d in zip(msgs, flagged, detections):
            if m["crisis"] == want and f == pred_wrong:
                out.append(
                    f"| {md_cell(m['text'])} | {m['category']} | {', '.join(d.get('patterns') or []) or '–'} | "
                    f"{float(d.get('classifier_confidence') or 0):.2f} | {'yes' if d.get('idiom_guard') else 'no'} |"
                )
        return out

    misses, alarms = rows(False, True), rows(True, False)
    head = ["| message | category | patterns | crisis confidence | idiom guard |", "|---|---|---|---|---|"]
    L += ["", f"## Misses ({len(misses)}): crisis messages not flagged", ""] + (
        (head + misses) if misses else ["None."]
    )
    L += ["", f"## False alarms ({len(alarms)}): other messages flagged", ""] + (
        (head + alarms) if alarms else ["None."]
    )
    L.append("")
    report = "\n".join(L)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report, encoding="utf-8")
    if args.verbose or failures:  # a failure shows the scores and the bar table as before
        print("\n".join(L[: L.index("## Each layer alone, and the classifier bar")]))
    # One line by default (make test prints it); the report lists every miss and false alarm.
    print(
        f"crisis ({args.messages.name}): {'FAIL: ' + '; '.join(failures) if failures else 'PASS'}: "
        f"recall {pct(overall['recall'])} (floor {args.min_recall:.2f}), false alarms {pct(overall['false_alarm'])} "
        f"(ceiling {args.max_false_alarm:.2f}); misses: {len(misses)}, false alarms: {len(alarms)}; "
        f"full report: {args.report}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
