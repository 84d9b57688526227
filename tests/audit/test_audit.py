"""The audit trail: what is recorded, that it is append-only, and the two history pages."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from rest_framework.test import APIClient

from audit.models import AccessEvent, AppendOnlyError
from audit.registry import PAGE_WORDS, PATIENT_PATHS
from audit.selectors import in_words
from audit.services import clean_text
from clinic.models import Clinician, Patient
from core import touched as context
from core.ids import opaque
from rehab.models import Alert, CriterionKind, Plan, PlanCriterion
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _events(**filters: Any) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(**filters).order_by("pk"))


# --- recording ---------------------------------------------------------------------------------


def test_a_clinicians_read_of_the_patient_page_is_recorded(
    clinician: Clinician, patient: Patient
) -> None:
    client = client_for(clinician.user)
    response = client.get(
        reverse("rehab:patient_detail", args=[patient.pk]) + "?q=secret",
        HTTP_USER_AGENT="Firefox",
        REMOTE_ADDR="10.0.0.7",
    )
    assert response.status_code == 200
    (event,) = _events()
    assert event.actor == clinician.user
    assert event.actor_email == clinician.user.email
    assert event.actor_role == "clinician:therapist"
    assert event.patient == patient
    assert event.patient_ref == patient.pk
    assert event.action == "read"
    assert event.what == f"rehab:patient_detail {patient.pk}"
    assert event.method == "GET"
    assert event.path == f"/clinic/patients/{opaque(patient.pk)}/"  # no query string
    assert event.ip_address == "10.0.0.7"
    assert event.user_agent == "Firefox"


def test_acknowledging_an_alert_is_recorded_as_a_change(
    clinician: Clinician, patient: Patient
) -> None:
    alert = factories.AlertFactory(patient=patient)
    response = client_for(clinician.user).post(reverse("rehab:alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 302
    (event,) = _events()
    assert (event.action, event.patient_id, event.method) == ("change", patient.pk, "POST")
    assert event.what == f"rehab:alert_acknowledge {alert.pk}"
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is not None


def test_a_patients_tick_is_recorded_as_a_change_of_their_own_record(patient: Patient) -> None:
    rx = factories.prescribed(patient)
    response = client_for(patient.user).post(
        reverse("rehab:log_create"),
        {"prescription": opaque(rx.pk), "client_uuid": "6f1c1b5e-3f7a-4d57-9b1a-0c3c5f0e9a11"},
    )
    assert response.status_code == 302
    (event,) = _events()
    assert (event.action, event.patient_id, event.actor_role) == ("change", patient.pk, "patient")
    assert event.what == "rehab:log_create"


def test_an_api_read_of_a_patient_is_recorded(clinician: Clinician, patient: Patient) -> None:
    api = APIClient()
    api.force_authenticate(clinician.user)
    assert api.get(f"/api/v1/patients/{opaque(patient.pk)}/").status_code == 200
    (event,) = _events()
    assert (event.action, event.patient_id, event.patient_ref) == ("read", patient.pk, patient.pk)
    assert event.what == f"api:patient-detail {patient.pk}"
    assert event.actor == clinician.user


def test_an_api_read_of_a_log_finds_its_patient(clinician: Clinician, patient: Patient) -> None:
    log = factories.ExerciseLogFactory(prescription__phase__plan__patient=patient)
    api = APIClient()
    api.force_authenticate(clinician.user)
    assert api.get(f"/api/v1/logs/{opaque(log.pk)}/").status_code == 200
    (event,) = _events()
    assert (event.patient_id, event.patient_ref, event.what) == (
        patient.pk,
        patient.pk,
        f"api:log-detail {log.pk}",
    )


def test_a_list_is_one_event_without_a_patient(clinician: Clinician, patient: Patient) -> None:
    assert client_for(clinician.user).get(reverse("rehab:patient_list")).status_code == 200
    (event,) = _events()
    assert (event.patient_id, event.patient_ref, event.what) == (None, None, "rehab:patient_list")


# --- lists and writes name each patient they show or touch -----------------------------------


def _api(user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _patients_of(events: list[AccessEvent]) -> set[int | None]:
    return {event.patient_ref for event in events}


@pytest.mark.parametrize("url", ["/api/v1/messages/", "/api/v1/logs/", "/api/v1/checkins/"])
def test_an_api_list_names_each_patient_whose_data_it_holds(
    clinician: Clinician, patient: Patient, other_patient: Patient, url: str
) -> None:
    stranger = factories.PatientFactory()  # another clinic's: not in the answer, not recorded
    for someone in (patient, other_patient, stranger):
        factories.MessageFactory(patient=someone)
        factories.ExerciseLogFactory(prescription__phase__plan__patient=someone)
        factories.CheckInFactory(patient=someone)
    assert _api(clinician.user).get(url).status_code == 200
    events = _events()
    assert _patients_of(events) == {patient.pk, other_patient.pk}
    assert {event.what for event in events} == {f"api:{url.split('/')[3][:-1]}-list"}


def test_the_api_patient_list_names_each_patient_on_the_page(
    clinician: Clinician, patient: Patient, other_patient: Patient
) -> None:
    assert _api(clinician.user).get("/api/v1/patients/", {"page_size": 1}).status_code == 200
    (event,) = _events()  # one page of one patient
    assert event.patient_ref in {patient.pk, other_patient.pk}


def test_an_empty_api_list_is_one_event_without_a_patient(clinician: Clinician) -> None:
    assert _api(clinician.user).get("/api/v1/checkins/").status_code == 200
    (event,) = _events()
    assert (event.patient_ref, event.what) == (None, "api:checkin-list")


def _ready_to_progress(patient: Patient) -> None:
    """``patient`` in the first of two phases, its one exit criterion (heel-rise height LSI
    90 %) met by today's measurement: a "ready" row of /api/v1/proposals/."""
    _plan, phases = factories.active_plan(patient, phases=2)
    PlanCriterion.objects.create(
        phase=phases[0],
        order=1,
        kind=CriterionKind.MEASUREMENT,
        measure="heel_rise_height_lsi",
        threshold=Decimal(90),
        label="Heel-rise height LSI 90 %",
    )
    factories.MeasurementFactory.create(
        patient=patient,
        date=patient.local_today(),
        heel_rise_height_cm_injured=Decimal(9),
        heel_rise_height_cm_uninjured=Decimal(10),
    )


