"""The one conftest for every tier (tests/browser adds its browser-only fixtures in its own).

Shared helpers and fixtures live in tests/support: `stack` (the real Rasa stack, tests/support/stack.py)
and `db_url` (SQLite and PostgreSQL, tests/support/services.py) are available to every test module.
"""

import pytest

# Helpers' asserts (wait_for, the stack's checks) report their values like a test's own asserts.
pytest.register_assert_rewrite("tests.support")

pytest_plugins = ["tests.support.stack", "tests.support.services"]
