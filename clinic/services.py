"""Writes for the clinic app: patients, invitations and messages.

Views call one of these; each is atomic and validates first. Keyword-only, typed arguments.
Domain errors are ``django.core.exceptions.ValidationError`` with messages fit to show a user
(and a ``code`` the views use to choose a response).

``clinic`` never imports ``rehab``: dependencies point one way.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinic import events
from clinic.models import (
    PATIENT_DETAILS,
    Clinic,
    Clinician,
    Invitation,
    Message,
    Patient,
    TeamEvent,
    User,
    hash_token,
)

logger = logging.getLogger(__name__)

# --- Patients ----------------------------------------------------------------------------

PATIENT_FIELDS = frozenset(PATIENT_DETAILS)
# A second identical "add patient" within this many seconds is a double submit: the first row
# is returned instead of a second one.
PATIENT_DUPLICATE_WINDOW = dt.timedelta(seconds=60)


def _check_patient_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - PATIENT_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be set here: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )


def _check_therapist(patient: Patient) -> None:
    therapist = patient.therapist
    if therapist is not None and therapist.clinic_id != patient.clinic_id:
        raise ValidationError(
            {"therapist": _("Choose a clinician of this clinic.")}, code="other_clinic"
        )


def _check_email_free(patient: Patient) -> None:
    """Two patients of a clinic with one email address could not both accept an invitation."""
    if not patient.email:
        return
    others = Patient.objects.filter(clinic_id=patient.clinic_id, email__iexact=patient.email)
    if patient.pk:
        others = others.exclude(pk=patient.pk)
    if others.exists():
        raise ValidationError(
            {"email": _("Another patient of this clinic already has this email address.")},
            code="email_in_use",
        )


@transaction.atomic
def patient_create(
    *,
    clinic: Clinic,
    created_by: User | None,
    client_uuid: uuid.UUID | None = None,
    confirm_duplicate: bool = False,
    **fields: Any,
) -> Patient:
    """Register a patient in ``clinic``.

    Sent again with the same ``client_uuid`` (the form's, or an API client's), it returns the
    patient that id registered, whatever else has changed. A repeat of the same details within
    a minute (a double-submitted form without an id) returns the patient created the first
    time. A patient of the clinic with the same name and date of birth is most likely the same
    person registered twice (the Back button, then Submit): refused with ``possible_duplicate``
    unless ``confirm_duplicate`` says this is another person.
    """
    _check_patient_fields(fields)
    # Serialise concurrent adds for this clinic (a no-op on SQLite, whose writes are serial).
    Clinic.objects.select_for_update().filter(pk=clinic.pk).first()
    if client_uuid is not None:
        registered = Patient.objects.filter(client_uuid=client_uuid).first()
        if registered is not None and registered.clinic_id == clinic.pk:
            return registered
        if registered is not None:
            raise ValidationError(
                {
                    "client_uuid": ValidationError(
                        _("This id is already in use."), code="client_uuid_in_use"
                    )
                }
            )
    fields.setdefault("timezone", clinic.timezone)  # not given: the clinic's
    patient = Patient(clinic=clinic, client_uuid=client_uuid, **fields)
    patient.email = (patient.email or "").strip().lower()
    patient.full_clean()
    duplicate = (
        Patient.objects.filter(
            clinic=clinic,
            first_name=patient.first_name,
            last_name=patient.last_name,
            date_of_birth=patient.date_of_birth,
            injury_date=patient.injury_date,
            email=patient.email,
            created_at__gte=timezone.now() - PATIENT_DUPLICATE_WINDOW,
        )
        .order_by("pk")
        .first()
    )
    if duplicate is not None:
        return duplicate
    _check_therapist(patient)
    if not confirm_duplicate:
        _check_not_registered(patient)
    _check_email_free(patient)
    patient.save()
    logger.info(
        "Patient %s created in clinic %s by user %s",
        patient.pk,
        clinic.pk,
        created_by.pk if created_by else None,
    )
    return patient


def _check_not_registered(patient: Patient) -> None:
    """Refuse a patient the clinic has already: the same name (case and accents ignored) and
    date of birth. ``params["patient_id"]``: the one it has."""
    same = (
        Patient.objects.filter(clinic_id=patient.clinic_id)
        .same_person(
            first_name=patient.first_name,
            last_name=patient.last_name,
            date_of_birth=patient.date_of_birth,
        )
        .order_by("pk")
        .first()
    )
    if same is None:
        return
    # The name goes in ``params``, not into the message: Django puts it in when the error is
    # shown, and a name with "%" in it must not be read as a format.
    params: dict[str, Any] = {"name": same.full_name, "patient_id": same.pk}
    if same.date_of_birth:
        message = _(
            "%(name)s, born on %(born)s, is already a patient of this clinic. If this is another "
            "person with the same name and date of birth, confirm it to add them."
        )
        params["born"] = date_format(same.date_of_birth)
    else:
        message = _(
            "%(name)s is already a patient of this clinic. If this is another person with the "
            "same name, confirm it to add them."
        )
    raise ValidationError(message, code="possible_duplicate", params=params)


@transaction.atomic
def patient_update(*, patient: Patient, **fields: Any) -> Patient:
    """Change a patient's details (not their clinic, account or status). A new injury or
    surgery date or pathway re-checks the plan (``patient_course_changed``); a new email
    address ends the links sent to the old one."""
    _check_patient_fields(fields)
    if "email" in fields:
        fields["email"] = (fields["email"] or "").strip().lower()
    # Compared with the stored record: a ModelForm has already set the new values on the
    # instance it was given.
    stored = Patient.objects.select_for_update(of=("self",)).get(pk=patient.pk)
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.full_clean()
    _check_therapist(patient)
    _check_email_free(patient)
    patient.save(update_fields=[*fields, "updated_at"])
    if patient.email.lower() != (stored.email or "").lower():
        invitations_revoke(patient)  # sent to the old address
    if (patient.anchor_date, patient.pathway) != (stored.anchor_date, stored.pathway):
        events.patient_course_changed.send(sender=Patient, patient=patient)
    return patient


def _patient_set_status(*, patient: Patient, status: str) -> Patient:
    if patient.status != status:
        patient.status = status
        patient.full_clean()
        patient.save(update_fields=["status", "updated_at"])
        if status != Patient.Status.ACTIVE:
            events.patient_left_care.send(sender=Patient, patient=patient)
        if status == Patient.Status.ARCHIVED:
            invitations_revoke(patient)  # as an archived patient cannot be invited
    return patient


def invitations_revoke(invitee: Patient | Clinician) -> None:
    """The invitee's unused links stop working."""
    whose = {"patient": invitee} if isinstance(invitee, Patient) else {"clinician": invitee}
    Invitation.objects.filter(used_at__isnull=True, revoked_at__isnull=True, **whose).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def patient_discharge(*, patient: Patient) -> Patient:
    """Rehabilitation finished: the record and all logs are kept."""
    return _patient_set_status(patient=patient, status=Patient.Status.DISCHARGED)