def test_the_proposals_list_names_each_patient_whose_evidence_it_holds(
    clinician: Clinician, patient: Patient, other_patient: Patient
) -> None:
    # From review: GET /api/v1/proposals/ (a plain ListAPIView, not a RoleViewSet) handed out
    # each listed patient's exit-criteria evidence (their measurements) and recorded nothing.
    _ready_to_progress(patient)
    factories.active_plan(other_patient)  # no exit criteria: not listed, not recorded
    _ready_to_progress(factories.PatientFactory())  # another clinic's: not listed either
    response = _api(clinician.user).get("/api/v1/proposals/")
    assert response.status_code == 200
    listed = [row["evaluation"]["patient"] for row in response.json()["results"]]
    assert listed == [opaque(patient.pk)]
    (event,) = _events()
    assert (event.action, event.patient_ref, event.what) == ("read", patient.pk, "api:proposals")


def test_an_empty_proposals_list_is_one_event_without_a_patient(clinician: Clinician) -> None:
    assert _api(clinician.user).get("/api/v1/proposals/").json()["results"] == []
    (event,) = _events()
    assert (event.patient_ref, event.what) == (None, "api:proposals")


def test_a_write_names_the_patient_its_body_names(clinician: Clinician, patient: Patient) -> None:
    api = _api(clinician.user)
    response = api.post(
        "/api/v1/messages/", {"patient": opaque(patient.pk), "body": "Hi"}, format="json"
    )
    assert response.status_code == 201
    measurement = {
        "patient": opaque(patient.pk),
        "client_uuid": "8d7c1f36-1b7e-4a39-9a52-2f6a2c0a1c11",
        "heel_rise_reps_injured": 5,
    }
    assert api.post("/api/v1/measurements/", measurement, format="json").status_code == 201
    events = _events()
    assert [(e.action, e.patient_ref, e.what) for e in events] == [
        ("change", patient.pk, "api:message-list"),
        ("change", patient.pk, "api:measurement-list"),
    ]


