"""The patient's page scripts are ES modules that import one another (no build step): which
static files a page's script needs, read from the files themselves."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from django.contrib.staticfiles import finders

# The scripts the patient's templates load; each imports the rest.
PAGE_SCRIPTS = ("js/today.js", "js/records.js", "js/messages.js")
IMPORT = re.compile(r"""^(?:import|export)\b[^;]*?["'](\.{1,2}/[^"']+)["'];""", re.M)


def imports(name: str) -> list[str]:
    """The static paths the module ``name`` (``js/today.js``) imports directly."""
    found = finders.find(name)
    assert isinstance(found, str), name
    return [
        posixpath.normpath(posixpath.join(posixpath.dirname(name), relative))
        for relative in IMPORT.findall(Path(found).read_text())
    ]


def modules(start: str) -> set[str]:
    """``start`` and every module it imports, directly or not."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(imports(name))
    return seen
