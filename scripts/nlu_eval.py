"""`make test-nlu`: train the NLU model on data/, score it on the held-out set, enforce the floors.

Steps:
  1. Leakage check: no message of tests/nlu_holdout.yml may appear verbatim (annotations stripped,
     case and whitespace ignored) in the training data. Overlaps are listed and fail the run.
  2. Train an NLU-only model from config.yml on data/ into models/nlu/nlu.tar.gz, unless a model
     trained from the same inputs exists (fingerprint of config, NLU data files, custom components,
     Rasa and Python versions in models/nlu/nlu.fingerprint). `--retrain` forces training.
  3. `rasa test nlu --nlu tests/nlu_holdout.yml` into reports/nlu/ (Rasa's own reports and plots).
  4. reports/nlu/summary.md: scores against the floors, top intent confusions, misclassified
     messages, entity misses, date and machine. Printed too.

Exit status: 0 when every floor is met and the holdout does not leak, 1 otherwise, 2 when Rasa fails.
bench.py imports the helpers below (train_nlu, test_nlu, read_scores, machine_line).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

# ---- The floors: the one place to change them -----------------------------------------------
# Stock phrases of one or two words ("yes", "hi", "start over") belong in any training set and may also
# appear in the held-out set; every longer held-out message must be new to the model.
STOCK_PHRASE_WORDS = 2

FLOORS: Dict[str, float] = {
    "intent macro-F1": 0.95,
    "medication F1": 0.95,
    "condition F1": 0.95,
}
ENTITY_EXTRACTOR = "RegexEntityExtractor"  # the extractor whose per-entity report the floors read
# -----------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
RASA = str(VENV_BIN / "rasa")
CONFIG = ROOT / "config.yml"
DATA = ROOT / "data"
HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"
MODEL_DIR = ROOT / "models" / "nlu"
REPORT_DIR = ROOT / "reports" / "nlu"

ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


# ---- machine and processes ----------------------------------------------------------------------
def machine_info() -> Dict[str, str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "? GiB"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        nproc = str(len(os.sched_getaffinity(0)))
    except AttributeError:
        nproc = str(os.cpu_count())
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "?"
    try:
        from importlib.metadata import version

        rasa_version = version("rasa")
    except Exception:  # pragma: no cover
        rasa_version = "?"
    return {
        "nproc": nproc,
        "cpu": cpu,
        "ram": ram,
        "load": load,
        "rasa": rasa_version,
        "python": platform.python_version(),
        "host": platform.node(),
    }


def machine_line() -> str:
    m = machine_info()
    return (
        f"{m['nproc']} cores (nproc), {m['cpu']}, {m['ram']} RAM; load average at start {m['load']}; "
        f"Rasa {m['rasa']}, Python {m['python']}"
    )


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def rasa_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


def run_logged(
    argv: List[str], log: Path, env: Optional[Dict[str, str]] = None, cwd: Path = ROOT, timeout: Optional[float] = None
) -> Tuple[int, float, int]:
    """Run argv with output to `log`; return (exit code, wall seconds, peak RSS in KiB of the process)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as fh:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env or rasa_env(), stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = None if timeout is None else start + timeout
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    break
                if deadline and time.perf_counter() > deadline:
                    os.killpg(proc.pid, 9)
                    _, status, usage = os.wait4(proc.pid, 0)
                    proc.returncode = -9
                    break
                time.sleep(0.2)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): do not leave a training behind
            try:
                os.killpg(proc.pid, 9)
                os.wait4(proc.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            raise
    return proc.returncode, time.perf_counter() - start, int(usage.ru_maxrss)


def tail(log: Path, lines: int = 25) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# ---- training data, holdout, leakage --------------------------------------------------------------
def nlu_files(data: Path = DATA) -> List[Path]:
    """YAML files under data/ that hold NLU data (what `rasa train nlu --nlu data` reads)."""
    files = sorted(p for p in data.rglob("*.yml") if re.search(r"^nlu:", p.read_text(encoding="utf-8"), re.M))
    return files


def examples(path: Path) -> List[Tuple[str, str, str]]:
    """(intent, raw annotated example, plain text) for each example of an NLU YAML file."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for item in doc.get("nlu") or []:
        if "intent" not in item:
            continue
        for line in str(item.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                raw = line[2:].strip()
                out.append((item["intent"], raw, ANNOTATION.sub(r"\1", raw).strip()))
    return out


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def holdout_overlap(
    holdout: Path = HOLDOUT, data: Path = DATA, longer_than: int = STOCK_PHRASE_WORDS
) -> List[Tuple[str, str, str]]:
    """Holdout messages of more than `longer_than` words that also occur in the training data."""
    train: Dict[str, set] = {}
    for path in nlu_files(data):
        for intent, _raw, text in examples(path):
            train.setdefault(normalise(text), set()).add(intent)
    return [
        (text, intent, ", ".join(sorted(train[normalise(text)])))
        for intent, _raw, text in examples(holdout)
        if normalise(text) in train and len(normalise(text).split()) > longer_than
    ]


def write_holdout_without(overlap: Iterable[Tuple[str, str, str]], target: Path, holdout: Path = HOLDOUT) -> int:
    """Write the holdout minus the overlapping messages to `target`; return how many it keeps."""
    drop = {normalise(t) for t, _i, _ti in overlap}
    by_intent: Dict[str, List[str]] = {}
    for intent, raw, text in examples(holdout):
        if normalise(text) not in drop:
            by_intent.setdefault(intent, []).append(raw)
    lines = ['version: "3.1"', "nlu:"]
    for intent, raws in by_intent.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {r}" for r in raws]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sum(len(v) for v in by_intent.values())


# ---- train and test --------------------------------------------------------------------------------
def fingerprint(config: Path, data: Path = DATA) -> str:
    from importlib.metadata import version

    h = hashlib.sha256()
    h.update(f"rasa={version('rasa')} python={platform.python_version()}\n".encode())
    for path in [config, *nlu_files(data), *sorted((ROOT / "components").glob("*.py"))]:
        h.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def train_nlu(
    config: Path,
    out_dir: Path,
    name: str = "nlu",
    env_extra: Optional[Dict[str, str]] = None,
    force: bool = False,
    data: Path = DATA,
) -> Tuple[Path, bool, float]:
    """NLU-only model at out_dir/name.tar.gz; returns (model, trained this run?, seconds)."""
    model = out_dir / f"{name}.tar.gz"
    stamp = out_dir / f"{name}.fingerprint"
    fp = fingerprint(config, data)
    if not force and model.exists() and stamp.exists() and stamp.read_text().strip() == fp:
        return model, False, 0.0
    out_dir.mkdir(parents=True, exist_ok=True)
    log = out_dir / f"{name}.train.log"
    argv = [
        RASA,
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        str(data),
        "--out",
        str(out_dir),
        "--fixed-model-name",
        name,
    ]
    rc, seconds, _ = run_logged(argv, log, env=rasa_env(env_extra))
    if rc != 0 or not model.exists():
        raise RuntimeError(f"`rasa train nlu` failed (exit {rc}); see {log}:\n{tail(log)}")
    stamp.write_text(fp + "\n")
    return model, True, seconds


def test_nlu(
    model: Path, out_dir: Path, holdout: Path = HOLDOUT, plot: bool = True, env_extra: Optional[Dict[str, str]] = None
) -> float:
    """`rasa test nlu` of `model` on `holdout` into out_dir; returns seconds."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*_report.json"):
        old.unlink()
    argv = [RASA, "test", "nlu", "--nlu", str(holdout), "--model", str(model), "--out", str(out_dir)]
    if not plot:
        argv.append("--no-plot")
    log = out_dir / "rasa_test_nlu.log"
    rc, seconds, _ = run_logged(argv, log, env=rasa_env(env_extra))
    if rc != 0 or not (out_dir / "intent_report.json").exists():
        raise RuntimeError(f"`rasa test nlu` failed (exit {rc}); see {log}:\n{tail(log)}")
    return seconds


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def entity_extractor_reports(out_dir: Path) -> Dict[str, dict]:
    return {
        p.name[: -len("_report.json")]: _load(p)
        for p in sorted(out_dir.glob("*_report.json"))
        if p.name not in ("intent_report.json", "response_selection_report.json")
    }


