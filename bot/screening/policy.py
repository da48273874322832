"""The clinic policy file: who the clinic screens in, loaded and checked once at start-up.

A clinic changes its rules by editing clinic_policy.yml; a mistake there must stop the
servers with a message naming the bad key instead of silently screening people wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from bot.screening import catalogue

OUTCOMES = ("exclude", "review", "note")
CANONICAL_CONDITIONS = (
    "crps",
    "fibromyalgia",
    "neuropathic_pain",
    "migraine",
    "trigeminal_neuralgia",
    "phantom_limb_pain",
    "back_pain",
    "cancer_pain",
    "rheumatoid_arthritis",
    "chronic_pancreatitis",
    "spinal_cord_injury_pain",
    "lupus",
    "lyme_disease",
    "gastroparesis",
    "cyclic_vomiting",
    "other",
)
FAQ_TOPICS = (
    "what_is",
    "how_it_works",
    "num_infusions",
    "relief_duration",
    "side_effects",
    "addictive",
    "cost",
    "conditions",
)
CLINIC_KEYS = ("name", "phone", "email", "hours", "callback_window")
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "clinic_policy.yml"


NOTIFICATION_CHANNELS = ("email", "webhook")


class PolicyError(ValueError):
    """The policy file is malformed; the message names the offending key."""


@dataclass(frozen=True)
class Clinic:
    name: str
    phone: str
    email: str
    hours: str
    callback_window: str
    website: str = ""


RETENTION_DEFAULTS = {
    "unconverted_leads_days": 180,
    "finished_conversations_days": 90,
    "outbox_attempts_days": 30,
    "audit_days": 2190,
}


@dataclass(frozen=True)
class Retention:
    """Days each kind of record is kept (clinic_policy.yml `retention`)."""

    unconverted_leads_days: int = RETENTION_DEFAULTS["unconverted_leads_days"]
    finished_conversations_days: int = RETENTION_DEFAULTS["finished_conversations_days"]
    outbox_attempts_days: int = RETENTION_DEFAULTS["outbox_attempts_days"]
    audit_days: int = RETENTION_DEFAULTS["audit_days"]


def parse_retention(raw: Any) -> Retention:
    if raw is None:
        return Retention()
    if not isinstance(raw, dict):
        raise PolicyError("clinic policy: 'retention' must be a mapping")
    for key, value in raw.items():
        if key not in RETENTION_DEFAULTS:
            raise PolicyError(f"clinic policy: unknown key 'retention.{key}'")
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 36500:
            raise PolicyError(
                f"clinic policy: 'retention.{key}' must be a whole number of days from 1 to 36500, got {value!r}"
            )
    return Retention(**raw)


@dataclass(frozen=True)
class Policy:
    clinic: Clinic
    minimum_age: float
    minimum_pain_months: float
    treated_conditions: List[str]
    criteria: Dict[str, str]
    medication_classes: Dict[str, str]
    include_health_summary: bool = False
    # which notifications every lead worth a call queues, whichever process writes it (bot/leads/outbox.py)
    notification_channels: Tuple[str, ...] = NOTIFICATION_CHANNELS
    faq: Dict[str, str] = field(default_factory=dict)
    retention: Retention = field(default_factory=Retention)


def _require(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise PolicyError(f"clinic policy: missing key '{where}{key}'")
    return mapping[key]


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise PolicyError(f"clinic policy: '{key}' must be a non-negative number, got {value!r}")
    return float(value)


def parse_policy(data: Any, known_classes: List[str] | None = None) -> Policy:
    """Check a loaded policy mapping and turn it into a Policy; raise PolicyError naming the bad key."""
    if not isinstance(data, dict):
        raise PolicyError("clinic policy: the file must be a YAML mapping")
    clinic_raw = _require(data, "clinic", "")
    if not isinstance(clinic_raw, dict):
        raise PolicyError("clinic policy: 'clinic' must be a mapping")
    for key in CLINIC_KEYS:
        value = _require(clinic_raw, key, "clinic.")
        if not isinstance(value, str) or not value.strip():
            raise PolicyError(f"clinic policy: 'clinic.{key}' must be a non-empty string")
    clinic = Clinic(**{k: str(clinic_raw.get(k, "")) for k in CLINIC_KEYS + ("website",)})

    treated = _require(data, "treated_conditions", "")
    if not isinstance(treated, list) or not treated:
        raise PolicyError("clinic policy: 'treated_conditions' must be a non-empty list")
    for i, name in enumerate(treated):
        if name not in CANONICAL_CONDITIONS:
            raise PolicyError(
                f"clinic policy: 'treated_conditions[{i}]' is {name!r}, not one of {', '.join(CANONICAL_CONDITIONS)}"
            )

    criteria = _require(data, "criteria", "")
    if not isinstance(criteria, dict):
        raise PolicyError("clinic policy: 'criteria' must be a mapping")
    known = catalogue.criterion_keys()  # every criterion a question in the catalogue feeds
    for key in criteria:
        if key not in known:
            raise PolicyError(f"clinic policy: unknown key 'criteria.{key}'")
    for key in known:
        value = _require(criteria, key, "criteria.")
        if value not in OUTCOMES:
            raise PolicyError(f"clinic policy: 'criteria.{key}' must be one of {', '.join(OUTCOMES)}, got {value!r}")

    classes = _require(data, "medication_classes", "")
    if not isinstance(classes, dict):
        raise PolicyError("clinic policy: 'medication_classes' must be a mapping")
    for key, value in classes.items():
        if known_classes is not None and key not in known_classes:
            raise PolicyError(f"clinic policy: unknown medication class 'medication_classes.{key}'")
        if value not in OUTCOMES:
            raise PolicyError(
                f"clinic policy: 'medication_classes.{key}' must be one of {', '.join(OUTCOMES)}, got {value!r}"
            )

    notifications = data.get("notifications") or {}
    if not isinstance(notifications, dict):
        raise PolicyError("clinic policy: 'notifications' must be a mapping")
    include = notifications.get("include_health_summary", False)
    if not isinstance(include, bool):
        raise PolicyError("clinic policy: 'notifications.include_health_summary' must be true or false")

    channels = notifications.get("channels", list(NOTIFICATION_CHANNELS))
    if not isinstance(channels, list) or any(c not in NOTIFICATION_CHANNELS for c in channels):
        raise PolicyError(
            f"clinic policy: 'notifications.channels' must be a list of {', '.join(NOTIFICATION_CHANNELS)}, "
            f"got {channels!r}"
        )

    faq = _require(data, "faq", "")
    if not isinstance(faq, dict):
        raise PolicyError("clinic policy: 'faq' must be a mapping")
    for key in faq:
        if key not in FAQ_TOPICS:
            raise PolicyError(f"clinic policy: unknown key 'faq.{key}'")
    for key in FAQ_TOPICS:
        value = _require(faq, key, "faq.")
        if not isinstance(value, str) or not value.strip():
            raise PolicyError(f"clinic policy: 'faq.{key}' must be a non-empty string")

    return Policy(
        clinic=clinic,
        faq={k: " ".join(v.split()) for k, v in faq.items()},
        minimum_age=_number(_require(data, "minimum_age", ""), "minimum_age"),
        minimum_pain_months=_number(_require(data, "minimum_pain_months", ""), "minimum_pain_months"),
        treated_conditions=list(treated),
        criteria=dict(criteria),
        medication_classes=dict(classes),
        include_health_summary=include,
        notification_channels=tuple(dict.fromkeys(channels)),
        retention=parse_retention(data.get("retention")),
    )


def load_policy(path: Path | str | None = None, known_classes: List[str] | None = None) -> Policy:
    """Read and check the policy file (CLINIC_POLICY overrides the default path)."""
    path = Path(path or DEFAULT_PATH)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PolicyError(f"clinic policy: file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"clinic policy: {path} is not valid YAML: {exc}") from exc
    return parse_policy(data, known_classes)
