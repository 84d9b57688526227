"""clinic.services: patients, invitations and messages."""

from __future__ import annotations

import datetime as dt
import importlib
import uuid
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from rest_framework.test import APIClient

from clinic import services
from clinic.accounts import services as account_services
from clinic.models import Clinician, Invitation, Message, Patient, User, hash_token
from tests import factories
from tests.conftest import client_for

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def patient_fields(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": dt.date(1980, 12, 10),
        "email": "Ada@Example.org",
        "injured_side": Patient.Side.RIGHT,
        "injury_date": today - dt.timedelta(days=10),
        "pathway": Patient.Pathway.OPERATIVE,
        "surgery_date": today - dt.timedelta(days=8),
        "timezone": "Europe/London",
    }
    fields.update(overrides)
    return fields


# --- Patients ------------------------------------------------------------------------------


def test_patient_create(clinician: Clinician) -> None:
    patient = services.patient_create(
        clinic=clinician.clinic, created_by=clinician.user, **patient_fields()
    )
    assert patient.pk
    assert patient.clinic == clinician.clinic
    assert patient.email == "ada@example.org"
    assert patient.status == Patient.Status.ACTIVE


def test_a_new_patients_time_zone_is_their_clinics_unless_given(clinician: Clinician) -> None:
    clinician.clinic.timezone = "Europe/Dublin"
    clinician.clinic.save()
    fields = patient_fields()
    del fields["timezone"]
    patient = services.patient_create(clinic=clinician.clinic, created_by=None, **fields)
    assert patient.timezone == "Europe/Dublin"
    other = services.patient_create(
        clinic=clinician.clinic,
        created_by=None,
        **patient_fields(first_name="Mary", email="", timezone="America/New_York"),
    )
    assert other.timezone == "America/New_York"


def test_patient_create_twice_quickly_makes_one_row(clinician: Clinician) -> None:
    first = services.patient_create(
        clinic=clinician.clinic, created_by=clinician.user, **patient_fields()
    )
    second = services.patient_create(
        clinic=clinician.clinic, created_by=clinician.user, **patient_fields()
    )
    assert first == second
    assert Patient.objects.count() == 1


def test_patient_create_same_details_later_is_a_new_patient(clinician: Clinician) -> None:
    # Two people may share a name, birthday and injury date (not an email address), once the
    # clinician confirms it is another person (see the same-person tests below).
    fields = patient_fields(email="")
    services.patient_create(clinic=clinician.clinic, created_by=clinician.user, **fields)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        services.patient_create(
            clinic=clinician.clinic, created_by=clinician.user, confirm_duplicate=True, **fields
        )
    assert Patient.objects.count() == 2


def test_the_same_name_and_birth_date_later_asks_for_a_confirmation(clinician: Clinician) -> None:
    """Back, then Submit again minutes later: the clinic has this patient already."""
    first = services.patient_create(
        clinic=clinician.clinic, created_by=clinician.user, **patient_fields()
    )
    later = patient_fields(first_name="ADA", last_name="Lóvelace", email="")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        with pytest.raises(ValidationError) as error:
            services.patient_create(clinic=clinician.clinic, created_by=clinician.user, **later)
        assert error.value.code == "possible_duplicate"
        # The patient it names, and the words Django puts into the message when it is shown.
        assert error.value.params == {
            "patient_id": first.pk,
            "name": "Ada Lovelace",
            "born": date_format(first.date_of_birth),
        }
        assert "Ada Lovelace, born on" in error.value.messages[0]
        assert Patient.objects.count() == 1
        # Another clinic, or another date of birth, is another person.
        other = factories.ClinicFactory()
        services.patient_create(clinic=other, created_by=None, **later)
        born = dt.date(1981, 1, 1)
        services.patient_create(
            clinic=clinician.clinic, created_by=None, **{**later, "date_of_birth": born}
        )
    assert Patient.objects.count() == 3


