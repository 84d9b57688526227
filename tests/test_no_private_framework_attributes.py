"""Application code uses Django and DRF through their public API only (the developers' guide;
design.md, "Performance rules"): no private attribute of a framework object (the model's
options, its default manager, an instance's state), no ``from_db``, no raw cursor, no
``type: ignore[attr-defined]`` hiding a reach into a framework object.

Migrations, management commands and tests may use them: they are not application code.
Public routes: a field's descriptor (``Model.field_name.field``) or a constant the model's
own field declaration uses; ``apps.get_model(label).objects``; an explicit list of fields.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPLICATION = ("clinic", "rehab", "audit", "notify", "core", "config")
NOT_APPLICATION = {"migrations", "management", "tests"}

FORBIDDEN = (
    (re.compile(r"\._meta\b|[\"']_meta[\"']"), "the model's private options"),
    (re.compile(r"\._default_manager\b|\._base_manager\b"), "a private manager"),
    (re.compile(r"\._state\b|[\"']_state[\"']"), "an instance's private state"),
    (re.compile(r"\bfrom_db\("), "from_db"),
    (re.compile(r"\bconnection\.cursor\(|\bconnections\[[^\]]*\]\.cursor\("), "a raw cursor"),
    (re.compile(r"type:\s*ignore\[[^\]]*\battr-defined\b"), "type: ignore[attr-defined]"),
)


def application_files() -> list[Path]:
    return sorted(
        path
        for folder in APPLICATION
        for path in (ROOT / folder).rglob("*.py")
        if not NOT_APPLICATION & set(path.relative_to(ROOT).parts)
    )


def offences(lines: list[str], name: str) -> list[str]:
    """``file:line: why: the line`` of each forbidden use in ``lines``."""
    return [
        f"{name}:{number}: {why}: {line.strip()}"
        for number, line in enumerate(lines, start=1)
        for pattern, why in FORBIDDEN
        if pattern.search(line)
    ]


def test_application_code_uses_no_private_framework_attribute() -> None:
    files = application_files()
    assert len(files) > 100  # the scan reads the applications, not an empty folder
    found = [
        offence
        for path in files
        for offence in offences(
            path.read_text(encoding="utf-8").splitlines(), str(path.relative_to(ROOT))
        )
    ]
    assert found == [], "\n".join(found)


def test_migrations_management_commands_and_tests_are_not_scanned() -> None:
    scanned = {str(path.relative_to(ROOT)) for path in application_files()}
    assert "rehab/services/library.py" in scanned
    assert not {name for name in scanned if "/migrations/" in name or "/management/" in name}


@pytest.mark.parametrize(
    "line",
    [
        'size = Exercise._meta.get_field("name").max_length',
        'options = getattr(model, "_meta")',
        "rows = model._default_manager.all()",
        "rows = model._base_manager.all()",
        "if instance._state.adding:",
        "row = Exercise.from_db(db, names, values)",
        "with connection.cursor() as cursor:",
        'with connections["default"].cursor() as cursor:',
        "x = request.user.clinic  # type: ignore[attr-defined]",
        "x = y.z  # type: ignore[union-attr, attr-defined]",
    ],
)
def test_each_forbidden_use_is_found(line: str) -> None:
    assert offences(["", line], "app/module.py") != []
    assert offences(["", line], "app/module.py")[0].startswith("app/module.py:2: ")


@pytest.mark.parametrize(
    "line",
    [
        "exercise.refresh_from_db()",
        "self._add_confirm_field()",
        "limit = Exercise.name.field.max_length",
        "rows = apps.get_model(label).objects.filter(pk=pk)",
        "user: User = request.user  # type: ignore[assignment]",
    ],
)
def test_public_routes_and_our_own_private_names_pass(line: str) -> None:
    assert offences([line], "app/module.py") == []
