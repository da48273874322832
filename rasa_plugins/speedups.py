"""Two per-turn costs in Rasa 3.6 removed without changing behaviour.

1. `Event.resolve_by_type` walks every subclass of `Event` (`all_subclasses`, recursive, with an
   `inspect.isabstract` check per class) for each event it deserialises, so rebuilding a finished
   screening's tracker from the store costs ~14 ms; a dict keyed by type name makes it ~1.5 ms.
2. `RemoteAction._validate_action_result` calls `jsonschema.validate`, which checks the schema
   against its meta-schema and builds a new validator on every action call (~3.9 ms); one validator
   per action class, built on first use, does the same check (~0.9 ms).

Where this is installed: `rasa_plugins.tracker_store` calls `install()` when it is imported, which
Rasa does once at server start-up when endpoints.yml names `LeanSQLTrackerStore` (Rasa imports the
class from its module path before the first turn). Rasa 3.6 has no other hook a project can use
without packaging itself: its pluggy plugins come only from installed distributions' entry points.
`install()` is idempotent; `uninstall()` restores Rasa's originals (for tests).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text, Type

from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event

_MISSING = type("_Missing", (), {})  # sentinel class: "not found" from Rasa's own lookup
_ORIGINAL: Dict[str, Any] = {}


def _cached_resolver(original):
    """Rasa's `Event.resolve_by_type` with found classes memoised by type name.

    Only hits are cached: an unknown name, the legacy "topic" (None) and `default` still go through
    Rasa's own function, so its errors and return values are unchanged.
    """
    cache: Dict[Text, Type[Event]] = {}

    def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
        cls = cache.get(type_name)
        if cls is not None:
            return cls
        found = original(type_name, _MISSING)
        if found is _MISSING or found is None:
            return original(type_name, default)
        cache[type_name] = found
        return found

    resolve_by_type.lean_cache = cache  # type: ignore[attr-defined]
    return resolve_by_type


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Rasa's check, with the validator built once per action class instead of per call.

    `jsonschema.validate` = check the schema, build a validator, raise `best_match` of its errors;
    the schema is a constant, so only the last step has to run per call.
    """
    from jsonschema.exceptions import best_match

    validator = _VALIDATORS.get(type(self))
    if validator is None:
        from jsonschema.validators import validator_for

        schema = self.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        validator = _VALIDATORS[type(self)] = cls(schema)
    error = best_match(validator.iter_errors(result))
    if error is None:
        return True
    error.message += (  # the same suffix Rasa adds
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


_VALIDATORS: Dict[type, Any] = {}


def installed() -> bool:
    return bool(_ORIGINAL)


def install() -> None:
    """Patch Rasa in this process (idempotent)."""
    if installed():
        return
    _ORIGINAL["resolve_by_type"] = Event.__dict__["resolve_by_type"]
    _ORIGINAL["validate"] = RemoteAction.__dict__["_validate_action_result"]
    Event.resolve_by_type = staticmethod(_cached_resolver(_ORIGINAL["resolve_by_type"].__func__))
    RemoteAction._validate_action_result = _validate_action_result


def uninstall() -> None:
    """Restore Rasa's originals (tests compare both)."""
    if not installed():
        return
    Event.resolve_by_type = _ORIGINAL.pop("resolve_by_type")
    RemoteAction._validate_action_result = _ORIGINAL.pop("validate")
    _VALIDATORS.clear()
