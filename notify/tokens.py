"""Signed one-click unsubscribe tokens: what to stop, for whom, and the address the email went
to. No expiry (an old email's link still works while it is that person's address) and nothing
secret inside; the signature makes them unforgeable."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

SALT = "notify.unsubscribe"


class Topic:
    REMINDERS = "reminders"  # a patient's reminder emails
    REPLIES = "replies"  # a patient's "the clinic replied" emails
    ALERTS = "alerts"  # a clinician's alert and escalation emails
    DIGEST = "digest"  # a clinician's daily digest
    CONTACT = "contact"  # an address among a clinic's alert contacts

    ALL = (REMINDERS, REPLIES, ALERTS, DIGEST, CONTACT)


@dataclass(frozen=True)
class Unsubscribe:
    topic: str
    user_id: int | None = None
    clinic_id: int | None = None
    # The address the email went to: the link stops nothing once the person's address is
    # another (it was corrected). Empty in links made before it was kept: they still work.
    email: str = ""


def make(unsubscribe: Unsubscribe) -> str:
    data: dict[str, object] = {"t": unsubscribe.topic}
    if unsubscribe.user_id is not None:
        data["u"] = unsubscribe.user_id
    if unsubscribe.clinic_id is not None:
        data["c"] = unsubscribe.clinic_id
    if unsubscribe.email:
        data["e"] = unsubscribe.email
    return signing.dumps(data, salt=SALT, compress=True)


def read(token: str) -> Unsubscribe | None:
    """The request the token signs, or None if it is not one of ours."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") not in Topic.ALL:
        return None
    user_id, clinic_id, email = data.get("u"), data.get("c"), data.get("e", "")
    if user_id is not None and not isinstance(user_id, int):
        return None
    if clinic_id is not None and not isinstance(clinic_id, int):
        return None
    if not isinstance(email, str):
        return None
    return Unsubscribe(topic=data["t"], user_id=user_id, clinic_id=clinic_id, email=email)