def test_the_same_client_uuid_is_the_same_registration(clinician: Clinician) -> None:
    key = uuid.uuid4()
    first = services.patient_create(
        clinic=clinician.clinic, created_by=None, client_uuid=key, **patient_fields()
    )
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1)):
        again = services.patient_create(
            clinic=clinician.clinic,
            created_by=None,
            client_uuid=key,
            **patient_fields(first_name="Changed"),
        )
    assert again == first
    assert Patient.objects.get().first_name == "Ada"
    with pytest.raises(ValidationError) as error:
        services.patient_create(
            clinic=factories.ClinicFactory(), created_by=None, client_uuid=key, **patient_fields()
        )
    assert "client_uuid" in error.value.message_dict


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"surgery_date": None}, "surgery_date"),
        ({"pathway": Patient.Pathway.NON_OPERATIVE}, "surgery_date"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_patient_create_validates(
    clinician: Clinician, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.patient_create(
            clinic=clinician.clinic, created_by=clinician.user, **patient_fields(**overrides)
        )
    assert field in error.value.message_dict
    assert not Patient.objects.exists()


def test_patient_create_refuses_unknown_fields(clinician: Clinician) -> None:
    with pytest.raises(ValidationError):
        services.patient_create(
            clinic=clinician.clinic,
            created_by=clinician.user,
            **patient_fields(status=Patient.Status.ARCHIVED),
        )


def test_patient_email_must_be_free_in_the_clinic(clinician: Clinician) -> None:
    factories.PatientFactory(clinic=clinician.clinic, user=None, email="ada@example.org")
    with pytest.raises(ValidationError) as error:
        services.patient_create(
            clinic=clinician.clinic, created_by=clinician.user, **patient_fields()
        )
    assert "email" in error.value.message_dict
    assert Patient.objects.count() == 1


def test_patient_email_used_in_another_clinic_is_fine(clinician: Clinician) -> None:
    factories.PatientFactory(user=None, email="ada@example.org")
    services.patient_create(clinic=clinician.clinic, created_by=clinician.user, **patient_fields())
    assert Patient.objects.count() == 2


def test_patient_update_keeps_own_email_but_not_anothers(
    patient: Patient, other_patient: Patient
) -> None:
    services.patient_update(patient=patient, email=patient.email.upper())
    with pytest.raises(ValidationError):
        services.patient_update(patient=patient, email=other_patient.email)
    assert Patient.objects.get(pk=patient.pk).email != other_patient.email


def test_patient_update(patient: Patient) -> None:
    services.patient_update(patient=patient, first_name="Grace", email="GRACE@example.org")
    patient.refresh_from_db()
    assert patient.first_name == "Grace"
    assert patient.email == "grace@example.org"


def test_patient_update_validates_and_saves_nothing(patient: Patient) -> None:
    with pytest.raises(ValidationError):
        services.patient_update(
            patient=patient, surgery_date=patient.injury_date - dt.timedelta(days=1)
        )
    patient.refresh_from_db()
    assert patient.surgery_date is not None
    assert patient.surgery_date >= patient.injury_date


def test_patient_status_changes(patient: Patient) -> None:
    services.patient_discharge(patient=patient)
    assert Patient.objects.get(pk=patient.pk).status == Patient.Status.DISCHARGED
    services.patient_archive(patient=patient)
    assert Patient.objects.get(pk=patient.pk).status == Patient.Status.ARCHIVED
    services.patient_reactivate(patient=patient)
    assert Patient.objects.get(pk=patient.pk).status == Patient.Status.ACTIVE


# --- Invitations -----------------------------------------------------------------------------


def test_invitation_create_stores_only_a_hash(
    uninvited: Patient, clinician: Clinician, mailoutbox: list[Any], settings: Any
) -> None:
    settings.SITE_URL = "https://rehab.example.org"
    invitation, token = services.invitation_create(patient=uninvited, created_by=clinician.user)
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
        services.invitation_create(patient=patient, created_by=clinician.user)
    assert error.value.code == "no_email"
    assert not Invitation.objects.exists()
    assert not mailoutbox


def test_invitation_create_refuses_an_archived_patient(
    uninvited: Patient, clinician: Clinician
) -> None:
    services.patient_archive(patient=uninvited)
    with pytest.raises(ValidationError):
        services.invitation_create(patient=uninvited, created_by=clinician.user)
    assert not Invitation.objects.exists()


def test_reinvite_revokes_the_earlier_link(uninvited: Patient, clinician: Clinician) -> None:
    first, first_token = services.invitation_create(patient=uninvited, created_by=clinician.user)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        second, second_token = services.invitation_create(
            patient=uninvited, created_by=clinician.user
        )
        first.refresh_from_db()
        assert first.revoked_at is not None
        assert second.is_usable()
        with pytest.raises(ValidationError) as error:
            services.invitation_accept(token=first_token, password=NEW_PASSWORD)
        assert error.value.code == "revoked"
        user = services.invitation_accept(token=second_token, password=NEW_PASSWORD)
    assert user.email == "new@example.org"


def test_invitation_double_submit_is_refused(uninvited: Patient, clinician: Clinician) -> None:
    services.invitation_create(patient=uninvited, created_by=clinician.user)
    with pytest.raises(ValidationError) as error:
        services.invitation_create(patient=uninvited, created_by=clinician.user)
    assert error.value.code == "too_soon"
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().is_usable()


def test_invitation_accept_creates_the_account(uninvited: Patient, clinician: Clinician) -> None:
    invitation, token = services.invitation_create(patient=uninvited, created_by=clinician.user)
    user = services.invitation_accept(token=token, password=NEW_PASSWORD)
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
    _, token = services.invitation_create(patient=patient, created_by=clinician.user)
    user = services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert user.pk == account.pk
    assert User.objects.filter(email__iexact=patient.email).count() == 1
    assert user.check_password(NEW_PASSWORD)


def test_invitation_is_single_use(uninvited: Patient, clinician: Clinician) -> None:
    _, token = services.invitation_create(patient=uninvited, created_by=clinician.user)
    services.invitation_accept(token=token, password=NEW_PASSWORD)
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, password="another-long-passphrase-77")
    assert error.value.code == "used"
    assert User.objects.get(email="new@example.org").check_password(NEW_PASSWORD)


def test_invitation_expires(uninvited: Patient, clinician: Clinician, settings: Any) -> None:
    _, token = services.invitation_create(patient=uninvited, created_by=clinician.user)
    later = timezone.now() + dt.timedelta(days=settings.INVITATION_TTL_DAYS, minutes=1)
    with time_machine.travel(later), pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert error.value.code == "expired"
    uninvited.refresh_from_db()
    assert uninvited.user is None


def test_invitation_unknown_token(db: None) -> None:
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token="not-a-token", password=NEW_PASSWORD)
    assert error.value.code == "unknown"