def test_an_admin_change_list_names_each_patient_it_shows(
    staff_client: Client, patient: Patient, other_patient: Patient
) -> None:
    for someone in (patient, other_patient):
        factories.CheckInFactory(patient=someone)
    url = reverse("admin:rehab_checkin_changelist")
    assert staff_client.get(url, {"patient__id__exact": patient.pk}).status_code == 200
    (event,) = _events()
    assert (event.patient_ref, event.what) == (patient.pk, "admin:rehab_checkin_changelist")
    assert staff_client.get(url).status_code == 200
    assert _patients_of(_events()[1:]) == {patient.pk, other_patient.pk}


def test_an_admin_change_list_of_nested_rows_finds_their_patients(
    staff_client: Client, patient: Patient
) -> None:
    prescription = factories.PrescriptionFactory(phase__plan__patient=patient)
    assert prescription.phase.plan.patient == patient
    assert staff_client.get(reverse("admin:rehab_prescription_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:clinic_patient_changelist")).status_code == 200
    first, second = _events()
    assert (first.patient_ref, second.patient_ref) == (patient.pk, patient.pk)


@pytest.mark.parametrize("label", sorted(PATIENT_PATHS))
def test_each_audited_models_rows_are_read_through_its_default_manager(label: str) -> None:
    """audit.routes reads an audited model's rows through ``objects`` (public): the model's
    default manager, which the admin's change list reads through too."""
    model = apps.get_model(label)
    assert model.objects is model._default_manager


def test_an_admin_read_of_a_log_is_recorded(staff_client: Client, patient: Patient) -> None:
    log = factories.ExerciseLogFactory(prescription__phase__plan__patient=patient)
    url = reverse("admin:rehab_exerciselog_change", args=[log.pk])
    assert staff_client.get(url).status_code == 200
    (event,) = _events()
    assert event.action == "read"
    assert event.what == f"admin:rehab_exerciselog_change {log.pk}"
    assert (event.patient_id, event.patient_ref, event.actor_role) == (
        patient.pk,
        patient.pk,
        "superuser",
    )


def test_pages_without_patient_data_and_failures_are_not_recorded(
    clinician: Clinician, other_clinician: Clinician, patient: Patient
) -> None:
    assert client_for(clinician.user).get(reverse("rehab:library")).status_code == 200
    other = client_for(other_clinician.user)
    assert other.get(reverse("rehab:patient_detail", args=[patient.pk])).status_code == 404
    assert Client().get(reverse("rehab:patient_detail", args=[patient.pk])).status_code == 302
    assert _events() == []


def test_touch_outside_a_request_does_nothing(patient: Patient) -> None:
    context.touch(patient.pk)
    assert context.current.get() is None


def test_text_is_stripped_of_control_characters(clinician: Clinician, patient: Patient) -> None:
    client = client_for(clinician.user)
    client.get(
        reverse("rehab:patient_detail", args=[patient.pk]),
        HTTP_USER_AGENT="evil\r\nINFO forged line\x00\x1b[31m" + "x" * 300,
    )
    (event,) = _events()
    assert "\n" not in event.user_agent
    assert "\r" not in event.user_agent
    assert "\x00" not in event.user_agent
    assert "\x1b" not in event.user_agent
    assert event.user_agent.startswith("evilINFO forged line[31m")
    assert len(event.user_agent) == 200
    assert clean_text("/a\nb\u2028c\x7f", 50) == "/abc"


def test_non_numeric_route_values_are_masked_in_the_path(db: None) -> None:
    response = Client().get("/invite/secret-token-value/")
    assert response.status_code in {200, 404}
    assert not AccessEvent.objects.filter(path__contains="secret-token-value").exists()


# --- append-only -------------------------------------------------------------------------------


def _event(patient: Patient) -> AccessEvent:
    return AccessEvent.objects.create(
        patient=patient, patient_ref=patient.pk, action="read", what="x"
    )


def test_events_cannot_be_changed_or_deleted(patient: Patient) -> None:
    event = _event(patient)
    event.what = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).update(what="changed")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.get(pk=event.pk).what == "x"


