"""What the tests of the actions that ask first share: a button with consequences (deactivate,
discharge, discard a draft, …) answers its first post with a question page, and only that
page's "Yes, …" (``confirmed``) does it."""

from __future__ import annotations

import re
from html import unescape

from django.test import Client


def text(html: str) -> str:
    """The page's words, without its tags, as a reader sees them."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def asks_first(
    client: Client, url: str, data: dict[str, object] | None = None, *, yes: str, cancel: str
) -> str:
    """Post ``data`` to ``url`` without ``confirmed`` and assert that the answer is the
    question: a page (200) whose form posts to ``url`` again, with what was posted and
    ``confirmed=1``, under the button ``yes``, and whose Cancel links to ``cancel``. Returns
    the page's words, for what the question says."""
    asked = client.post(url, data or {})
    assert asked.status_code == 200
    html = asked.content.decode()
    page = text(html)
    assert f'action="{url}"' in html
    for name, value in (data or {}).items():
        assert f'name="{name}" value="{value}"' in html
    assert 'name="confirmed" value="1"' in html
    assert yes in page
    assert f'href="{cancel}"' in html  # Cancel
    return page
