"""The two ways a notification leaves: web push (``pywebpush``, VAPID) and email (Django's mail).

Each send answers with an ``Outcome``; the caller (``notify.delivery``) records it. Nothing here
retries: a timeout, a refused connection, a 429 or a 5xx is ``RETRY`` and the job is queued
again with a back-off; a 404 or 410 from a push service is ``EXPIRED`` (the subscription is
gone for good).
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import logging
import smtplib
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from notify.models import PushSubscription

logger = logging.getLogger(__name__)

HTTP_GONE = (404, 410)
HTTP_TOO_MANY_REQUESTS = 429
HTTP_SERVER_ERROR = 500


class Outcome(enum.Enum):
    SENT = "sent"
    EXPIRED = "expired"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    error: str = ""  # for the record: a class name or a status, never a message's content


# --- Web push ------------------------------------------------------------------------------


def push_enabled() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY)


@cache
def _vapid(private_key: str) -> Vapid02:
    return Vapid02.from_string(private_key)


def push_endpoint_allowed(endpoint: str) -> bool:
    """Only the browsers' push services (``NOTIFY_PUSH_HOSTS``) over HTTPS: the server posts to
    this address, so it must not be one of ours or an internal one."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and host not in settings.NOTIFY_PUSH_INSECURE_HOSTS:
        return False
    return any(host == allowed or host.endswith("." + allowed) for allowed in _push_hosts())


def push_key_usable(p256dh: str) -> bool:
    """Whether a browser's ``p256dh`` (base64url) is a point on P-256 that a message can be
    encrypted to: a key of the right length may still be none (pywebpush raises ValueError)."""
    try:
        raw = base64.urlsafe_b64decode(p256dh + "=" * (-len(p256dh) % 4))
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except (binascii.Error, ValueError):
        return False
    return True


def _push_hosts() -> list[str]:
    return [h.lower().lstrip(".") for h in settings.NOTIFY_PUSH_HOSTS]


def _refused(status: int | None) -> Result:
    """A push service's refusal: gone for good, worth another try later, or failed."""
    if status in HTTP_GONE:
        return Result(Outcome.EXPIRED, f"HTTP {status}")
    if status is not None and (status == HTTP_TOO_MANY_REQUESTS or status >= HTTP_SERVER_ERROR):
        return Result(Outcome.RETRY, f"HTTP {status}")
    return Result(Outcome.FAILED, f"HTTP {status}" if status else "refused")


def send_push(subscription: PushSubscription, payload: dict[str, Any], *, ttl: int) -> Result:
    """One encrypted push message (RFC 8291, aes128gcm) signed with the site's VAPID key."""
    if not push_enabled():
        return Result(Outcome.FAILED, "push is not configured (VAPID keys)")
    if not push_endpoint_allowed(subscription.endpoint):
        return Result(Outcome.EXPIRED, "endpoint not allowed")
    if not push_key_usable(subscription.p256dh):  # no message can ever be encrypted to it
        return Result(Outcome.EXPIRED, "unusable key")
    try:
        webpush(
            subscription.info(),
            json.dumps(payload),
            vapid_private_key=_vapid(settings.VAPID_PRIVATE_KEY),
            vapid_claims={"sub": settings.VAPID_SUBJECT},  # a fresh dict: webpush writes to it
            timeout=settings.NOTIFY_PUSH_TIMEOUT,
            ttl=ttl,
        )
    except WebPushException as error:
        return _refused(error.response.status_code if error.response is not None else None)
    except requests.RequestException as error:  # a timeout, a refused or reset connection
        return Result(Outcome.RETRY, type(error).__name__)
    return Result(Outcome.SENT)


# --- Email ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str
    headers: dict[str, str] = field(default_factory=dict)


def send_email(email: Email) -> Result:
    """One email, plain text and HTML, with a one-click unsubscribe (RFC 8058)."""
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        to=[email.to],
        headers={
            "List-Unsubscribe": f"<{email.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            **email.headers,
        },
    )
    message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        return Result(Outcome.FAILED, "recipient refused")
    except (smtplib.SMTPException, OSError) as error:  # down, timed out, refused, TLS
        return Result(Outcome.RETRY, type(error).__name__)
    return Result(Outcome.SENT)