def test_erasing_a_patient_keeps_the_reference(patient: Patient) -> None:
    event = _event(patient)
    pk = patient.pk
    Patient.objects.filter(pk=pk).delete()
    event = AccessEvent.objects.get(pk=event.pk)
    assert (event.patient_id, event.patient_ref) == (None, pk)


def test_deleting_the_actor_keeps_their_email_and_role(
    clinician: Clinician, patient: Patient
) -> None:
    client_for(clinician.user).get(reverse("rehab:patient_detail", args=[patient.pk]))
    email = clinician.user.email
    clinician.user.delete()
    (event,) = _events()
    assert (event.actor_id, event.actor_email, event.actor_role) == (
        None,
        email,
        "clinician:therapist",
    )


def test_the_admin_is_read_only(staff_client: Client, patient: Patient, rf: Any) -> None:
    event = _event(patient)
    model_admin = admin.site._registry[AccessEvent]
    request = rf.get("/")
    request.user = factories.StaffFactory()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert staff_client.get(reverse("admin:audit_accessevent_changelist")).status_code == 200
    assert (
        staff_client.get(reverse("admin:audit_accessevent_change", args=[event.pk])).status_code
        == 200
    )
    assert staff_client.get(reverse("admin:audit_accessevent_add")).status_code == 403
    delete_url = reverse("admin:audit_accessevent_delete", args=[event.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AccessEvent.objects.filter(pk=event.pk).exists()


# --- the history pages -------------------------------------------------------------------------


def test_a_clinic_admin_sees_a_patients_access_history(
    clinician: Clinician, admin: Clinician, patient: Patient
) -> None:
    client_for(clinician.user).get(reverse("rehab:patient_detail", args=[patient.pk]))
    url = reverse("audit:patient_history", args=[patient.pk])
    assert url == f"/clinic/patients/{opaque(patient.pk)}/access-history/"
    response = client_for(admin.user).get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert clinician.user.email in content
    assert "Patient page" in content


def test_the_access_history_names_each_role_in_words(
    clinician: Clinician, admin: Clinician, patient: Patient
) -> None:
    """The Role column says who in words ("Physiotherapist"), never the stored code
    ("clinician:therapist"), which no gettext call sees (from review)."""
    client_for(clinician.user).get(reverse("rehab:patient_detail", args=[patient.pk]))
    response = client_for(admin.user).get(reverse("audit:patient_history", args=[patient.pk]))
    assert response.status_code == 200
    cells = re.findall(r"<td>\s*([^<]*?)\s*</td>", response.content.decode())
    assert "clinician:therapist" not in cells, cells
    assert "Physiotherapist" in cells, cells


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("clinician:therapist", "Physiotherapist"),
        ("clinician:admin", "Clinic admin"),
        ("clinician:retired-role", "Clinician"),
        ("patient", "The patient"),
        ("superuser", "Site administrator"),
        ("staff", "Site staff"),
        ("user", "Signed-in user"),
        ("", "Not signed in"),
        ("something-new", "Unknown"),
    ],
)
def test_each_stored_role_has_its_words(code: str, words: str) -> None:
    """One mapping from the trail's role codes to words, for both history pages."""
    assert AccessEvent(actor_role=code).actor_role_words == words


def test_the_access_history_query_count_does_not_grow_with_events(
    clinician: Clinician, admin: Clinician, patient: Patient
) -> None:
    client = client_for(admin.user)
    url = reverse("audit:patient_history", args=[patient.pk])
    page = reverse("rehab:patient_detail", args=[patient.pk])
    client_for(clinician.user).get(page)
    client.get(url)  # warm up
    # session, user (+ clinician), the patient; the page's events and their count; +1 event.
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    reader = client_for(clinician.user)
    for _ in range(8):
        reader.get(page)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("Patient page") >= 9
    assert len(many) == len(few)


