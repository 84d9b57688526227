"""A patient's record as a whole: erasure (anonymisation) of a discharged patient."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import events
from clinic.models import Patient, User
from rehab.models.alerts import PlanHold
from rehab.models.criteria import ProposalDismissal
from rehab.models.logbook import CheckIn, ExerciseLog, Measurement
from rehab.models.plans import Prescription, PrescriptionMedia

ERASE_CONFIRMATION = "ERASE"
ERASED_TEXT = "[erased]"


def _forget_sign_ins(user: User) -> None:
    """What the sign-in machinery holds about a person: browser sessions (with their addresses
    and browsers), two-factor devices, and django-axes' records of sign-in attempts, which are
    keyed by the email address."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: PLC0415

    from clinic.accounts.mfa import delete_devices  # noqa: PLC0415
    from clinic.accounts.services import user_sessions_end  # noqa: PLC0415

    user_sessions_end(user)
    delete_devices(user)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()


@transaction.atomic
def patient_erase(*, patient: Patient, by: User) -> Patient:
    """Anonymise a discharged patient: the person can no longer be identified or sign in, the
    clinical rows stay for statistics.

    Name → "Erased" / "patient <id>"; email and date of birth cleared; the sign-in account is
    deactivated, anonymised (``erased-<id>@invalid``, no name, an unusable password) and its API
    tokens, browser sessions, two-factor devices and sign-in attempt records deleted; message
    bodies → "[erased]" (and marked read); free-text notes on logs, check-ins, measurements and
    prescriptions cleared; what clinicians wrote about the person (reasons for early exercises,
    resume notes, reasons not to progress) → "[erased]"; photos and videos filmed for the
    patient deleted with their files; invitations deleted; the Django admin's change log of
    the patient and of their account renamed; status archived and the record marked erased
    (``erased_at``: final, nothing more can be done with it). Logs, check-ins, ATRS
    responses, measurements, alerts and plans are kept. The audit trail (append-only) names
    no patient as the one who acted.

    Only a clinic admin of the patient's clinic may erase (the view checks; this checks too),
    and only a discharged patient: otherwise ``ValidationError`` and nothing changes.
    """
    # Imported here: this section is appended to the module and keeps its imports to itself.
    from knox.models import AuthToken  # noqa: PLC0415

    from clinic.models import Clinician, Invitation, Message  # noqa: PLC0415
    from clinic.services.patients import patient_archive  # noqa: PLC0415

    clinician = Clinician.objects.filter(user_id=by.pk).first()
    if clinician is None or not clinician.is_clinic_admin:
        raise ValidationError(
            _("Only a clinic admin can erase a patient's record."), code="erase_not_admin"
        )
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if locked.clinic_id != clinician.clinic_id:
        raise ValidationError(
            _("Only a clinic admin can erase a patient's record."), code="erase_not_admin"
        )
    locked.check_not_erased()
    if locked.status != Patient.Status.DISCHARGED:
        raise ValidationError(
            _("Only a discharged patient can be erased. Discharge the patient first."),
            code="erase_not_discharged",
        )

    locked.first_name = "Erased"
    locked.last_name = f"patient {locked.pk}"
    locked.email = ""
    locked.date_of_birth = None
    locked.save(update_fields=["first_name", "last_name", "email", "date_of_birth", "updated_at"])

    if locked.user_id is not None:
        user = User.objects.select_for_update().get(pk=locked.user_id)
        _forget_sign_ins(user)
        user.email = f"erased-{locked.pk}@invalid"
        user.full_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "full_name", "is_active", "password"])
        AuthToken.objects.filter(user_id=user.pk).delete()
        # The Django admin's change log names the account as it was (name or email).
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        ).update(object_repr=str(user), change_message="")

    Message.objects.filter(patient=locked).update(body=ERASED_TEXT)
    # Nothing is left to answer: off the clinic's unread lists and digests.
    Message.objects.filter(patient=locked, read_at__isnull=True).update(read_at=timezone.now())
    ExerciseLog.objects.filter(patient=locked).exclude(note="").update(note="")
    CheckIn.objects.filter(patient=locked).exclude(note="").update(note="")
    Measurement.objects.filter(patient=locked).exclude(note="").update(note="")
    prescriptions = Prescription.objects.filter(phase__plan__patient=locked)
    prescriptions.exclude(note="").update(note="")
    # What clinicians wrote about the person (a text is required where one was given).
    prescriptions.exclude(guardrail_reason="").update(guardrail_reason=ERASED_TEXT)
    PlanHold.objects.filter(plan__patient=locked).exclude(resume_note="").update(
        resume_note=ERASED_TEXT
    )
    ProposalDismissal.objects.filter(phase__plan__patient=locked).update(note=ERASED_TEXT)
    # Photos and videos filmed for the patient show them (their files go after the commit).
    for media in PrescriptionMedia.objects.filter(prescription__phase__plan__patient=locked):
        media.delete()
    Invitation.objects.filter(patient=locked).delete()
    # The Django admin's change log names the object as it was.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Patient), object_id=str(locked.pk)
    ).update(object_repr=str(locked), change_message="")

    patient_archive(patient=locked)
    # Final from here on: nothing more can be done with the record (``Patient.check_not_erased``).
    locked.erased_at = timezone.now()
    locked.save(update_fields=["erased_at", "updated_at"])
    events.patient_erased.send(sender=Patient, patient=locked)
    return locked
