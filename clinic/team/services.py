"""Writes of a clinic's team, by its clinic admins: invite a clinician, change a role,
deactivate and reactivate, reset a lost two-factor device. Each is atomic, refuses what would
lock the clinic out (its last clinic admin, oneself), and leaves a ``TeamEvent``.

A clinician is invited with the same one-time, expiring links as a patient
(``clinic.services.invitations.clinician_invitation_create``): the account is made now,
without a password, and the invitee sets one from the link.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.accounts import mfa
from clinic.accounts.services import api_tokens_end, security_policy_changed, user_sessions_end
from clinic.models import (
    TEAM_EVENT_DETAIL_MAX_LENGTH,
    Clinic,
    Clinician,
    Invitation,
    Patient,
    TeamEvent,
    User,
)
from clinic.services import invitations as invitation_services
from clinic.services.patients import check_joined
from core.touched import touch


def _event(clinician: Clinician, *, actor: User | None, action: str, detail: str = "") -> TeamEvent:
    return TeamEvent.objects.create(
        clinic_id=clinician.clinic_id,
        actor=actor,
        clinician=clinician,
        action=action,
        detail=detail[:TEAM_EVENT_DETAIL_MAX_LENGTH],
    )


def _active_admins(clinic_id: int) -> int:
    return Clinician.objects.filter(
        clinic_id=clinic_id, role=Clinician.Role.ADMIN, user__is_active=True
    ).count()


def _not_oneself(clinician: Clinician, by: User | None, message: str) -> None:
    if by is not None and clinician.user_id == by.pk:
        raise ValidationError(message, code="oneself")


def _lock_team(clinic_id: int) -> None:
    """One change of a clinic's admins at a time (the clinic's row is locked): two admins
    demoting or deactivating each other at once would each count the other still there."""
    Clinic.objects.lock(clinic_id)


def _not_last_admin(clinician: Clinician, message: str) -> None:
    if (
        clinician.is_clinic_admin
        and clinician.user.is_active
        and _active_admins(clinician.clinic_id) <= 1
    ):
        raise ValidationError(message, code="last_admin")


@transaction.atomic
def clinician_invite(
    *, clinic: Clinic, email: str, full_name: str, role: str, invited_by: User | None
) -> tuple[Clinician, Invitation, str]:
    """Add a clinician to ``clinic`` and email them a link to set their password.

    Returns ``(clinician, invitation, token)``; the token is shown once. An email address that
    already has an account (here or anywhere in the app) is refused.
    """
    email = User.objects.normalize_email(email).strip().lower()
    # One invitation at a time for a clinic: the same one sent twice at once (a double click,
    # a retried request) waits here, then finds the first one in the team.
    _lock_team(clinic.pk)
    existing = (
        Clinician.objects.filter(user__email__iexact=email, clinic=clinic)
        .select_related("user")
        .first()
    )
    if existing is not None:
        # What the admin can do depends on where they are: nothing, a new link, reactivation.
        if not existing.user.is_active:
            said = _(
                "%(email)s is in your team but deactivated; open their page to reactivate them."
            )
        elif not existing.user.has_usable_password():
            said = _(
                "%(email)s is already invited to your team; open their page to send a new "
                "invitation link."
            )
        else:
            said = _("%(email)s is already in your team and can sign in.")
        raise ValidationError({"email": said % {"email": email}}, code="in_team")
    taken = ValidationError(
        {"email": _("%(email)s already has an account in the app.") % {"email": email}},
        code="email_taken",
    )
    if User.objects.filter(email__iexact=email).exists():
        raise taken
    user = User(email=email, full_name=full_name.strip())
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():  # another clinic inviting the same address at this moment
            user.save()
    except IntegrityError:
        raise taken from None
    clinician = Clinician(user=user, clinic=clinic, role=role)
    clinician.full_clean()
    clinician.save()
    invitation, token = invitation_services.clinician_invitation_create(
        clinician=clinician, created_by=invited_by
    )
    _event(
        clinician,
        actor=invited_by,
        action=TeamEvent.Action.INVITED,
        detail=clinician.get_role_display(),
    )
    return clinician, invitation, token


@transaction.atomic
def clinician_invite_again(
    *, clinician: Clinician, invited_by: User | None
) -> tuple[Invitation, str]:
    """A new link for an invited clinician who has not set a password yet (the old one stops
    working)."""
    invitation, token = invitation_services.clinician_invitation_create(
        clinician=clinician, created_by=invited_by
    )
    _event(clinician, actor=invited_by, action=TeamEvent.Action.INVITED, detail=_("a new link"))
    return invitation, token


@transaction.atomic
def clinician_set_role(*, clinician: Clinician, role: str, changed_by: User | None) -> Clinician:
    """Make a clinician a therapist or a clinic admin. Not one's own role; never the clinic's
    last clinic admin down to therapist. A new clinic admin must use two-factor sign-in: their
    API tokens end (``security_policy_changed``); their browser session asks within a minute."""
    _lock_team(clinician.clinic_id)
    clinician = Clinician.objects.select_for_update().select_related("user").get(pk=clinician.pk)
    if role not in Clinician.Role.values:
        raise ValidationError({"role": _("Choose a role.")}, code="invalid_role")
    if role == clinician.role:
        return clinician
    _not_oneself(
        clinician, changed_by, _("You cannot change your own role; ask another clinic admin.")
    )
    if role != Clinician.Role.ADMIN:
        _not_last_admin(
            clinician,
            _("%(name)s is the clinic's only clinic admin; make someone else a clinic admin first.")
            % {"name": clinician.user.get_full_name()},
        )
    before = clinician.get_role_display()
    clinician.role = role
    clinician.full_clean()
    clinician.save(update_fields=["role"])
    security_policy_changed(users=[clinician.user])
    _event(
        clinician,
        actor=changed_by,
        action=TeamEvent.Action.ROLE_CHANGED,
        detail=f"{before} → {clinician.get_role_display()}",
    )
    return clinician


@transaction.atomic
def clinician_deactivate(
    *, clinician: Clinician, deactivated_by: User | None, reassign_to: Clinician | None = None
) -> int:
    """Stop a clinician from signing in: their browser sessions and API tokens end, unused
    invitation links stop working, and their patients go to ``reassign_to`` (an active
    clinician of the same clinic) or are shown as unassigned. Not oneself; never the clinic's
    last clinic admin. The record stays (what they wrote keeps its author). Returns how many
    patients were reassigned or unassigned."""
    _lock_team(clinician.clinic_id)
    clinician = Clinician.objects.select_for_update().select_related("user").get(pk=clinician.pk)
    reassign_to = clinician_deactivate_check(
        clinician=clinician, deactivated_by=deactivated_by, reassign_to=reassign_to
    )
    user = clinician.user
    if not user.is_active:
        return 0
    user.is_active = False
    user.save(update_fields=["is_active"])  # clinic.accounts.signals ends the API tokens
    user_sessions_end(user)
    invitation_services.invitations_revoke(clinician)
    # Each patient's record changes (their therapist): the audit trail names each of them,
    # as it does a therapist changed on the patient form. Their rows are locked first, so
    # the ids named are the rows updated.
    theirs = list(
        Patient.objects.select_for_update()
        .filter(therapist=clinician)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    moved = Patient.objects.filter(pk__in=theirs).update(therapist=reassign_to)
    for patient_id in theirs:
        touch(patient_id)
    if not moved:
        detail = _("no patients assigned")
    elif reassign_to is not None:
        detail = ngettext(
            "%(n)s patient reassigned to %(name)s",
            "%(n)s patients reassigned to %(name)s",
            moved,
        ) % {"n": moved, "name": reassign_to.user.get_full_name()}
    else:
        detail = ngettext(
            "%(n)s patient left unassigned", "%(n)s patients left unassigned", moved
        ) % {"n": moved}
    _event(clinician, actor=deactivated_by, action=TeamEvent.Action.DEACTIVATED, detail=detail)
    return moved


def clinician_deactivate_check(
    *, clinician: Clinician, deactivated_by: User | None, reassign_to: Clinician | None = None
) -> Clinician | None:
    """Why ``clinician_deactivate`` would refuse, as its ``ValidationError``, without changing
    anything (the page asks "Deactivate …?" only of a deactivation that can be done): not
    oneself, never the clinic's last clinic admin, the patients only to a colleague who has
    joined. Returns ``reassign_to`` as it is now."""
    _not_oneself(
        clinician, deactivated_by, _("You cannot deactivate yourself; ask another clinic admin.")
    )
    _not_last_admin(
        clinician,
        _(
            "%(name)s is the clinic's only clinic admin and cannot be deactivated; make someone "
            "else a clinic admin first."
        )
        % {"name": clinician.user.get_full_name()},
    )
    return None if reassign_to is None else _patients_can_go_to(reassign_to, clinician)


def _patients_can_go_to(target: Clinician, clinician: Clinician) -> Clinician:
    """``target`` as it is now, if the patients of ``clinician`` can be handed to them: an
    active colleague of the same clinic who has joined the team (an invited one who has not
    set a password cannot see the patients). Else ``ValidationError`` on ``reassign_to``."""
    target = Clinician.objects.select_related("user").get(pk=target.pk)
    if (
        target.clinic_id != clinician.clinic_id
        or target.pk == clinician.pk
        or not target.user.is_active
    ):
        raise ValidationError(
            {"reassign_to": _("Choose another active clinician of your clinic.")},
            code="bad_reassignment",
        )
    check_joined(target, field="reassign_to")
    return target


@transaction.atomic
def clinician_reactivate(*, clinician: Clinician, reactivated_by: User | None) -> Clinician:
    clinician = Clinician.objects.select_for_update().select_related("user").get(pk=clinician.pk)
    if not clinician.user.is_active:
        clinician.user.is_active = True
        clinician.user.save(update_fields=["is_active"])
        _event(clinician, actor=reactivated_by, action=TeamEvent.Action.REACTIVATED)
    return clinician


@transaction.atomic
def clinician_reset_two_factor(*, clinician: Clinician, reset_by: User | None) -> None:
    """A clinician lost their phone and recovery codes: remove their authenticator and codes,
    end their sessions and API tokens. At their next sign-in they set two-factor up again (it
    is required of them, so no page opens until they do)."""
    clinician = Clinician.objects.select_for_update().select_related("user").get(pk=clinician.pk)
    clinician_reset_two_factor_check(clinician=clinician, reset_by=reset_by)
    mfa.delete_devices(clinician.user)
    user_sessions_end(clinician.user)
    api_tokens_end(user=clinician.user)  # those issued with the lost device's codes too
    _event(clinician, actor=reset_by, action=TeamEvent.Action.TWO_FACTOR_RESET)


def clinician_reset_two_factor_check(*, clinician: Clinician, reset_by: User | None) -> None:
    """Why ``clinician_reset_two_factor`` would refuse, as its ``ValidationError``, without
    changing anything (the page asks "Reset …?" only of a reset that can be done): not
    oneself, and not someone without two-factor sign-in (it would sign them out for nothing)."""
    _not_oneself(
        clinician,
        reset_by,
        _("Replace your own authenticator from your account page, or ask another clinic admin."),
    )
    if not mfa.has_confirmed_device(clinician.user):  # nothing to reset: sign no one out
        raise ValidationError(
            _("%(name)s has not set up two-factor sign-in: there is nothing to reset.")
            % {"name": clinician.user.get_full_name()},
            code="no_two_factor",
        )