def test_the_access_history_says_what_was_looked_at_in_words(
    clinician: Clinician, admin: Clinician, patient: Patient, staff_client: Client
) -> None:
    """The "What" column names the page in words ("Plan builder", "Patient page — messages"),
    never the route's name nor a row's number."""
    plan = factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT)
    reader = client_for(clinician.user)
    reader.get(reverse("rehab:patient_detail", args=[patient.pk]))
    reader.get(reverse("rehab:patient_messages", args=[patient.pk]))
    reader.get(reverse("rehab:plan_builder", args=[plan.pk]))
    staff_client.get(reverse("admin:clinic_patient_change", args=[patient.pk]))
    response = client_for(admin.user).get(reverse("audit:patient_history", args=[patient.pk]))
    content = response.content.decode()
    for words in ("Patient page", "Patient page — messages", "Plan builder", "Site administration"):
        assert f"<td>{words}</td>" in content, words
    assert "rehab:" not in content
    assert "admin:" not in content
    # No row number after the words (it read "rehab:plan_builder 12"); the address column
    # ("127.0.0.1") ends in a digit too, so a number is looked for as its own word.
    assert not re.search(rf"(?<![\d.]){plan.pk}</td>", content)
    assert reverse("rehab:plan_builder", args=[plan.pk]) not in content  # nor its address


@pytest.mark.parametrize(
    ("what", "words"),
    [
        ("rehab:plan_builder 123", "Plan builder"),
        ("rehab:prescription_edit 7", "Plan builder"),
        ("rehab:patient_messages 4", "Patient page — messages"),
        ("clinic:patient_edit 4", "Patient details"),
        ("rehab:today", "Today"),
        ("admin:rehab_exerciselog_change 42", "Site administration"),
        ("api:log-detail 42", "The app"),
        ("rehab:something_new 3", "The patient's record"),
        ("", "The patient's record"),
    ],
)
def test_each_stored_what_has_its_words(what: str, words: str) -> None:
    assert AccessEvent(what=what).what_words == words


def test_a_page_of_events_has_each_events_own_words() -> None:
    """The history page's words, looked up once a page for each code, are each event's own
    (``actor_role_words``, ``get_action_display``, ``what_words``), in the events' order."""
    events = [
        AccessEvent(actor_role=role, action=action, what=what)
        for role, action, what in [
            ("clinician:therapist", "read", "rehab:plan_builder 1"),
            ("patient", "change", "rehab:today"),
            ("clinician:therapist", "read", "rehab:plan_builder 2"),
            ("clinician:admin", "export", "api:log-detail 42"),
            ("patient", "read", "rehab:something_new 3"),
        ]
    ]
    assert [(line.event, line.role, line.action, line.what) for line in in_words(events)] == [
        (event, event.actor_role_words, event.get_action_display(), event.what_words)
        for event in events
    ]


