"""How ``notify`` hears what happens in ``clinic`` and ``rehab`` (they never import it): model
signals and ``clinic.events``, connected in ``NotifyConfig.ready``."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models.signals import post_save

from clinic import events
from clinic.models import Clinic, Message, Patient, User
from notify import planning, services, tasks
from rehab.models.alerts import Alert
from rehab.models.logbook import AtrsRequest


def on_alert_saved(sender: type[Alert], *, instance: Alert, created: bool, **_: Any) -> None:
    """A new urgent alert: its escalation time and the job that tells the clinic, in the
    transaction that raised it (both are stored with it, or neither). Acknowledged: nothing
    more to send or escalate."""
    if created:
        if planning.alert_raised(instance):
            tasks.send_alert.enqueue(instance.pk)
    elif instance.acknowledged_at is not None:
        planning.alert_acknowledged(instance)


def on_clinic_saved(
    sender: type[Clinic], *, instance: Clinic, created: bool, update_fields: Any = None, **_: Any
) -> None:
    """A new time zone, opening hours or escalation time moves the pending escalations of the
    clinic's open alerts, in the transaction that saved it."""
    if created or (
        update_fields is not None and not planning.CLINIC_HOURS_FIELDS & set(update_fields)
    ):
        return
    planning.clinic_hours_changed(instance)


def on_message_saved(sender: type[Message], *, instance: Message, created: bool, **_: Any) -> None:
    if created and not instance.from_patient:
        tasks.enqueue_reply(instance.pk)


def on_atrs_request_saved(
    sender: type[AtrsRequest], *, instance: AtrsRequest, created: bool, **_: Any
) -> None:
    """The clinic asked the patient to fill in the ATRS: the job that tells them, in the
    transaction that asked."""
    if created:
        tasks.enqueue_request(instance.pk)


def on_patient_saved(
    sender: type[Patient], *, instance: Patient, created: bool, update_fields: Any = None, **_: Any
) -> None:
    """A time zone or status change moves (or stops) the patient's reminders."""
    if created or (update_fields is not None and not {"timezone", "status"} & set(update_fields)):
        return
    services.patient_timezone_changed(patient=instance)


def on_patient_erased(sender: type[Patient], *, patient: Patient, **_: Any) -> None:
    services.patient_forgotten(patient=patient)


def on_sessions_signed_out(
    sender: Any, *, user: User, session_keys: Collection[str], **_: Any
) -> None:
    """Signed out of a browser (however: there, from another, a password change, deactivation):
    that browser stops getting the person's notifications."""
    services.push_sessions_signed_out(user=user, session_keys=session_keys)


def on_session_key_changed(
    sender: Any, *, user: User, old_key: str, new_key: str, **_: Any
) -> None:
    services.push_session_key_changed(user=user, old_key=old_key, new_key=new_key)


def connect() -> None:
    events.patient_erased.connect(on_patient_erased, dispatch_uid="notify.patient_erased")
    events.sessions_signed_out.connect(
        on_sessions_signed_out, dispatch_uid="notify.sessions_signed_out"
    )
    events.session_key_changed.connect(
        on_session_key_changed, dispatch_uid="notify.session_key_changed"
    )
    post_save.connect(on_alert_saved, sender=Alert, dispatch_uid="notify.alert")
    post_save.connect(on_clinic_saved, sender=Clinic, dispatch_uid="notify.clinic")
    post_save.connect(on_message_saved, sender=Message, dispatch_uid="notify.message")
    post_save.connect(on_atrs_request_saved, sender=AtrsRequest, dispatch_uid="notify.atrs_request")
    post_save.connect(on_patient_saved, sender=Patient, dispatch_uid="notify.patient")