def read_scores(out_dir: Path, extractor: Optional[str] = ENTITY_EXTRACTOR) -> Dict[str, object]:
    """Scores from Rasa's reports in out_dir. extractor=None: the first entity extractor with a report."""
    intent = _load(out_dir / "intent_report.json") or {}
    reports = entity_extractor_reports(out_dir)
    if extractor is None:
        extractor = next(iter(reports), None)
    ent = reports.get(extractor) or {}

    def f1(report: dict, key: str) -> Optional[float]:
        row = report.get(key)
        return float(row["f1-score"]) if isinstance(row, dict) and "f1-score" in row else None

    return {
        "intent macro-F1": f1(intent, "macro avg"),
        "intent weighted-F1": f1(intent, "weighted avg"),
        "intent accuracy": float(intent["accuracy"]) if "accuracy" in intent else None,
        "medication F1": f1(ent, "medication"),
        "condition F1": f1(ent, "condition"),
        "medication support": (ent.get("medication") or {}).get("support"),
        "condition support": (ent.get("condition") or {}).get("support"),
        "extractor": extractor,
        "intent report": intent,
    }


def intent_confusions(report: dict) -> List[Tuple[str, str, int]]:
    pairs = []
    for label, row in report.items():
        if isinstance(row, dict):
            for other, count in (row.get("confused_with") or {}).items():
                pairs.append((label, other, int(count)))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


