"""What each notification says: the email (subject, text, HTML) and the push message.

No health details leave the system: a notification names the patient by first name at most
and links to the page where a signed-in person reads the rest. Every email carries a
one-click unsubscribe link and (to a person who signs in) a link to their notification
settings. Written in the clinic's language (``Clinic.language``, as its invitations are;
patients have no language of their own yet).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.models import Clinic
from notify import hours, recipients, tokens
from notify.channels import Email
from notify.models import PATIENT_KINDS, Notification

TTL_SECONDS = {  # how long a push service keeps a message for a phone that is off, at most
    Notification.Kind.ALERT: 24 * 60 * 60,
    Notification.Kind.ESCALATION: 24 * 60 * 60,
    Notification.Kind.REMINDER: 2 * 60 * 60,  # less: until its late limit or the quiet hours
    Notification.Kind.REPLY: 24 * 60 * 60,  # less: until the patient's quiet hours
    Notification.Kind.DIGEST: 12 * 60 * 60,
    Notification.Kind.REQUEST: 24 * 60 * 60,  # less: until the patient's quiet hours
}


@dataclass(frozen=True)
class Content:
    subject: str
    body: str  # one line: the push message's text
    path: str  # the page it opens
    context: dict[str, Any]


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _local(at: dt.datetime, clinic: Clinic) -> dt.datetime:
    return timezone.localtime(at, hours.tz_of(clinic))


def compose(notification: Notification, *, extra: dict[str, Any] | None = None) -> Content:
    """The words of ``notification`` (``extra``: what the kind needs that the row does not
    hold, e.g. a digest's first names)."""
    kind = notification.kind
    patient = notification.patient
    first_name = patient.first_name if patient is not None else ""
    context: dict[str, Any] = {"first_name": first_name, **(extra or {})}
    if kind in (Notification.Kind.ALERT, Notification.Kind.ESCALATION):
        assert patient is not None
        assert notification.alert is not None
        clinic = patient.clinic
        context["raised_at"] = _local(notification.alert.created_at, clinic)
        context["minutes"] = clinic.alert_escalation_minutes
        path = reverse("rehab:patient_detail", args=[patient.pk])
        if kind == Notification.Kind.ALERT:
            subject = _("Urgent: %(name)s needs your attention") % {"name": first_name}
            body = _("An urgent alert for %(name)s. Open it to see what they reported.") % {
                "name": first_name
            }
        else:
            subject = _("Not yet acknowledged: an urgent alert for %(name)s") % {"name": first_name}
            body = _("An urgent alert for %(name)s has not been acknowledged.") % {
                "name": first_name
            }
    elif kind == Notification.Kind.REMINDER:
        path = reverse("rehab:today")
        subject = _("Your exercises for today")
        body = _("Your exercises for today are waiting for you.")
    elif kind == Notification.Kind.REPLY:
        assert patient is not None
        context["clinic_name"] = patient.clinic.name
        path = reverse("rehab:my_messages")
        subject = _("Your clinic has replied")
        body = _("%(clinic)s has replied to your message.") % {"clinic": patient.clinic.name}
    elif kind == Notification.Kind.REQUEST:
        # Nothing of what is asked (a questionnaire's name tells of the injury): Today offers it.
        assert patient is not None
        context["clinic_name"] = patient.clinic.name
        path = reverse("rehab:today")
        subject = _("Your clinic has asked you a few questions")
        body = _("%(clinic)s has asked you a few questions. Open the app to answer.") % {
            "clinic": patient.clinic.name
        }
    else:  # digest
        path = reverse("rehab:dashboard")
        count = len(context.get("first_names", []))
        subject = ngettext(
            "Unread messages from %(count)s patient",
            "Unread messages from %(count)s patients",
            count,
        ) % {"count": count}
        body = subject
    return Content(subject=subject, body=body, path=path, context=context)


def unsubscribe_request(notification: Notification, *, to: str | None = None) -> tokens.Unsubscribe:
    """What the email's unsubscribe link stops, marked with the address it goes to (``to``;
    by default where it would go now, ``recipients.email_address``)."""
    kind, user_id = notification.kind, notification.user_id
    to = recipients.email_address(notification) if to is None else to
    sent_to = tokens.address_mark(to) if to else ""
    if kind in (Notification.Kind.ALERT, Notification.Kind.ESCALATION):
        if user_id is None:
            clinic_id = notification.patient.clinic_id if notification.patient else None
            return tokens.Unsubscribe(
                topic=tokens.Topic.CONTACT, clinic_id=clinic_id, sent_to=sent_to
            )
        return tokens.Unsubscribe(topic=tokens.Topic.ALERTS, user_id=user_id, sent_to=sent_to)
    topic = {
        Notification.Kind.REMINDER: tokens.Topic.REMINDERS,
        Notification.Kind.REPLY: tokens.Topic.REPLIES,
        Notification.Kind.REQUEST: tokens.Topic.REQUESTS,
        Notification.Kind.DIGEST: tokens.Topic.DIGEST,
    }[Notification.Kind(kind)]
    return tokens.Unsubscribe(topic=topic, user_id=user_id, sent_to=sent_to)


def language_of(notification: Notification) -> str:
    """The language ``notification`` is written in: its clinic's (the patient's, else the
    recipient clinician's: a digest), else the site's (an address with no clinic left)."""
    clinic = None
    if notification.patient is not None:
        clinic = notification.patient.clinic
    else:
        clinician = getattr(notification.user, "clinician", None)
        clinic = clinician.clinic if clinician is not None else None
    return clinic.language if clinic is not None else settings.LANGUAGE_CODE


def _reader_tz(notification: Notification) -> dt.tzinfo | None:
    """The time zone the email's times are read in: the clinic's for its clinicians (an alert,
    an escalation), the patient's own for them; None (the site's) for a digest."""
    patient = notification.patient
    if patient is None:
        return None
    if notification.kind in PATIENT_KINDS:
        return patient.tz
    return hours.tz_of(patient.clinic)


def settings_path(notification: Notification) -> str:
    """The recipient's notification settings page: a patient's reminders, a clinician's alerts
    and digest; none for an alert contact's address (the clinic admins keep that list)."""
    if notification.kind in PATIENT_KINDS:
        return reverse("notify:reminders")
    if notification.user_id is not None:
        return reverse("notify:clinician_settings")
    return ""


def email(notification: Notification, content: Content, *, to: str | None = None) -> Email:
    """The email, to ``to`` (by default where it would go now, ``recipients.email_address``)."""
    to = recipients.email_address(notification) if to is None else to
    unsubscribe_url = absolute(
        reverse("notify:unsubscribe", args=[tokens.make(unsubscribe_request(notification, to=to))])
    )
    path = settings_path(notification)
    context = {
        **content.context,
        "site_name": settings.SITE_NAME,
        "site_url": absolute("/"),
        "link": absolute(content.path),
        "settings_url": absolute(path) if path else "",
        "unsubscribe_url": unsubscribe_url,
        "subject": content.subject,
    }
    language = language_of(notification)
    context["LANGUAGE_CODE"] = language  # the HTML's lang
    # A template shows a datetime in the active time zone (the worker's is the site's, UTC),
    # whatever zone the value was given in.
    with translation.override(language), timezone.override(_reader_tz(notification)):
        name = f"notify/emails/{notification.kind}"
        return Email(
            to=to,
            subject=f"{content.subject} – {settings.SITE_NAME}",
            text=render_to_string(f"{name}.txt", context),
            html=render_to_string(f"{name}.html", context),
            unsubscribe_url=unsubscribe_url,
        )


def push_payload(notification: Notification, content: Content) -> dict[str, Any]:
    """What the service worker (``static/js/sw-push.js``) shows: a title, one line, the page
    to open on a tap, and a tag so that a newer message of the kind replaces the older one."""
    tag = notification.kind
    if notification.alert_id is not None:
        tag = f"{notification.kind}-{notification.alert_id}"
    return {
        "title": content.subject,
        "body": content.body,
        "url": content.path,
        "tag": tag,
    }