@transaction.atomic
def patient_archive(*, patient: Patient) -> Patient:
    """Hide the patient from the usual lists. Patients are never deleted."""
    return _patient_set_status(patient=patient, status=Patient.Status.ARCHIVED)


@transaction.atomic
def patient_reactivate(*, patient: Patient) -> Patient:
    return _patient_set_status(patient=patient, status=Patient.Status.ACTIVE)


# --- Invitations ---------------------------------------------------------------------------

# A second invitation for the same patient within this many seconds is a double submit.
INVITATION_RESEND_WINDOW = dt.timedelta(seconds=10)


def invitation_url(token: str) -> str:
    """The absolute link a patient opens to accept an invitation."""
    path = reverse("clinic:invitation_accept", kwargs={"token": token})
    return settings.SITE_URL.rstrip("/") + path


def _send_invitation_email(*, invitation: Invitation, token: str) -> bool:
    """Email the link to the invitee, in the clinic's language. A patient's and a clinician's
    emails differ only in their words; the link works the same."""
    clinic = invitation.clinic
    kind = "invitation" if invitation.patient is not None else "team_invitation"
    context = {
        "invitation": invitation,
        "patient": invitation.patient,
        "clinician": invitation.clinician,
        "clinic": clinic,
        "url": invitation_url(token),
        "expires_at": invitation.expires_at,
        "site_name": settings.SITE_NAME,
    }
    with translation.override(clinic.language):
        subject = " ".join(render_to_string(f"clinic/emails/{kind}_subject.txt", context).split())
        body = render_to_string(f"clinic/emails/{kind}_body.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except (smtplib.SMTPException, OSError):
        # The page still shows the link and its QR code, so the clinician can pass it on.
        logger.exception("Could not email invitation %s", invitation.pk)
        return False
    return True


def _issue_invitation(
    *, patient: Patient | None = None, clinician: Clinician | None = None, created_by: User | None
) -> tuple[Invitation, str]:
    """The one way an invitation is made: earlier unused links of the same invitee stop
    working, a new link is stored as a hash and emailed. Refuses a second one within seconds
    (a double submit). Returns ``(invitation, token)``; the token is shown once."""
    invitee = {"patient": patient} if patient is not None else {"clinician": clinician}
    now = timezone.now()
    pending = Invitation.objects.filter(used_at__isnull=True, revoked_at__isnull=True, **invitee)
    if pending.filter(created_at__gte=now - INVITATION_RESEND_WINDOW).exists():
        raise ValidationError(
            _(
                "An invitation was sent a moment ago; its link has been emailed. "
                "Wait a few seconds before sending a new one."
            ),
            code="too_soon",
        )
    pending.update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=hash_token(token),
        created_by=created_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.INVITATION_TTL_DAYS),
        **invitee,
    )
    invitation.sent_to = invitation.email
    invitation.full_clean()
    invitation.save()
    _send_invitation_email(invitation=invitation, token=token)
    return invitation, token


