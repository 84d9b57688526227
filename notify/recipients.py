"""Who is told: a patient's therapist(s) and the clinic's alert contacts for an alert, the
clinic admins for an escalation, the clinicians for a digest; and, when an email is sent,
the address it goes to now (``email_address``). Reads only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When

from clinic.models import Clinic, Clinician, Patient, User
from notify.models import PATIENT_KINDS, ClinicianPreferences, Notification, PushSubscription
from rehab.models.plans import Plan


@dataclass(frozen=True)
class Recipient:
    """Someone to tell. ``email`` says whether (and, for an alert contact, where) an email
    may go; a queued notification keeps only the address of an alert contact (one typed in
    for the clinic's alerts): a person's is looked up when it is sent (``email_address``)."""

    user: User | None
    email: str  # empty: no email to this recipient
    push: bool  # the user has turned on notifications in at least one browser

    @property
    def key(self) -> str:
        """Names the recipient in a notification's unique key (an address only as a hash)."""
        if self.user is not None:
            return f"u{self.user.pk}"
        return "e" + hashlib.sha256(self.email.lower().encode()).hexdigest()[:20]


def _clinicians(clinic: Clinic) -> list[Clinician]:
    """The clinic's clinicians who can sign in, with their preferences. One query.

    One invited to the team who has not accepted yet (no password set: the account is active
    from the invitation, its address perhaps mistyped) is not one of them
    (``ClinicianQuerySet.joined``, the team's rule)."""
    return list(
        Clinician.objects.filter(clinic=clinic)
        .joined()
        .select_related("user", "notify_preferences")
        .order_by("pk")
    )


def _preferences(clinician: Clinician) -> ClinicianPreferences:
    try:
        return clinician.notify_preferences
    except ClinicianPreferences.DoesNotExist:
        return ClinicianPreferences(clinician=clinician)  # the defaults: emails on


def _with_push(users: list[User]) -> set[int]:
    return set(PushSubscription.objects.filter(user__in=users).values_list("user_id", flat=True))


def therapists_for(patient: Patient, clinicians: list[Clinician]) -> list[Clinician]:
    """The patient's therapist(s): the clinician assigned to them (``Patient.therapist``), else
    whoever built the patient's plan (the active one, else the latest), if they still work at
    the clinic (``clinicians``). Without one, every physiotherapist of the clinic (else every
    clinician): an alert must reach someone who treats patients.
    """
    assigned = [c for c in clinicians if c.pk == patient.therapist_id]
    if assigned:
        return assigned
    creator_id = (
        Plan.objects.filter(patient=patient)
        .order_by(
            Case(
                When(status=Plan.Status.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "-created_at",
        )
        .values_list("created_by_id", flat=True)
        .first()
    )
    builder = [c for c in clinicians if c.user_id == creator_id]
    if builder:
        return builder
    therapists = [c for c in clinicians if c.role == Clinician.Role.THERAPIST]
    return therapists or clinicians


def _fallback(clinic: Clinic, clinicians: list[Clinician]) -> list[Recipient]:
    """When everyone has turned alert emails off: the admins, else the clinic's own address.
    An urgent alert always reaches at least one inbox."""
    admins = [c for c in clinicians if c.is_clinic_admin]
    if admins:
        return [Recipient(user=c.user, email=c.user.email, push=False) for c in admins]
    if clinic.email:
        return [Recipient(user=None, email=clinic.email, push=False)]
    return []


def _people(chosen: list[Clinician]) -> list[Recipient]:
    """Clinicians by email (unless they turned alert emails off) and by push where on."""
    pushers = _with_push([c.user for c in chosen])
    return [
        Recipient(
            user=c.user,
            email=c.user.email if _preferences(c).alert_emails else "",
            push=c.user_id in pushers,
        )
        for c in chosen
    ]


def alert_recipients(patient: Patient) -> list[Recipient]:
    """An urgent alert's recipients: the patient's therapist(s) by email (unless they turned
    it off) and by push where they turned it on, and the clinic's alert contacts by email."""
    clinic = patient.clinic
    clinicians = _clinicians(clinic)
    people = _people(therapists_for(patient, clinicians))
    taken = {r.email.lower() for r in people if r.email}
    for address in clinic.alert_emails:
        if address.lower() not in taken:
            people.append(Recipient(user=None, email=address, push=False))
            taken.add(address.lower())
    if not taken:
        people.extend(r for r in _fallback(clinic, clinicians) if r.email.lower() not in taken)
    return people


def escalation_recipients(patient: Patient) -> list[Recipient]:
    """An unacknowledged alert goes to the clinic admins (email, and push where on)."""
    clinic = patient.clinic
    clinicians = _clinicians(clinic)
    admins = [c for c in clinicians if c.is_clinic_admin] or clinicians
    people = _people(admins)
    if not any(r.email for r in people):
        people.extend(_fallback(clinic, clinicians))
    return people


def digest_recipients(clinic: Clinic) -> list[Recipient]:
    """Every clinician of the clinic who has not turned the digest off, by email."""
    return [
        Recipient(user=c.user, email=c.user.email, push=False)
        for c in _clinicians(clinic)
        if _preferences(c).digest_emails
    ]


def patient_recipient(patient: Patient) -> Recipient | None:
    """The patient, if they can sign in (a notification links to a page they must open)."""
    user = patient.user
    if user is None or not user.is_active:
        return None
    return Recipient(user=user, email=patient.email or user.email, push=True)


def _contact_address(notification: Notification) -> str:
    """An alert contact's address (kept on the row), while it is still one of the clinic's
    (the alert contacts, or the clinic's own address, the fallback)."""
    patient = notification.patient
    address = notification.email.strip().lower()
    if patient is None or not address:
        return ""
    clinic = patient.clinic
    current = {a.strip().lower() for a in [*clinic.alert_emails, clinic.email] if a}
    return notification.email if address in current else ""


def email_address(notification: Notification) -> str:
    """Where ``notification``'s email goes now (empty: nowhere, the person may no longer be
    told or has no address): the person's current address, not the one they had when it was
    queued. A patient's notice goes to the patient's address (else their sign-in address)
    while the account is still theirs and active; a clinician's to their sign-in address while
    they are active and on the patient's clinic's team; an alert contact's while the clinic
    still lists it."""
    user = notification.user
    if user is None:
        return _contact_address(notification)
    if not user.is_active:
        return ""
    patient = notification.patient
    if notification.kind in PATIENT_KINDS:
        if patient is None or patient.user_id != user.pk:
            return ""
        return patient.email or user.email
    clinic_id = Clinician.objects.filter(user=user).values_list("clinic_id", flat=True).first()
    if clinic_id is None or (patient is not None and patient.clinic_id != clinic_id):
        return ""
    return user.email