def test_invitation_refuses_an_email_of_another_account(
    uninvited: Patient, clinician: Clinician
) -> None:
    factories.UserFactory(email="NEW@example.org")
    _, token = services.invitation_create(patient=uninvited, created_by=clinician.user)
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, password=NEW_PASSWORD)
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
    _, token = services.invitation_create(patient=uninvited, created_by=clinician.user)
    services.patient_update(patient=uninvited, email="right@example.org")
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert error.value.code == "revoked"

    invitation, token = services.invitation_create(patient=uninvited, created_by=clinician.user)
    assert invitation.sent_to == "right@example.org"
    uninvited.email = "other@example.org"
    uninvited.save()  # as the Django admin would
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert error.value.code == "address_changed"
    uninvited.refresh_from_db()
    assert uninvited.user is None
    # Other details changed: the link still works.
    uninvited.email = "right@example.org"
    uninvited.save()
    services.patient_update(patient=uninvited, first_name="Jo")
    assert services.invitation_accept(token=token, password=NEW_PASSWORD).email == (
        "right@example.org"
    )


def test_an_archived_patients_link_stops_working(uninvited: Patient, clinician: Clinician) -> None:
    _, token = services.invitation_create(patient=uninvited, created_by=clinician.user)
    services.patient_archive(patient=uninvited)
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(token=token, password=NEW_PASSWORD)
    assert error.value.code == "revoked"
    assert Invitation.objects.get().revoked_at is not None
    uninvited.refresh_from_db()
    assert uninvited.user is None


def test_invitation_accept_validates_the_password(uninvited: Patient, clinician: Clinician) -> None:
    _, token = services.invitation_create(patient=uninvited, created_by=clinician.user)
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, password="123")
    assert not User.objects.filter(email="new@example.org").exists()
    assert Invitation.objects.get().used_at is None


# --- Messages --------------------------------------------------------------------------------


def test_message_send(patient: Patient) -> None:
    message, created = services.message_send(
        patient=patient, author=patient.user, body="  Is swelling normal?  ", from_patient=True
    )
    assert created
    assert message.body == "Is swelling normal?"
    assert message.read_at is None
    assert message.client_uuid is None


def test_message_send_refuses_an_empty_body(patient: Patient) -> None:
    with pytest.raises(ValidationError):
        services.message_send(patient=patient, author=patient.user, body="   ", from_patient=True)
    assert not Message.objects.exists()