@transaction.atomic
def invitation_create(*, patient: Patient, created_by: User | None) -> tuple[Invitation, str]:
    """A new one-time link for ``patient`` to set a password, emailed to them.

    Only the token's hash is stored; the token itself is returned once, to show the link.
    Earlier unused links of the patient stop working. Returns ``(invitation, token)``.
    """
    patient = (
        Patient.objects.select_for_update(of=("self",))
        .select_related("clinic", "user")
        .get(pk=patient.pk)
    )
    if not patient.email:
        raise ValidationError(
            _("Add the patient's email address before inviting them."), code="no_email"
        )
    if patient.status == Patient.Status.ARCHIVED:
        raise ValidationError(
            _("An archived patient cannot be invited; reactivate the patient first."),
            code="archived",
        )
    return _issue_invitation(patient=patient, created_by=created_by)


@transaction.atomic
def clinician_invitation_create(
    *, clinician: Clinician, created_by: User | None
) -> tuple[Invitation, str]:
    """A new one-time link for a clinician invited to the team (``clinic.team.services``) to
    set their password; the same links, expiry and acceptance as a patient's."""
    clinician = (
        Clinician.objects.select_for_update(of=("self",))
        .select_related("clinic", "user")
        .get(pk=clinician.pk)
    )
    if not clinician.user.is_active:
        raise ValidationError(
            _("This clinician is deactivated; reactivate them first."), code="inactive"
        )
    if clinician.user.has_usable_password():
        raise ValidationError(
            _("%(name)s has already set a password and can sign in.")
            % {"name": clinician.user.get_full_name()},
            code="already_joined",
        )
    return _issue_invitation(clinician=clinician, created_by=created_by)


_INVITATION_RELATED = (
    "patient",
    "patient__user",
    "patient__clinic",
    "clinician",
    "clinician__user",
    "clinician__clinic",
)


def invitation_check(*, token: str) -> Invitation:
    """The usable invitation for ``token`` (a read), or ValidationError with a code:
    ``unknown``, ``expired``, ``used``, ``revoked``, ``no_email`` or ``email_taken``."""
    invitation = (
        Invitation.objects.select_related(*_INVITATION_RELATED)
        .filter(token_hash=hash_token(token))
        .first()
    )
    _ensure_usable(invitation)
    assert invitation is not None  # for the type checker; _ensure_usable raised otherwise
    return invitation


