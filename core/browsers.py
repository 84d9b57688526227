"""A browser's user-agent string as a person names it: "Chrome on Android", "Safari on iPhone",
"Firefox on Windows"; "Unknown browser" when it tells nothing. Read with ua-parser (uap-core's
regexes, kept up to date by that project); the names are brands, not translated, the sentence
around them is."""

from __future__ import annotations

import functools

from django.utils.translation import gettext as _
from ua_parser import parse

# ua-parser's names for a phone's or a tablet's edition of a browser, as people call it.
_BROWSERS = {
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Opera Mobile": "Opera",
}
_SYSTEMS = {"Mac OS X": "Mac", "Chrome OS": "ChromeOS"}
_APPLE_DEVICES = ("iPhone", "iPad", "iPod")


@functools.lru_cache(maxsize=256)
def _names(user_agent: str) -> tuple[str, str]:
    """(browser, platform); either empty when unknown. The same few strings come back on every
    sessions page, so each is parsed once per process."""
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else ""
    system = result.os.family if result.os else ""
    device = result.device.family if result.device else ""
    browser = "" if browser == "Other" else _BROWSERS.get(browser, browser)
    if system == "iOS":
        platform = next((d for d in _APPLE_DEVICES if device.startswith(d)), "iOS")
    else:
        platform = "" if system == "Other" else _SYSTEMS.get(system, system)
    return browser, platform


def browser_label(user_agent: str) -> str:
    """The browser and where it runs, in words ("Chrome on Android")."""
    browser, platform = _names(user_agent or "")
    if not browser:
        if platform:
            return _("Unknown browser on %(platform)s") % {"platform": platform}
        return _("Unknown browser")
    if not platform:
        return browser
    return _("%(browser)s on %(platform)s") % {"browser": browser, "platform": platform}