def _view_names(resolver: Any, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _view_names(pattern, inner)
        elif pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_page_named_in_words_is_a_page() -> None:
    """The apps register their pages' words by route name: a name no URL has is a typo."""
    assert "rehab:plan_builder" in PAGE_WORDS
    assert set(PAGE_WORDS) - _view_names(get_resolver()) == set()


def test_a_colleague_clinic_admin_can_see_it(admin: Clinician, patient: Patient) -> None:
    colleague_admin = factories.ClinicAdminFactory(clinic=admin.clinic)
    url = reverse("audit:patient_history", args=[patient.pk])
    assert client_for(colleague_admin.user).get(url).status_code == 200


@pytest.mark.parametrize("who", ["therapist", "other_clinic_admin", "patient", "other_patient"])
def test_others_get_404_on_the_patient_history(
    who: str, clinician: Clinician, patient: Patient, other_patient: Patient
) -> None:
    user = {
        "therapist": clinician.user,
        "other_clinic_admin": factories.ClinicAdminFactory().user,
        "patient": patient.user,
        "other_patient": other_patient.user,
    }[who]
    url = reverse("audit:patient_history", args=[patient.pk])
    assert client_for(user).get(url).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(patient: Patient) -> None:
    for url in (reverse("audit:patient_history", args=[patient.pk]), reverse("audit:my_history")):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_patient_sees_who_at_the_clinic_opened_their_record(
    clinician: Clinician, patient: Patient, other_patient: Patient, staff_client: Client
) -> None:
    clinician.user.full_name = "Dr Alice Example"
    clinician.user.save()
    client_for(clinician.user).get(reverse("rehab:patient_detail", args=[patient.pk]))
    client_for(clinician.user).get(reverse("rehab:patient_detail", args=[other_patient.pk]))
    staff_client.get(reverse("admin:clinic_patient_change", args=[patient.pk]))
    me = client_for(patient.user)
    me.get(reverse("rehab:today"))  # their own access: not shown
    response = me.get(reverse("audit:my_history"))
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert [(e.actor_id, e.patient_ref) for e in events] == [(clinician.user_id, patient.pk)]
    content = response.content.decode()
    assert "Dr Alice Example" in content
    assert "Physiotherapist" in content  # the role in words, as on the clinic's page
    assert "rehab:patient_detail" not in content  # no staff internals
    assert "Patient page" in content  # what was looked at, in words
    assert "/clinic/patients/" not in content


def test_another_patients_history_is_not_shown(clinician: Clinician, patient: Patient) -> None:
    other = factories.PatientFactory(clinic=clinician.clinic)
    client_for(clinician.user).get(reverse("rehab:patient_detail", args=[other.pk]))
    response = client_for(patient.user).get(reverse("audit:my_history"))
    assert list(response.context["page"].object_list) == []


def test_clinicians_get_404_on_my_history(clinician: Clinician) -> None:
    assert client_for(clinician.user).get(reverse("audit:my_history")).status_code == 404


# --- cost ----------------------------------------------------------------------------------------


def test_the_today_page_gains_at_most_one_query(patient: Patient, settings: Any) -> None:
    me = client_for(patient.user)
    me.get(reverse("rehab:today"))  # warm up (session, caches)
    with CaptureQueriesContext(connection) as with_audit:
        assert me.get(reverse("rehab:today")).status_code == 200
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "audit.middleware.AuditMiddleware"
    ]
    with CaptureQueriesContext(connection) as without_audit:
        assert me.get(reverse("rehab:today")).status_code == 200
    assert len(with_audit) - len(without_audit) <= 1
    inserts = [q for q in with_audit.captured_queries if "audit_accessevent" in q["sql"]]
    assert len(inserts) == 1


# --- services.record: the prepared INSERT of the hot path ----------------------------------


def _record(user: Any, *targets: Any) -> list[AccessEvent]:
    from audit import services  # noqa: PLC0415

    return services.record(
        user=user,
        action="read",
        what="Today",
        method="GET",
        path="/me/",
        meta={"REMOTE_ADDR": "10.0.0.7", "HTTP_USER_AGENT": "phone"},
        targets=targets,
    )


def test_several_patients_are_one_insert_and_a_gone_one_keeps_its_reference(
    patient: Patient,
) -> None:
    from audit.services import Target  # noqa: PLC0415

    gone = 10**9  # no such row (erased in this request): the FK is NULL, the id kept
    with CaptureQueriesContext(connection) as queries:
        events = _record(
            patient.user, Target(patient_id=patient.pk), Target(patient_id=gone), Target()
        )
    assert len(queries) == 1
    assert [e.pk for e in events] == [e.pk for e in _events()]
    assert [(e.patient_id, e.patient_ref) for e in _events()] == [
        (patient.pk, patient.pk),
        (None, gone),
        (None, None),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_read_outside_a_transaction_is_one_plain_insert_and_a_gone_one_still_kept() -> None:
    """As the middleware records a read (autocommit): the ids as they are, in one INSERT; when
    one was erased meanwhile, the foreign key refuses the commit and the events are stored
    the careful way, nothing lost."""
    from audit.services import Target  # noqa: PLC0415

    patients = factories.PatientFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        _record(patients[0].user, *(Target(patient_id=p.pk) for p in patients))
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert "clinic_patient" not in inserts[0]  # no subquery per patient
    assert sorted(e.patient_id or 0 for e in _events()) == sorted(p.pk for p in patients)
    before = max(e.pk for e in _events())
    gone = 10**9
    _record(patients[0].user, Target(patient_id=patients[1].pk), Target(patient_id=gone))
    assert [(e.patient_id, e.patient_ref) for e in _events(pk__gt=before)] == [
        (patients[1].pk, patients[1].pk),
        (None, gone),
    ]


def test_no_target_writes_nothing(patient: Patient) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert _record(patient.user) == []
    assert len(queries) == 0