# ---- report ------------------------------------------------------------------------------------------
def fmt(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def build_summary(
    scores: dict,
    dedup: Optional[dict],
    overlap: list,
    failures: List[str],
    model_note: str,
    n_holdout: int,
    n_dedup: Optional[int],
    out_dir: Path,
) -> str:
    L: List[str] = ["# Held-out NLU evaluation (`make test-nlu`)", ""]
    L.append(f"- Date: {now_utc()}")
    L.append(f"- Machine: {machine_line()}")
    L.append(f"- Model: {model_note}")
    L.append(f"- Held-out set: `tests/nlu_holdout.yml`, {n_holdout} messages (never trained on)")
    L.append(
        f"- Verdict: **{'PASS' if not failures else 'FAIL'}**" + ("" if not failures else " — " + "; ".join(failures))
    )
    L += ["", "## Scores against the floors", ""]
    L.append("| metric | score | floor | |")
    L.append("|---|---|---|---|")
    for key, floor in FLOORS.items():
        val = scores.get(key)
        ok = val is not None and val >= floor
        L.append(
            f"| {key}{' (' + str(scores['extractor']) + ')' if 'intent' not in key else ''} | {fmt(val)} | {floor:.2f} | {'pass' if ok else '**FAIL**'} |"
        )
    L.append(f"| intent accuracy | {fmt(scores.get('intent accuracy'))} | – | info |")
    L.append(f"| intent weighted-F1 | {fmt(scores.get('intent weighted-F1'))} | – | info |")
    L.append(
        f"\nEntity F1 is Rasa's token-level score; supports: medication {scores.get('medication support')} tokens, "
        f"condition {scores.get('condition support')} tokens."
    )

    L += ["", "## Leakage check (holdout messages verbatim in the training data)", ""]
    if not overlap:
        L.append(
            f"Pass: no held-out message of more than {STOCK_PHRASE_WORDS} words occurs in data/ (annotations stripped, "
            f"case and spacing ignored). {n_holdout - (n_dedup or n_holdout)} stock phrases of one or two words "
            '("yes", "hi", "start over") occur in both, as they would in any training set.'
        )
    else:
        L.append(
            f"**FAIL: {len(overlap)} of {n_holdout} held-out messages also occur in the training data** "
            "(annotations stripped, case and spacing ignored). Remove them from data/ or replace them in "
            "tests/nlu_holdout.yml with new, independently written messages."
        )
        L += [
            "",
            "<details><summary>Overlapping messages</summary>",
            "",
            "| message | holdout intent | training intent(s) |",
            "|---|---|---|",
        ]
        L += [f"| {md_cell(t)} | {i} | {ti} |" for t, i, ti in overlap]
        L += ["", "</details>"]

    if dedup:
        L += [
            "",
            f"Scores on the {n_dedup} held-out messages that occur nowhere in the training data (information only):",
            "",
        ]
        L += ["| metric | full holdout | only messages new to the model |", "|---|---|---|"]
        L += [f"| {key} | {fmt(scores.get(key))} | {fmt(dedup.get(key))} |" for key in [*FLOORS, "intent accuracy"]]

    intent_report = scores["intent report"]
    L += ["", "## Top intent confusions", ""]
    conf = intent_confusions(intent_report)
    if conf:
        L += ["| true intent | predicted as | count |", "|---|---|---|"]
        L += [f"| {a} | {b} | {c} |" for a, b, c in conf[:15]]
    else:
        L.append("None.")

    per_intent = sorted(
        (
            (k, v)
            for k, v in intent_report.items()
            if isinstance(v, dict) and "f1-score" in v and k not in ("macro avg", "weighted avg", "micro avg")
        ),
        key=lambda kv: kv[1]["f1-score"],
    )
    L += [
        "",
        "## Per-intent F1 (lowest first)",
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    L += [
        f"| {k} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1-score']:.3f} | {v['support']} |"
        for k, v in per_intent
    ]

    errors = _load(out_dir / "intent_errors.json") or []
    L += ["", f"## Misclassified messages ({len(errors)})", ""]
    if errors:
        L += ["| message | intent | predicted | confidence |", "|---|---|---|---|"]
        for e in errors[:40]:
            pred = e.get("intent_prediction") or {}
            L.append(
                f"| {md_cell(e.get('text'))} | {e.get('intent')} | {pred.get('name')} | {float(pred.get('confidence') or 0):.2f} |"
            )
        if len(errors) > 40:
            L.append(f"\n…and {len(errors) - 40} more in `{(out_dir / 'intent_errors.json').relative_to(ROOT)}`.")

    ent_errors = _load(out_dir / f"{scores['extractor']}_errors.json") or []
    L += ["", f"## Entity errors of {scores['extractor']} ({len(ent_errors)} messages)", ""]
    if ent_errors:
        L += ["| message | expected | extracted |", "|---|---|---|"]

        def ents(items):
            return ", ".join(f"{x.get('entity')}:{x.get('text') or x.get('value')}" for x in items or []) or "–"

        for e in ent_errors[:40]:
            L.append(
                f"| {md_cell(e.get('text'))} | {md_cell(ents(e.get('entities')))} | {md_cell(ents(e.get('predicted_entities')))} |"
            )
        if len(ent_errors) > 40:
            L.append(f"\n…and {len(ent_errors) - 40} more in `{scores['extractor']}_errors.json`.")

    L += [
        "",
        f"Rasa's own reports, errors and plots (intent_confusion_matrix.png) are in `{out_dir.relative_to(ROOT)}/`.",
        "",
    ]
    return "\n".join(L)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--retrain", action="store_true", help="train even if the fingerprint is unchanged")
    ap.add_argument("--config", type=Path, default=CONFIG)
    ap.add_argument("--out", type=Path, default=REPORT_DIR, help="report directory (default reports/nlu)")
    ap.add_argument(
        "--model",
        type=Path,
        default=None,
        help="evaluate this trained model (e.g. models/screening.tar.gz, whose NLU part is trained on "
        "the same config and data) instead of training an NLU-only model",
    )
    ap.add_argument("--verbose", action="store_true", help="print the whole summary, not only the one-line verdict")
    args = ap.parse_args(argv)

    overlap = holdout_overlap()
    verbatim = holdout_overlap(longer_than=0)  # stock phrases too: scored separately for information
    n_holdout = len(examples(HOLDOUT))
    try:
        if args.model:
            model = args.model.resolve()
            shown = model.relative_to(ROOT) if model.is_relative_to(ROOT) else model
            model_note = f"`{shown}` (a full model trained by `make train` from `config.yml` on data/)"
        else:
            model, trained, seconds = train_nlu(args.config.resolve(), MODEL_DIR, force=args.retrain)
            model_note = f"`{model.relative_to(ROOT)}` from `{args.config.name}` on data/ " + (
                f"(trained this run in {seconds:.0f} s)" if trained else "(reused: inputs' fingerprint unchanged)"
            )
        if args.verbose:
            print(f"NLU model: {model_note}", flush=True)
        out = args.out.resolve()
        test_nlu(model, out)
        scores = read_scores(out)
        dedup, n_dedup = None, None
        if verbatim:
            subset = ROOT / "reports" / "tmp" / "nlu_holdout_without_overlap.yml"
            n_dedup = write_holdout_without(verbatim, subset)
            if n_dedup:
                dedup_dir = ROOT / "reports" / "tmp" / "nlu_dedup"
                test_nlu(model, dedup_dir, holdout=subset, plot=False)
                dedup = read_scores(dedup_dir)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    failures = [
        f"{k} {fmt(scores.get(k))} < {v:.2f}" for k, v in FLOORS.items() if scores.get(k) is None or scores[k] < v
    ]
    if overlap:
        failures.append(f"{len(overlap)} held-out messages occur verbatim in the training data")
    summary = build_summary(scores, dedup, overlap, failures, model_note, n_holdout, n_dedup, out)
    (out / "summary.md").write_text(summary, encoding="utf-8")
    if args.verbose or failures:  # a failure shows the whole summary as before
        print(summary)
    # One line by default (make test prints it); summary.md holds the scores, the leakage check and the model.
    scored = ", ".join(f"{k} {fmt(scores.get(k))} (floor {v:.2f})" for k, v in FLOORS.items())
    print(
        f"NLU ({HOLDOUT.name}): {'FAIL: ' + '; '.join(failures) if failures else 'PASS'}: {scored}; "
        f"report {(out / 'summary.md').relative_to(ROOT)}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
