"""Invitations: the one-time link a patient, or a clinician invited to the team, sets a
password with. Issued (stored as a hash, emailed), checked, accepted once, revoked."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinic.models import Clinician, Invitation, Patient, TeamEvent, User, hash_token

logger = logging.getLogger(__name__)

# A second invitation for the same patient within this many seconds is a double submit.
INVITATION_RESEND_WINDOW = dt.timedelta(seconds=10)


def invitation_url(token: str) -> str:
    """The absolute link a patient opens to accept an invitation."""
    path = reverse("clinic:invitation_accept", kwargs={"token": token})
    return settings.SITE_URL.rstrip("/") + path


def invitations_revoke(invitee: Patient | Clinician) -> None:
    """The invitee's unused links stop working."""
    whose = {"patient": invitee} if isinstance(invitee, Patient) else {"clinician": invitee}
    Invitation.objects.unused().filter(**whose).update(revoked_at=timezone.now())


def _send_invitation_email(*, invitation: Invitation, token: str) -> bool:
    """Email the link to the invitee, in the clinic's language. A patient's and a clinician's
    emails differ only in their words; the link works the same. Its expiry is given in the
    invitee's time zone, named, as the app shows them their pages (``reader_time_zone``): a
    patient's own, a clinician's clinic's."""
    clinic = invitation.clinic
    patient = invitation.patient
    kind = "invitation" if patient is not None else "team_invitation"
    context = {
        "invitation": invitation,
        "patient": patient,
        "clinician": invitation.clinician,
        "clinic": clinic,
        "url": invitation_url(token),
        "expires_at": invitation.expires_at,
        "time_zone": patient.timezone if patient is not None else clinic.timezone,
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
    pending = Invitation.objects.unused().filter(**invitee)
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
    patient.check_not_erased()
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
