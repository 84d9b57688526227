"""clinic.services.invitations: a patient's one-time link, issued, checked and accepted."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import Clinician, Invitation, Patient, User, hash_token
from clinic.services import invitations as invitation_services
from clinic.services import patients as patient_services
from tests import factories

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def test_invitation_create_stores_only_a_hash(
    uninvited: Patient, clinician: Clinician, mailoutbox: list[Any], settings: Any
) -> None:
    settings.SITE_URL = "https://rehab.example.org"
    invitation, token = invitation_services.invitation_create(
        patient=uninvited, created_by=clinician.user
    )
    assert len(token) >= 40
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash
    assert invitation.created_by == clinician.user
    assert invitation.expires_at - invitation.created_at == dt.timedelta(
        days=settings.INVITATION_TTL_DAYS
    )
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["new@example.org"]
    assert f"https://rehab.example.org/invite/{token}/" in email.body
    assert uninvited.clinic.name in email.subject


def test_invitation_create_needs_an_email(clinician: Clinician, mailoutbox: list[Any]) -> None:
    patient = factories.PatientFactory(clinic=clinician.clinic, user=None, email="")
    with pytest.raises(ValidationError) as error:
        invitation_services.invitation_create(patient=patient, created_by=clinician.user)
    assert error.value.code == "no_email"
    assert not Invitation.objects.exists()
    assert not mailoutbox


def test_invitation_create_refuses_an_archived_patient(
    uninvited: Patient, clinician: Clinician
) -> None:
    patient_services.patient_archive(patient=uninvited)
    with pytest.raises(ValidationError):
        invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    assert not Invitation.objects.exists()


def test_reinvite_revokes_the_earlier_link(uninvited: Patient, clinician: Clinician) -> None:
    first, first_token = invitation_services.invitation_create(
        patient=uninvited, created_by=clinician.user
    )
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        second, second_token = invitation_services.invitation_create(
            patient=uninvited, created_by=clinician.user
        )
        first.refresh_from_db()
        assert first.revoked_at is not None
        assert second.is_usable()
        with pytest.raises(ValidationError) as error:
            invitation_services.invitation_accept(token=first_token, password=NEW_PASSWORD)
        assert error.value.code == "revoked"
        user = invitation_services.invitation_accept(token=second_token, password=NEW_PASSWORD)
    assert user.email == "new@example.org"


def test_invitation_double_submit_is_refused(uninvited: Patient, clinician: Clinician) -> None:
    invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    with pytest.raises(ValidationError) as error:
        invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    assert error.value.code == "too_soon"
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().is_usable()


def test_invitation_accept_creates_the_account(uninvited: Patient, clinician: Clinician) -> None:
    invitation, token = invitation_services.invitation_create(
        patient=uninvited, created_by=clinician.user
    )
    user = invitation_services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert user.check_password(NEW_PASSWORD)
    assert user.email == "new@example.org"
    assert user.full_name == uninvited.full_name
    uninvited.refresh_from_db()
    invitation.refresh_from_db()
    assert uninvited.user == user
    assert invitation.used_at is not None


def test_invitation_accept_reuses_the_linked_account(
    patient: Patient, clinician: Clinician
) -> None:
    account = patient.user
    _, token = invitation_services.invitation_create(patient=patient, created_by=clinician.user)
    user = invitation_services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert user.pk == account.pk
    assert User.objects.filter(email__iexact=patient.email).count() == 1
    assert user.check_password(NEW_PASSWORD)


def test_invitation_is_single_use(uninvited: Patient, clinician: Clinician) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    invitation_services.invitation_accept(token=token, password=NEW_PASSWORD)
    with pytest.raises(ValidationError) as error:
        invitation_services.invitation_accept(token=token, password="another-long-passphrase-77")
    assert error.value.code == "used"
    assert User.objects.get(email="new@example.org").check_password(NEW_PASSWORD)


def test_invitation_expires(uninvited: Patient, clinician: Clinician, settings: Any) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    later = timezone.now() + dt.timedelta(days=settings.INVITATION_TTL_DAYS, minutes=1)
    with time_machine.travel(later), pytest.raises(ValidationError) as error:
        invitation_services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert error.value.code == "expired"
    uninvited.refresh_from_db()
    assert uninvited.user is None


def test_invitation_unknown_token(db: None) -> None:
    with pytest.raises(ValidationError) as error:
        invitation_services.invitation_accept(token="not-a-token", password=NEW_PASSWORD)
    assert error.value.code == "unknown"


def test_invitation_refuses_an_email_of_another_account(
    uninvited: Patient, clinician: Clinician
) -> None:
    factories.UserFactory(email="NEW@example.org")
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    with pytest.raises(ValidationError) as error:
        invitation_services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert error.value.code == "email_taken"
    uninvited.refresh_from_db()
    assert uninvited.user is None
    assert Invitation.objects.get().used_at is None


def test_a_link_stops_working_once_the_address_it_went_to_is_corrected(
    uninvited: Patient, clinician: Clinician
) -> None:
    """Sent to a mistyped address: whoever has that inbox must not make the patient's account.
    Corrected in the app (the pending link is revoked) or anywhere else (the admin: the link
    remembers where it went)."""
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    patient_services.patient_update(patient=uninvited, email="right@example.org")
    with pytest.raises(ValidationError) as error:
        invitation_services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert error.value.code == "revoked"

    invitation, token = invitation_services.invitation_create(
        patient=uninvited, created_by=clinician.user
    )
    assert invitation.sent_to == "right@example.org"
    uninvited.email = "other@example.org"
    uninvited.save()  # as the Django admin would
    with pytest.raises(ValidationError) as error:
        invitation_services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert error.value.code == "address_changed"
    uninvited.refresh_from_db()
    assert uninvited.user is None
    # Other details changed: the link still works.
    uninvited.email = "right@example.org"
    uninvited.save()
    patient_services.patient_update(patient=uninvited, first_name="Jo")
    assert invitation_services.invitation_accept(token=token, password=NEW_PASSWORD).email == (
        "right@example.org"
    )


def test_an_archived_patients_link_stops_working(uninvited: Patient, clinician: Clinician) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    patient_services.patient_archive(patient=uninvited)
    with pytest.raises(ValidationError) as error:
        invitation_services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert error.value.code == "revoked"
    assert Invitation.objects.get().revoked_at is not None
    uninvited.refresh_from_db()
    assert uninvited.user is None


def test_invitation_accept_validates_the_password(uninvited: Patient, clinician: Clinician) -> None:
    _, token = invitation_services.invitation_create(patient=uninvited, created_by=clinician.user)
    with pytest.raises(ValidationError):
        invitation_services.invitation_accept(token=token, password="123")
    assert not User.objects.filter(email="new@example.org").exists()
    assert Invitation.objects.get().used_at is None


def test_resaving_the_same_address_in_another_letter_case_keeps_the_invitation(db: None) -> None:
    clinician = factories.ClinicianFactory.create()
    patient = factories.PatientFactory.create(
        clinic=clinician.clinic, email="ada@example.com", user=None
    )
    invitation, _token = invitation_services.invitation_create(
        patient=patient, created_by=clinician.user
    )
    Patient.objects.filter(pk=patient.pk).update(email="Ada@Example.com")  # e.g. the admin
    patient.refresh_from_db()
    patient_services.patient_update(patient=patient, email="ada@example.com")
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_the_migration_gives_pending_links_the_address_they_went_to(
    uninvited: Patient, clinician: Clinician
) -> None:
    invitation, _token = invitation_services.invitation_create(
        patient=uninvited, created_by=clinician.user
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_to="")  # made before it was kept
    sent_to = importlib.import_module("clinic.migrations.0010_invitation_sent_to")
    sent_to.pending_links_keep_their_address(django_apps, None)
    invitation.refresh_from_db()
    assert invitation.sent_to == "new@example.org"
