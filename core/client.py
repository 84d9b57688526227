"""The client's address: one function, one proxy policy, for every part of the site that needs
it (rate limits, the sign-in lockout, the list of a user's sessions, the audit trail).

``TRUSTED_PROXY_HOPS`` (a setting, from the environment) is the number of proxies in front of
the app that each append the address they saw to ``X-Forwarded-For``:

- 0 (the default): ``REMOTE_ADDR``; ``X-Forwarded-For`` is ignored (anyone can send it).
- n ≥ 1: the n-th address from the right of ``X-Forwarded-For``, the one the outermost trusted
  proxy saw. Addresses further left were sent by the client and are not trusted. Without the
  header (a request that did not come through the proxies), ``REMOTE_ADDR``.

Anything that is not an IP address gives None.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings


def client_ip(meta: Mapping[str, Any]) -> str | None:
    """The client's IP address from a request's ``META`` under ``TRUSTED_PROXY_HOPS``."""
    candidate = str(meta.get("REMOTE_ADDR") or "")
    hops = int(getattr(settings, "TRUSTED_PROXY_HOPS", 0) or 0)
    if hops > 0:
        forwarded = [
            part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            candidate = forwarded[-min(hops, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None