def test_message_double_submit_makes_one_row(patient: Patient) -> None:
    first, created = services.message_send(
        patient=patient, author=patient.user, body="Hello", from_patient=True
    )
    second, created_again = services.message_send(
        patient=patient, author=patient.user, body="Hello", from_patient=True
    )
    assert (created, created_again) == (True, False)
    assert first == second
    assert Message.objects.count() == 1


def test_message_same_body_after_ten_seconds_is_new(patient: Patient) -> None:
    services.message_send(patient=patient, author=patient.user, body="Thanks", from_patient=True)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=11)):
        services.message_send(
            patient=patient, author=patient.user, body="Thanks", from_patient=True
        )
    assert Message.objects.count() == 2


def test_message_same_body_by_another_author_is_new(patient: Patient, clinician: Clinician) -> None:
    services.message_send(patient=patient, author=patient.user, body="OK", from_patient=True)
    services.message_send(patient=patient, author=clinician.user, body="OK", from_patient=False)
    assert Message.objects.count() == 2


def test_a_message_sent_again_with_its_client_id_is_stored_once_however_late(
    patient: Patient,
) -> None:
    """From review: a retry (the same ``client_uuid``) after the ten-second window, as the
    Today page's outbox sends its note again on its next 30-second flush when the answer was
    lost, returns the stored message instead of a second one."""
    client_uuid = uuid.uuid4()
    first, created = services.message_send(
        patient=patient, author=patient.user, body="Hi", from_patient=True, client_uuid=client_uuid
    )
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        again, created_again = services.message_send(
            patient=patient,
            author=patient.user,
            body="Hi",
            from_patient=True,
            client_uuid=client_uuid,
        )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert first.client_uuid == client_uuid
    assert Message.objects.count() == 1


def test_messages_with_their_own_client_ids_are_two_even_with_the_same_text(
    patient: Patient,
) -> None:
    """With a client id, the id decides: the same text sent twice on purpose (two ids) is two
    messages, even within ten seconds."""
    for _ in range(2):
        services.message_send(
            patient=patient,
            author=patient.user,
            body="Thanks",
            from_patient=True,
            client_uuid=uuid.uuid4(),
        )
    assert Message.objects.count() == 2


def test_a_client_id_is_unique_in_a_thread_not_across_threads(
    patient: Patient, other_patient: Patient, clinician: Clinician
) -> None:
    """Another author's id in the thread is refused (no retry of theirs); another thread may
    hold the same id."""
    client_uuid = uuid.uuid4()
    services.message_send(
        patient=patient, author=patient.user, body="Hi", from_patient=True, client_uuid=client_uuid
    )
    with pytest.raises(ValidationError) as excinfo:
        services.message_send(
            patient=patient,
            author=clinician.user,
            body="Hello",
            from_patient=False,
            client_uuid=client_uuid,
        )
    assert excinfo.value.error_dict["client_uuid"][0].code == "client_uuid_in_use"
    _other, created = services.message_send(
        patient=other_patient,
        author=other_patient.user,
        body="Hi",
        from_patient=True,
        client_uuid=client_uuid,
    )
    assert created
    assert Message.objects.count() == 2


def test_two_messages_with_one_client_id_in_a_thread_are_refused_by_the_database(
    patient: Patient,
) -> None:
    client_uuid = uuid.uuid4()
    factories.MessageFactory(patient=patient, client_uuid=client_uuid)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MessageFactory(patient=patient, client_uuid=client_uuid)
    factories.MessageFactory(patient=patient, client_uuid=None)
    factories.MessageFactory(patient=patient, client_uuid=None)  # no id: no limit


def test_messages_mark_read_marks_the_other_side(patient: Patient, clinician: Clinician) -> None:
    from_patient = factories.MessageFactory(patient=patient)
    from_clinic = factories.MessageFactory(
        patient=patient, author=clinician.user, from_patient=False
    )
    assert services.messages_mark_read(patient=patient, reader_is_patient=False) == 1
    from_patient.refresh_from_db()
    from_clinic.refresh_from_db()
    assert from_patient.read_at is not None
    assert from_clinic.read_at is None
    assert services.messages_mark_read(patient=patient, reader_is_patient=True) == 1
    from_clinic.refresh_from_db()
    assert from_clinic.read_at is not None


# --- Ending a user's browser sessions ----------------------------------------------------


