"""Signed one-click unsubscribe tokens: what to stop, for whom, and a mark of the address the
email went to (a keyed digest: the address itself is not in the link, nor so in a server's
logs). No expiry (an old email's link still works while it is that person's address) and
nothing secret inside; the signature makes them unforgeable."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "notify.unsubscribe"


class Topic:
    REMINDERS = "reminders"  # a patient's reminder emails
    REPLIES = "replies"  # a patient's "the clinic replied" emails
    REQUESTS = "requests"  # a patient's "the clinic asked you questions" emails
    ALERTS = "alerts"  # a clinician's alert and escalation emails
    DIGEST = "digest"  # a clinician's daily digest
    CONTACT = "contact"  # an address among a clinic's alert contacts

    ALL = (REMINDERS, REPLIES, REQUESTS, ALERTS, DIGEST, CONTACT)


@dataclass(frozen=True)
class Unsubscribe:
    topic: str
    user_id: int | None = None
    clinic_id: int | None = None
    # The mark of the address the email went to (``address_mark``): the link stops nothing
    # once the person's address is another (it was corrected). Empty in links made before it
    # was kept: they still work.
    sent_to: str = ""

    def went_to(self, address: str) -> bool:
        """Whether the link's email went to ``address`` (case aside)."""
        return bool(self.sent_to) and constant_time_compare(self.sent_to, address_mark(address))


def address_mark(address: str) -> str:
    """A keyed digest of an email address (case aside) that tells a link's address from
    another without holding it."""
    return salted_hmac(SALT, address.strip().lower(), algorithm="sha256").hexdigest()[:24]


def make(unsubscribe: Unsubscribe) -> str:
    data: dict[str, object] = {"t": unsubscribe.topic}
    if unsubscribe.user_id is not None:
        data["u"] = unsubscribe.user_id
    if unsubscribe.clinic_id is not None:
        data["c"] = unsubscribe.clinic_id
    if unsubscribe.sent_to:
        data["a"] = unsubscribe.sent_to
    return signing.dumps(data, salt=SALT, compress=True)


def read(token: str) -> Unsubscribe | None:
    """The request the token signs, or None if it is not one of ours."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") not in Topic.ALL:
        return None
    user_id, clinic_id, mark = data.get("u"), data.get("c"), data.get("a", "")
    if user_id is not None and not isinstance(user_id, int):
        return None
    if clinic_id is not None and not isinstance(clinic_id, int):
        return None
    if isinstance(data.get("e"), str):  # a link made before the mark: it held the address
        mark = address_mark(data["e"])
    if not isinstance(mark, str):
        return None
    return Unsubscribe(topic=data["t"], user_id=user_id, clinic_id=clinic_id, sent_to=mark)