def _ensure_usable(invitation: Invitation | None) -> None:
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."), code="unknown")
    if invitation.used_at is not None:
        raise ValidationError(_("This invitation link has already been used."), code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(
            _("This invitation link was replaced by a newer one."), code="revoked"
        )
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation link has expired."), code="expired")
    if invitation.sent_to and invitation.sent_to.lower() != (invitation.email or "").lower():
        raise ValidationError(
            _(
                "This invitation link was sent to an email address the clinic has since "
                "corrected; ask them for a new link."
            ),
            code="address_changed",
        )
    if invitation.clinician is not None:
        if not invitation.clinician.user.is_active:
            raise ValidationError(_("This invitation link is not valid."), code="unknown")
        return  # the clinician's account was made with the invitation, under its email
    patient = invitation.patient
    assert patient is not None
    if patient.status == Patient.Status.ARCHIVED:
        raise ValidationError(
            _("This invitation link no longer works; ask the clinic for a new one."),
            code="archived",
        )
    if not patient.email:
        raise ValidationError(
            _("The clinic has no email address for you; ask them to add it."), code="no_email"
        )
    owners = User.objects.filter(email__iexact=patient.email)
    if patient.user_id is not None:
        owners = owners.exclude(pk=patient.user_id)
    if owners.exists():
        raise ValidationError(
            _(
                "The email address %(email)s already belongs to another account. "
                "Ask the clinic to check the email address on your record."
            )
            % {"email": patient.email},
            code="email_taken",
        )


def invitation_candidate_user(invitation: Invitation) -> User:
    """The account the invitation will set a password for: the invited clinician's, the
    patient's linked account, or an unsaved one with the patient's email (for the password
    form's similarity checks)."""
    if invitation.clinician is not None:
        return invitation.clinician.user
    patient = invitation.patient
    assert patient is not None
    if patient.user is not None:
        return patient.user
    return User(email=patient.email, full_name=patient.full_name)


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the invitee's password from a usable invitation; the link then stops working.

    A patient's account is made with their email (or their linked account reused) and linked
    to them; an invited clinician's account, made with the invitation, gets its password.
    Raises ValidationError (see ``invitation_check``) and changes nothing if the link cannot
    be used.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related(*_INVITATION_RELATED)
        .filter(token_hash=hash_token(token))
        .first()
    )
    _ensure_usable(invitation)
    assert invitation is not None
    user = invitation_candidate_user(invitation)
    password_validation.validate_password(password, user)
    patient = invitation.patient
    if patient is not None:
        user.email = patient.email.lower()
        if not user.full_name:
            user.full_name = patient.full_name
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if patient is not None and patient.user_id != user.pk:
        patient.user = user
        patient.save(update_fields=["user", "updated_at"])
    if invitation.clinician is not None:
        TeamEvent.objects.create(
            clinic_id=invitation.clinician.clinic_id,
            actor=user,
            clinician=invitation.clinician,
            action=TeamEvent.Action.JOINED,
        )
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return user


# --- Messages ------------------------------------------------------------------------------

# The same text from the same author within this window is a double submit, not a new message.
MESSAGE_DUPLICATE_WINDOW = dt.timedelta(seconds=10)


def _message_sent_before(
    *, patient: Patient, author: User | None, from_patient: bool, client_uuid: uuid.UUID
) -> Message | None:
    """The message of the thread that ``client_uuid`` stored, if any (a retry). The id of
    another author's message is refused: it is no retry of theirs."""
    try:
        stored = Message.objects.get(patient=patient, client_uuid=client_uuid)
    except Message.DoesNotExist:
        return None
    if stored.author_id != (author.pk if author else None) or stored.from_patient != from_patient:
        raise ValidationError(
            {
                "client_uuid": ValidationError(
                    _("This id is already in use."), code="client_uuid_in_use"
                )
            }
        )
    return stored


@transaction.atomic
def message_send(
    *,
    patient: Patient,
    author: User | None,
    body: str,
    from_patient: bool,
    client_uuid: uuid.UUID | None = None,
) -> tuple[Message, bool]:
    """Add a message to the patient's thread. Returns ``(message, created)``.

    Sent again with the same ``client_uuid`` (the message form's, the Today page's outbox's, an
    API client's), however late, it returns the message that id stored instead of a second.
    Without one (an older client), an identical message from the same author within ten
    seconds (a double-submitted form) returns the first one instead.
    """
    body = (body or "").strip()
    # Serialise sends to one thread so two identical submits cannot both pass the check.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    now = timezone.now()
    if client_uuid is not None:
        stored = _message_sent_before(
            patient=patient, author=author, from_patient=from_patient, client_uuid=client_uuid
        )
        if stored is not None:
            return stored, False
    else:
        duplicate = (
            Message.objects.filter(
                patient=patient,
                author=author,
                from_patient=from_patient,
                body=body,
                created_at__gte=now - MESSAGE_DUPLICATE_WINDOW,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if body and duplicate is not None:
            return duplicate, False
    message = Message(
        patient=patient,
        author=author,
        from_patient=from_patient,
        body=body,
        created_at=now,
        client_uuid=client_uuid,
    )
    message.full_clean()
    message.save()
    return message, True


@transaction.atomic
def messages_mark_read(*, patient: Patient, reader_is_patient: bool) -> int:
    """Mark the other side's unread messages in the thread read; returns how many."""
    return Message.objects.filter(
        patient=patient, from_patient=not reader_is_patient, read_at__isnull=True
    ).update(read_at=timezone.now())