def _three_sessions(user: User) -> list[Any]:

    clients = []
    for _ in range(3):
        client = client_for(user)
        clients.append(client)
    return clients


def _signed_in(client: Any) -> bool:
    return client.get("/account/").status_code == 200


@pytest.mark.django_db
def test_user_sessions_end_all_but_one_or_just_one(clinician: Clinician) -> None:
    from django.contrib.sessions.models import Session  # noqa: PLC0415

    from clinic.models import UserSession  # noqa: PLC0415

    user = clinician.user
    here, second, third = _three_sessions(user)
    other_user_client = _three_sessions(factories.ClinicianFactory().user)[0]

    row = UserSession.objects.get(session_key=second.session.session_key)
    assert account_services.user_sessions_end(user, pk=row.pk) == 1
    assert not _signed_in(second)
    assert _signed_in(third)

    assert account_services.user_sessions_end(user, keep_key=here.session.session_key) == 1
    assert not _signed_in(third)
    assert _signed_in(here)
    assert _signed_in(other_user_client)

    assert account_services.user_sessions_end(user) == 1
    assert not _signed_in(here)
    assert not UserSession.objects.filter(user=user).exists()
    assert not Session.objects.filter(session_key=here.session.session_key).exists()


@pytest.mark.django_db
def test_user_sessions_prune_forgets_rows_whose_session_is_gone(clinician: Clinician) -> None:
    from django.contrib.sessions.models import Session  # noqa: PLC0415

    from clinic.models import UserSession  # noqa: PLC0415

    user = clinician.user
    here, gone, _kept = _three_sessions(user)
    gone_key = gone.session.session_key
    Session.objects.filter(session_key=gone_key).delete()
    account_services.user_sessions_prune(user, keep_key=here.session.session_key)
    assert not UserSession.objects.filter(session_key=gone_key).exists()
    assert UserSession.objects.filter(user=user).count() == 2


def test_resaving_the_same_address_in_another_letter_case_keeps_the_invitation(db: None) -> None:
    clinician = factories.ClinicianFactory.create()
    patient = factories.PatientFactory.create(
        clinic=clinician.clinic, email="ada@example.com", user=None
    )
    invitation, _token = services.invitation_create(patient=patient, created_by=clinician.user)
    Patient.objects.filter(pk=patient.pk).update(email="Ada@Example.com")  # e.g. the admin
    patient.refresh_from_db()
    services.patient_update(patient=patient, email="ada@example.com")
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_the_migration_gives_pending_links_the_address_they_went_to(
    uninvited: Patient, clinician: Clinician
) -> None:
    invitation, _token = services.invitation_create(patient=uninvited, created_by=clinician.user)
    Invitation.objects.filter(pk=invitation.pk).update(sent_to="")  # made before it was kept
    sent_to = importlib.import_module("clinic.migrations.0010_invitation_sent_to")
    sent_to.pending_links_keep_their_address(django_apps, None)
    invitation.refresh_from_db()
    assert invitation.sent_to == "new@example.org"


# --- A possible duplicate with "%" in the name (from review: it answered 500) -------------


@pytest.mark.django_db
def test_possible_duplicate_with_percent_in_name_asks_to_confirm() -> None:
    clinician = factories.ClinicianFactory()
    data = factories.patient_form_data(first_name="Ada 100%", email="ada1@example.org")
    client = Client(raise_request_exception=False)
    client.force_login(clinician.user)
    first = client.post(reverse("clinic:patient_create"), data)
    assert first.status_code == 302
    again = client.post(
        reverse("clinic:patient_create"),
        {**data, "email": "ada2@example.org", "injury_date": data["surgery_date"]},
    )
    assert again.status_code == 200  # the form again, asking to confirm
    assert "confirm_duplicate" in again.content.decode()


@pytest.mark.django_db
def test_api_possible_duplicate_with_percent_in_name_is_a_400() -> None:
    clinician = factories.ClinicianFactory()
    factories.PatientFactory(clinic=clinician.clinic, first_name="Ada 100%", last_name="Lovelace")
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(clinician.user)
    body = {
        "first_name": "Ada 100%",
        "last_name": "Lovelace",
        "injured_side": "left",
        "injury_date": factories.patient_form_data()["injury_date"],
        "pathway": "non_operative",
    }
    response = client.post("/api/v1/patients/", body, format="json")
    assert response.status_code == 400
