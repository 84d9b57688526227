"""No module of application code is over 500 lines (issue 15): one past that has several jobs and
becomes a package split by sub-domain, or a script split into ES modules, each with its job in
its header. Migrations, management commands (the seeding of scale data) and tests are not
application code; the admin modules are declarative and stay well under anyway.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_no_private_framework_attributes import ROOT, application_files

MOST_LINES = 500


def application_modules() -> list[Path]:
    return [*application_files(), *sorted((ROOT / "static" / "js").rglob("*.js"))]


def test_the_modules_are_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in application_modules()}
    assert {"rehab/views/builder/__init__.py", "static/js/today/queue.js"} <= names
    assert not any("/migrations/" in name for name in names)


def test_no_application_module_is_over_500_lines() -> None:
    lines = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in application_modules()
    }
    assert {name: n for name, n in lines.items() if n > MOST_LINES} == {}
