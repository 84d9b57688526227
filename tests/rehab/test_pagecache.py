"""Cached whole answers (``rehab.pagecache``): the patient's Today page and its API twin, the
clinician's patient page and patient list.

Each is served from the cache on the next request (fewer queries, none on the tables the
render reads), with this request's CSRF token, CSP nonce and fresh UUIDs filled in, and a write
to the patient's data (or the library, or the viewer's name) shows on the next request. Flash
messages are never baked in, and access is checked before the cache.

Writes are made from another session of the same user where the view would add a flash
message, so the reader's next request has no pending message (which would bypass the cache and
hide a stale answer).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from audit.models import AccessEvent
from clinic import services as clinic_services
from clinic.models import Clinic, Clinician, Invitation, Message, Patient
from rehab import pagecache, receivers, services
from rehab.models import (
    Alert,
    AtrsRequest,
    AtrsResponse,
    CheckIn,
    Equipment,
    Exercise,
    ExerciseLog,
    Measurement,
    PhaseChange,
    Plan,
    PlanPhase,
    Prescription,
    PrescriptionMedia,
)
from tests import factories
from tests.api.conftest import token_client
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PLACEHOLDER = "rehab-placeholder"
JSON = {"HTTP_ACCEPT": "application/json"}
API_TODAY = "/api/v1/me/today/"
API_LOGS = "/api/v1/logs/"

# The per-request values of a page, each as (before)(value)(after).
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")([^"]*)(")')
_CSRF_HEADER = re.compile(r'("X-CSRFToken": ")([^"]*)(")')
_CLIENT_UUID = re.compile(r'(name="client_uuid" value=")([^"]*)(")')
_NONCE = re.compile(r'(nonce=")([^"]*)(")')
_PER_REQUEST = (_CSRF_INPUT, _CSRF_HEADER, _CLIENT_UUID, _NONCE)


# --- helpers ---------------------------------------------------------------------------------


def _today_url() -> str:
    return reverse("rehab:today")


def _detail_url(patient: Patient) -> str:
    return reverse("rehab:patient_detail", args=[patient.pk])


def _list_url() -> str:
    return reverse("rehab:patient_list")


def _get(client: Client, url: str, **extra: Any) -> Any:
    """A 200 answer that carries no placeholder (every per-request value was filled in)."""
    response = client.get(url, **extra)
    assert response.status_code == 200, response.content[:500]
    assert PLACEHOLDER not in response.content.decode()
    return response


def _html(client: Client, url: str) -> str:
    return str(_get(client, url).content.decode())


def _get_counting(client: Client, url: str, **extra: Any) -> tuple[Any, list[str]]:
    """The answer and the SQL of the queries it made."""
    with CaptureQueriesContext(connection) as queries:
        response = _get(client, url, **extra)
    return response, [q["sql"] for q in queries.captured_queries]


def _reads(sql: list[str], table: str) -> bool:
    return any(f'"{table}"' in statement for statement in sql)


def _warm(client: Client, url: str, table: str) -> str:
    """GET twice: the answer is in the cache (the second request does not read ``table``)."""
    _get(client, url)
    second, second_sql = _get_counting(client, url)
    assert not _reads(second_sql, table), "the second request was not served from the cache"
    return str(second.content.decode())


def _mask(html: str) -> str:
    for pattern in _PER_REQUEST:
        html = pattern.sub(r"\1<masked>\3", html)
    return html


def _client_uuids(html: str) -> list[str]:
    return [match[1] for match in _CLIENT_UUID.findall(html)]


def _header_nonce(response: Any) -> str:
    match = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert match
    return match.group(1)


def _tick_form(html: str) -> dict[str, str]:
    """The hidden fields of the first no-JS tick form on Today, with one set done."""
    start = html.index(f'action="{reverse("rehab:log_create")}"')
    form = html[start : html.index("</form>", start)]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    assert set(fields) == {"csrfmiddlewaretoken", "client_uuid", "prescription", "date"}
    return {**fields, "sets_done": "1"}


def _token(name: object) -> Any:
    return cache.get(pagecache._token_key(name))


def _active_plan(patient: Patient) -> tuple[Plan, PlanPhase]:
    plan = factories.PlanFactory(patient=patient)
    phase = factories.PlanPhaseFactory(
        plan=plan, order=0, start_week=0, end_week=52, name="Protected loading"
    )
    plan.current_phase = phase
    plan.save()
    PhaseChange.objects.create(plan=plan, to_phase=phase, effective_on=plan.anchor_date)
    return plan, phase


def _made(factory: Any, **fields: Any) -> Any:
    """A factory_boy call, typed as the model it makes (mypy reads it as the factory)."""
    return factory(**fields)


def _patient(clinic: Clinic, **fields: Any) -> Patient:
    made: Patient = _made(factories.PatientFactory, clinic=clinic, **fields)
    return made


def _named_clinician(clinic: Clinic, name: str) -> Clinician:
    return factories.ClinicianFactory(clinic=clinic, user__full_name=name)


def _tick_json(rx: Prescription, **extra: Any) -> dict[str, Any]:
    return {"client_uuid": str(uuid.uuid4()), "prescription": rx.pk, **extra}


@pytest.fixture
def rx(patient: Patient) -> Prescription:
    _plan, phase = _active_plan(patient)
    return factories.PrescriptionFactory(
        phase=phase, exercise__name="Seated calf raise", sets=3, reps=10
    )


@pytest.fixture
def me(patient: Patient) -> Client:
    return client_for(patient.user)


# --- Today: served from the cache, per-request values filled in -----------------------------


def test_today_second_get_is_served_from_the_cache_with_the_same_page(
    me: Client, rx: Prescription
) -> None:
    first, first_sql = _get_counting(me, _today_url())
    second, second_sql = _get_counting(me, _today_url())
    assert _reads(first_sql, "rehab_plan")
    assert _reads(first_sql, "rehab_prescription")
    assert not _reads(second_sql, "rehab_plan")
    assert not _reads(second_sql, "rehab_prescription")
    assert not _reads(second_sql, "rehab_exerciselog")
    assert len(second_sql) < len(first_sql)
    first_html, second_html = first.content.decode(), second.content.decode()
    assert "Seated calf raise" in second_html
    assert _mask(first_html) == _mask(second_html)
    assert second["Content-Type"] == first["Content-Type"]


def test_only_ok_answers_are_stored(rf: RequestFactory, patient: Patient) -> None:
    request = rf.get("/anything/")
    request.user = patient.user  # type: ignore[assignment]
    rendered: list[int] = []

    def answer(status: int) -> HttpResponse:
        rendered.append(status)
        return HttpResponse(f"status {status}", status=status)

    def respond(status: int) -> HttpResponse:
        return pagecache.respond(
            request, page="test", patient_ids=[patient.pk], vary=[], render=lambda: answer(status)
        )

    assert respond(400).status_code == 400  # not stored
    assert respond(200).content == b"status 200"  # rendered: nothing was stored
    from_cache = respond(500)
    assert (from_cache.status_code, from_cache.content) == (200, b"status 200")
    assert rendered == [400, 200]


def test_today_cached_page_has_this_requests_csp_nonce(me: Client, rx: Prescription) -> None:
    for _ in range(2):
        response = _get(me, _today_url())
        nonces = {match[1] for match in _NONCE.findall(response.content.decode())}
        assert nonces == {_header_nonce(response)}


def test_today_csrf_token_of_a_cached_page_works_without_javascript(
    patient: Patient, rx: Prescription
) -> None:
    assert patient.user is not None
    _html(client_for(patient.user), _today_url())  # another session stores the answer
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(patient.user)
    response, sql = _get_counting(browser, _today_url())
    assert not _reads(sql, "rehab_plan")  # from the cache
    html = response.content.decode()
    fields = _tick_form(html)
    assert fields["prescription"] == str(rx.pk)
    uuid.UUID(fields["client_uuid"])
    # The check is on: a wrong token is refused...
    bad = {**fields, "csrfmiddlewaretoken": "x" * 64}
    assert browser.post(reverse("rehab:log_create"), bad).status_code == 403
    assert not ExerciseLog.objects.exists()
    # ...and the cached page's token is accepted.
    posted = browser.post(reverse("rehab:log_create"), fields)
    assert posted.status_code == 302
    assert posted["Location"] == _today_url()
    log = ExerciseLog.objects.get()
    assert log.client_uuid == uuid.UUID(fields["client_uuid"])
    assert log.sets_done == 1
    # The hx-headers token of the same page is this session's token too.
    header_token = _CSRF_HEADER.search(html)
    assert header_token
    htmx_post = browser.post(
        reverse("rehab:log_create"),
        _tick_json(rx, sets_done=1),
        HTTP_X_CSRFTOKEN=header_token.group(2),
        **JSON,
    )
    assert htmx_post.status_code == 201


def test_today_each_get_has_fresh_client_uuids(patient: Patient, me: Client) -> None:
    _plan, phase = _active_plan(patient)
    factories.PrescriptionFactory(phase=phase, exercise__name="First exercise")
    factories.PrescriptionFactory(phase=phase, exercise__name="Second exercise")
    first = _client_uuids(_html(me, _today_url()))
    second = _client_uuids(_warm_second(me))
    assert len(first) == len(second) == 2
    every = [*first, *second]
    assert len(set(every)) == 4
    for value in every:
        assert str(uuid.UUID(value)) == value


def _warm_second(client: Client) -> str:
    """A GET of Today that must come from the cache."""
    response, sql = _get_counting(client, _today_url())
    assert not _reads(sql, "rehab_plan")
    return str(response.content.decode())


def test_no_answer_ever_carries_a_placeholder(
    patient: Patient, clinician: Clinician, rx: Prescription
) -> None:
    assert patient.user is not None
    clinic_client = client_for(clinician.user)
    for _ in range(2):  # rendered, then cached: ``_get`` checks each
        _get(client_for(patient.user), _today_url())
        _get(clinic_client, _detail_url(patient))
        _get(clinic_client, _list_url())
        api = token_client(patient.user).get(API_TODAY)
        assert api.status_code == 200
        assert PLACEHOLDER not in api.content.decode()


# --- Today: a write shows on the next request ------------------------------------------------


def test_today_a_tick_shows(patient: Patient, me: Client, rx: Prescription) -> None:
    assert "Sets done: 0 of 3" in _warm(me, _today_url(), "rehab_plan")
    posted = me.post(reverse("rehab:log_create"), _tick_json(rx, sets_done=1), **JSON)
    assert posted.status_code == 201
    html = _html(me, _today_url())
    assert "Sets done: 1 of 3" in html
    assert f'data-open-id="{ExerciseLog.objects.get().pk}"' in html


def test_today_a_no_js_tick_from_another_session_shows(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    assert patient.user is not None
    _warm(me, _today_url(), "rehab_plan")
    phone = client_for(patient.user)
    fields = _tick_form(_html(phone, _today_url()))
    assert phone.post(reverse("rehab:log_create"), {**fields, "sets_done": "3"}).status_code == 302
    html = _html(me, _today_url())
    assert "rehab-card mb-3 is-done" in html
    assert "Sessions today: 1 of 1" in html


def test_today_a_checkin_removes_the_notice(patient: Patient, me: Client, rx: Prescription) -> None:
    assert patient.user is not None
    assert "You have not done today's check-in yet." in _warm(me, _today_url(), "rehab_plan")
    posted = client_for(patient.user).post(
        reverse("rehab:checkin"),
        {"client_uuid": str(uuid.uuid4()), "pain_at_rest": 2, "swelling": "mild"},
    )
    assert posted.status_code == 302
    assert CheckIn.objects.filter(patient=patient).exists()
    html = _html(me, _today_url())
    assert "You have not done today's check-in yet." not in html
    assert "Do today's check-in" not in html


def test_today_a_dose_change_in_the_builder_shows(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    assert "3 sets × 10 reps" in _warm(me, _today_url(), "rehab_plan")
    services.prescription_update(
        prescription=rx,
        sets=5,
        reps=12,
        hold_seconds=None,
        times_per_day=1,
        days_per_week=7,
        side=rx.side,
        note="Slowly on the way down.",
        expected_version=None,
    )
    html = _html(me, _today_url())
    assert "5 sets × 12 reps" in html
    assert "Sets done: 0 of 5" in html
    assert "Slowly on the way down." in html
    assert "3 sets × 10 reps" not in html


def test_today_an_added_prescription_shows(patient: Patient, me: Client, rx: Prescription) -> None:
    assert "Ankle alphabet" not in _warm(me, _today_url(), "rehab_plan")
    exercise = factories.ExerciseFactory(
        name="Ankle alphabet", earliest_week_operative=0, earliest_week_non_operative=0
    )
    services.prescription_add(phase=rx.phase, exercise=exercise)
    html = _html(me, _today_url())
    assert "Ankle alphabet" in html
    assert "Seated calf raise" in html


def test_today_a_retired_prescription_goes(patient: Patient, me: Client, rx: Prescription) -> None:
    factories.ExerciseLogFactory(prescription=rx, date=patient.local_today() - dt.timedelta(1))
    assert "Seated calf raise" in _warm(me, _today_url(), "rehab_plan")
    assert services.prescription_remove(prescription=rx) is False  # retired: it has logs
    assert "Seated calf raise" not in _html(me, _today_url())


def test_today_a_removed_prescription_goes(patient: Patient, me: Client, rx: Prescription) -> None:
    assert "Seated calf raise" in _warm(me, _today_url(), "rehab_plan")
    assert services.prescription_remove(prescription=rx) is True  # deleted: no logs
    assert "Seated calf raise" not in _html(me, _today_url())


def test_today_an_exercise_renamed_by_an_admin_shows(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    assert "Seated calf raise" in _warm(me, _today_url(), "rehab_plan")
    exercise = rx.exercise
    exercise.name = "Seated heel raise"
    exercise.save()
    html = _html(me, _today_url())
    assert "Seated heel raise" in html
    assert "Seated calf raise" not in html


def test_today_renamed_and_added_equipment_shows(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    band: Equipment = _made(factories.EquipmentFactory, name="Resistance band", slug="band")
    rx.exercise.equipment.add(band)
    assert "Resistance band" in _warm(me, _today_url(), "rehab_plan")
    band.name = "Elastic band"
    band.save()
    html = _html(me, _today_url())
    assert "Elastic band" in html
    assert "Resistance band" not in html
    _warm(me, _today_url(), "rehab_plan")
    rx.exercise.equipment.add(factories.EquipmentFactory(name="Step", slug="step"))
    assert "Step" in _html(me, _today_url())


def test_today_an_edited_patient_record_shows(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    assert "Left leg (your injured side)" in _warm(me, _today_url(), "rehab_plan")
    clinic_services.patient_update(patient=patient, injured_side=Patient.Side.RIGHT)
    html = _html(me, _today_url())
    assert "Right leg (your injured side)" in html
    assert "Left leg (your injured side)" not in html


def test_today_the_patients_new_name_shows_in_the_header(
    patient: Patient, me: Client, rx: Prescription
) -> None:
    user = patient.user
    assert user is not None
    user.full_name = "Alexandra Before"
    user.save()
    assert "Alexandra Before" in _warm(me, _today_url(), "rehab_plan")
    user.full_name = "Alexandra After"
    user.save()
    html = _html(me, _today_url())
    assert "Alexandra After" in html
    assert "Alexandra Before" not in html


def test_today_a_write_in_a_transaction_is_not_hidden_by_an_answer_rendered_before_commit(
    patient: Patient,
    me: Client,
    rx: Prescription,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """A request that reads the token replaced by an uncommitted write stores an answer under
    it; the commit replaces the token again, so that answer is not served afterwards."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        factories.ExerciseLogFactory(prescription=rx, sets_done=1)
        _warm(me, _today_url(), "rehab_plan")  # stored under the mid-transaction token
    assert callbacks
    _response, sql = _get_counting(me, _today_url())
    assert _reads(sql, "rehab_plan")


# --- isolation -------------------------------------------------------------------------------


def test_two_patients_never_see_each_others_page(clinician: Clinician) -> None:
    # Each patient: their name in the header, their exercise on Today.
    people = {
        ("Olivia Example", "Heel raise for Olivia"): _patient(
            clinician.clinic, user__full_name="Olivia Example"
        ),
        ("Noah Example", "Towel stretch for Noah"): _patient(
            clinician.clinic, user__full_name="Noah Example"
        ),
    }
    for (_name, exercise), person in people.items():
        _plan, phase = _active_plan(person)
        factories.PrescriptionFactory(phase=phase, exercise__name=exercise)
    browsers = {mine: client_for(person.user) for mine, person in people.items()}
    for _ in range(3):  # rendered, then cached, then cached again; interleaved
        for mine, person in people.items():
            (theirs,) = [other for other in people if other != mine]
            html = _html(browsers[mine], _today_url())
            assert all(text in html for text in mine)
            assert not any(text in html for text in theirs)
            assert person.user is not None
            api = token_client(person.user).get(API_TODAY)
            names = [item["prescription"]["exercise"]["name"] for item in api.json()["items"]]
            assert names == [mine[1]]


def test_another_clinics_clinician_gets_404_for_a_cached_patient_page(
    clinician: Clinician, other_clinician: Clinician, patient: Patient, other_patient: Patient
) -> None:
    _warm(client_for(clinician.user), _detail_url(patient), "rehab_plan")
    assert client_for(other_clinician.user).get(_detail_url(patient)).status_code == 404
    assert patient.user is not None
    assert other_patient.user is not None
    assert client_for(patient.user).get(_detail_url(patient)).status_code == 404
    assert client_for(other_patient.user).get(_detail_url(patient)).status_code == 404
    # A patient's cached Today is not another user's either.
    _warm(client_for(patient.user), _today_url(), "rehab_plan")
    assert client_for(clinician.user).get(_today_url()).status_code == 404


def test_another_clinics_clinician_sees_their_own_patient_list(
    clinician: Clinician, other_clinician: Clinician
) -> None:
    _patient_with_daily_plan(clinician.clinic, last_name="Ourpatient")
    _patient_with_daily_plan(other_clinician.clinic, last_name="Theirpatient")
    html = _warm(client_for(clinician.user), _list_url(), "rehab_exerciselog")
    assert "Ourpatient" in html
    assert "Theirpatient" not in html
    theirs = _html(client_for(other_clinician.user), _list_url())
    assert "Theirpatient" in theirs
    assert "Ourpatient" not in theirs


def test_a_colleague_gets_a_page_with_their_own_name(
    clinician: Clinician, patient: Patient, rx: Prescription
) -> None:
    first = _named_clinician(clinician.clinic, "Florence First")
    colleague = _named_clinician(clinician.clinic, "Gabriel Colleague")
    for url, table in ((_detail_url(patient), "rehab_plan"), (_list_url(), "rehab_exerciselog")):
        assert "Florence First" in _warm(client_for(first.user), url, table)
        html = _html(client_for(colleague.user), url)
        assert "Gabriel Colleague" in html
        assert "Florence First" not in html
        assert patient.last_name in html


def test_a_cached_patient_page_read_is_still_audited(
    clinician: Clinician, patient: Patient
) -> None:
    client = client_for(clinician.user)
    _warm(client, _detail_url(patient), "rehab_plan")
    _html(client, _detail_url(patient))
    reads = AccessEvent.objects.filter(patient_ref=patient.pk, actor=clinician.user)
    assert reads.count() == 3


# --- flash messages ---------------------------------------------------------------------------


def test_a_flash_message_is_shown_once_and_not_cached(me: Client, rx: Prescription) -> None:
    _warm(me, _today_url(), "rehab_plan")
    fields = _tick_form(_html(me, _today_url()))
    response = me.post(reverse("rehab:log_create"), fields)
    assert response.status_code == 302
    assert "Ticked: Seated calf raise." in _html(me, _today_url())
    html = _html(me, _today_url())
    assert "Ticked:" not in html
    assert "Sets done: 1 of 3" in html
    assert "Ticked:" not in _html(me, _today_url())  # and not from the cache either


def test_a_flash_message_without_a_write_is_not_hidden_by_the_cached_page(
    me: Client, rx: Prescription
) -> None:
    """A refused tick writes nothing (the cached answer stays current) but adds a message."""
    _warm(me, _today_url(), "rehab_plan")
    fields = _tick_form(_html(me, _today_url()))
    assert me.post(reverse("rehab:log_create"), {**fields, "pain": "12"}).status_code == 302
    assert not ExerciseLog.objects.exists()
    assert "Not saved: Choose a number from 0 to 10." in _html(me, _today_url())
    response, sql = _get_counting(me, _today_url())
    assert "Not saved: Choose a number" not in response.content.decode()
    assert not _reads(sql, "rehab_plan")  # the earlier answer, still current, from the cache


# --- PAGE_CACHE off ---------------------------------------------------------------------------


def test_with_page_cache_off_nothing_is_cached(
    settings: Settings, clinician: Clinician, patient: Patient, rx: Prescription
) -> None:
    settings.PAGE_CACHE = False
    assert patient.user is not None
    cases = [
        (client_for(patient.user), _today_url()),
        (client_for(clinician.user), _detail_url(patient)),
        (client_for(clinician.user), _list_url()),
    ]
    for client, url in cases:
        _first, first_sql = _get_counting(client, url)
        _second, second_sql = _get_counting(client, url)
        assert len(second_sql) == len(first_sql), url
        assert _reads(second_sql, "rehab_plan"), url
    api = token_client(patient.user)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(API_TODAY).status_code == 200
        counts.append(len(queries))
        assert _reads([q["sql"] for q in queries.captured_queries], "rehab_plan")
    assert counts[0] == counts[1]
    # And a write that sends no signal shows at once: nothing stands in its way.
    Plan.objects.filter(patient=patient).update(name="Renamed without a signal")
    uuids = [_client_uuids(_html(client_for(patient.user), _today_url())) for _ in range(2)]
    assert uuids[0] != uuids[1]


# --- API /api/v1/me/today/ --------------------------------------------------------------------


def test_api_today_is_cached(patient: Patient, rx: Prescription) -> None:
    assert patient.user is not None
    api = token_client(patient.user)
    with CaptureQueriesContext(connection) as first_queries:
        first = api.get(API_TODAY)
    with CaptureQueriesContext(connection) as second_queries:
        second = api.get(API_TODAY)
    assert first.status_code == second.status_code == 200
    first_sql = [q["sql"] for q in first_queries.captured_queries]
    second_sql = [q["sql"] for q in second_queries.captured_queries]
    assert _reads(first_sql, "rehab_plan")
    assert not _reads(second_sql, "rehab_plan")
    assert len(second_sql) < len(first_sql)
    assert second["Content-Type"].startswith("application/json")
    assert first.content == second.content
    assert second.json()["items"][0]["prescription"]["id"] == rx.pk


def test_api_a_posted_log_shows_on_the_next_get(patient: Patient, rx: Prescription) -> None:
    assert patient.user is not None
    api = token_client(patient.user)
    api.get(API_TODAY)
    [item] = api.get(API_TODAY).json()["items"]
    assert (item["sessions_done"], item["logs"]) == (0, [])
    posted = api.post(
        API_LOGS,
        {"client_uuid": str(uuid.uuid4()), "prescription": rx.pk, "sets_done": 3, "pain": 2},
        format="json",
    )
    assert posted.status_code == 201
    [item] = api.get(API_TODAY).json()["items"]
    assert item["sessions_done"] == 1
    assert len(item["logs"]) == 1


def test_api_a_plan_edit_shows_on_the_next_get(patient: Patient, rx: Prescription) -> None:
    assert patient.user is not None
    api = token_client(patient.user)
    api.get(API_TODAY)
    assert api.get(API_TODAY).json()["items"][0]["prescription"]["sets"] == 3
    services.prescription_update(
        prescription=rx,
        sets=4,
        reps=8,
        hold_seconds=None,
        times_per_day=1,
        days_per_week=7,
        side=rx.side,
        expected_version=None,
    )
    assert api.get(API_TODAY).json()["items"][0]["prescription"]["sets"] == 4


def test_api_and_page_are_cached_apart(me: Client, patient: Patient, rx: Prescription) -> None:
    assert patient.user is not None
    _warm(me, _today_url(), "rehab_plan")
    api = token_client(patient.user).get(API_TODAY)
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["items"][0]["prescription"]["id"] == rx.pk
    assert "<html" in _html(me, _today_url())


# --- the clinician's patient page ------------------------------------------------------------


def _measurement(patient: Patient) -> dict[str, Any]:
    return {
        "client_uuid": str(uuid.uuid4()),
        "date": patient.local_today().isoformat(),
        "heel_rise_reps_injured": 6,
        "heel_rise_reps_uninjured": 24,
        "calf_cm_injured": "34.5",
        "calf_cm_uninjured": "",
        "note": "",
    }


def test_patient_page_is_cached(clinician: Clinician, patient: Patient, rx: Prescription) -> None:
    client = client_for(clinician.user)
    first, first_sql = _get_counting(client, _detail_url(patient))
    second, second_sql = _get_counting(client, _detail_url(patient))
    assert _reads(first_sql, "rehab_plan")
    assert not _reads(second_sql, "rehab_plan")
    assert not _reads(second_sql, "rehab_measurement")
    assert len(second_sql) < len(first_sql)
    assert _mask(first.content.decode()) == _mask(second.content.decode())
    assert patient.full_name in second.content.decode()


def test_patient_page_a_measurement_shows(clinician: Clinician, patient: Patient) -> None:
    client = client_for(clinician.user)
    assert "25 %" not in _warm(client, _detail_url(patient), "rehab_plan")
    other_tab = client_for(clinician.user)
    posted = other_tab.post(
        reverse("rehab:measurement_create", args=[patient.pk]), _measurement(patient)
    )
    assert posted.status_code == 302
    assert Measurement.objects.filter(patient=patient).exists()
    assert "25 %" in _html(client, _detail_url(patient))  # the LSI chart's table


def test_patient_page_the_measurement_form_of_a_cached_page_posts(
    clinician: Clinician, patient: Patient
) -> None:
    client = client_for(clinician.user)
    html = _warm(client, _detail_url(patient), "rehab_plan")
    [form_uuid] = _client_uuids(html)
    data = {**_measurement(patient), "client_uuid": form_uuid}
    assert (
        client.post(reverse("rehab:measurement_create", args=[patient.pk]), data).status_code == 302
    )
    assert str(Measurement.objects.get(patient=patient).client_uuid) == form_uuid


def test_patient_page_an_acknowledged_alert_goes(clinician: Clinician, patient: Patient) -> None:
    alert = factories.AlertFactory(patient=patient, message="Pain 8/10 reported on a log.")
    client = client_for(clinician.user)
    assert "Pain 8/10 reported on a log." in _warm(client, _detail_url(patient), "rehab_plan")
    other_tab = client_for(clinician.user)
    posted = other_tab.post(reverse("rehab:alert_acknowledge", args=[alert.pk]))
    assert posted.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    html = _html(client, _detail_url(patient))
    assert "Pain 8/10 reported on a log." not in html
    assert "No open alerts." in html


def test_patient_page_a_patients_log_and_message_show(
    clinician: Clinician, patient: Patient, rx: Prescription
) -> None:
    assert patient.user is not None
    client = client_for(clinician.user)
    _warm(client, _detail_url(patient), "rehab_plan")
    client_for(patient.user).post(
        reverse("rehab:log_create"), _tick_json(rx, sets_done=3, pain=9), **JSON
    )
    html = _html(client, _detail_url(patient))
    assert "No open alerts." not in html  # pain 9 raised an alert
    _warm(client, _detail_url(patient), "rehab_plan")
    clinic_services.message_send(
        patient=patient, author=patient.user, from_patient=True, body="Swollen this evening."
    )
    assert "Swollen this evening." in _html(client, _detail_url(patient))


def test_patient_page_a_clinicians_new_name_shows_as_the_author_of_their_message(
    clinician: Clinician, patient: Patient
) -> None:
    """The page lists the last messages with their author's name: a clinician who corrects
    their name (their account page saves the User) is shown under the new name."""
    author = _named_clinician(clinician.clinic, "Harriet Oldname")
    clinic_services.message_send(
        patient=patient, author=author.user, from_patient=False, body="See you on Monday."
    )
    client = client_for(clinician.user)
    assert "Harriet Oldname" in _warm(client, _detail_url(patient), "clinic_message")
    author.user.full_name = "Harriet Newname"
    author.user.save()
    html = _html(client, _detail_url(patient))
    assert "Harriet Newname" in html
    assert "Harriet Oldname" not in html


def test_patient_page_measurement_uuid_is_fresh_each_time(
    clinician: Clinician, patient: Patient
) -> None:
    client = client_for(clinician.user)
    seen = []
    for _ in range(3):  # rendered, then twice from the cache
        [value] = _client_uuids(_html(client, _detail_url(patient)))
        assert str(uuid.UUID(value)) == value
        seen.append(value)
    assert len(set(seen)) == 3


# --- the clinician's patient list ------------------------------------------------------------


def _patient_with_daily_plan(clinic: Clinic, **fields: Any) -> tuple[Patient, Prescription]:
    patient = factories.PatientFactory(clinic=clinic, **fields)
    plan = factories.PlanFactory(patient=patient)
    phase = factories.PlanPhaseFactory(plan=plan, name="Protected loading")
    rx = factories.PrescriptionFactory(phase=phase, days_per_week=7, times_per_day=1)
    Prescription.objects.filter(pk=rx.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    Plan.objects.filter(pk=plan.pk).update(current_phase=phase)
    PhaseChange.objects.create(
        plan=plan, to_phase=phase, effective_on=timezone.localdate() - dt.timedelta(days=30)
    )
    return patient, rx


# The last-pain cell of a row: "4/10" then the date.
_LAST_PAIN = re.compile(r"<td>\s*(\d+)/10\s*<br>")


def test_patient_list_is_cached(clinician: Clinician) -> None:
    _patient_with_daily_plan(clinician.clinic, last_name="Listed")
    client = client_for(clinician.user)
    first, first_sql = _get_counting(client, _list_url())
    second, second_sql = _get_counting(client, _list_url())
    assert _reads(first_sql, "rehab_exerciselog")
    assert not _reads(second_sql, "rehab_exerciselog")
    assert len(second_sql) < len(first_sql)
    assert _mask(first.content.decode()) == _mask(second.content.decode())
    assert "Listed" in second.content.decode()


def test_patient_list_a_new_patient_appears(clinician: Clinician) -> None:
    _patient_with_daily_plan(clinician.clinic, last_name="Earlier")
    client = client_for(clinician.user)
    assert "Newcomer" not in _warm(client, _list_url(), "rehab_exerciselog")
    factories.PatientFactory(clinic=clinician.clinic, last_name="Newcomer")
    html = _html(client, _list_url())
    assert "Newcomer" in html
    assert "Earlier" in html
    assert "2 patients" in html


def test_patient_list_a_log_changes_the_row(clinician: Clinician) -> None:
    patient, rx = _patient_with_daily_plan(clinician.clinic, last_name="Logger")
    assert patient.user is not None
    client = client_for(clinician.user)
    html = _warm(client, _list_url(), "rehab_exerciselog")
    assert "0 of 7 sessions" in html
    assert not _LAST_PAIN.search(html)
    posted = client_for(patient.user).post(
        reverse("rehab:log_create"), _tick_json(rx, sets_done=3, pain=4), **JSON
    )
    assert posted.status_code == 201
    html = _html(client, _list_url())
    last_pain = _LAST_PAIN.search(html)
    assert last_pain
    assert last_pain.group(1) == "4"
    assert "1 of 7 sessions" in html
    assert "0 of 7 sessions" not in html


def test_patient_list_a_renamed_or_discharged_patient_shows(clinician: Clinician) -> None:
    patient, _rx = _patient_with_daily_plan(clinician.clinic, last_name="Before")
    client = client_for(clinician.user)
    _warm(client, _list_url(), "rehab_exerciselog")
    clinic_services.patient_update(patient=patient, last_name="After")
    html = _html(client, _list_url())
    assert "After," in html
    assert "Before," not in html
    assert "1 patient\n" in _warm(client, _list_url(), "rehab_exerciselog")
    clinic_services.patient_discharge(patient=patient)
    html = _html(client, _list_url())  # the list shows active patients unless asked
    assert "After," not in html
    assert "No patients match." in html


# --- receivers: which writes replace which token ---------------------------------------------


def _draft_plan(patient: Patient) -> Plan:
    return factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT)


def _phase(patient: Patient) -> PlanPhase:
    return factories.PlanPhaseFactory(plan=_draft_plan(patient))


def _phase_change(patient: Patient) -> PhaseChange:
    phase = _phase(patient)
    return PhaseChange.objects.create(
        plan=phase.plan, to_phase=phase, effective_on=patient.local_today()
    )


def _invitation(patient: Patient) -> Invitation:
    now = timezone.now()
    return Invitation.objects.create(
        patient=patient,
        token_hash=uuid.uuid4().hex,
        created_at=now,
        expires_at=now + dt.timedelta(days=7),
    )


# A deletable row of each patient data model, for the patient given.
BUILDERS: dict[type[Model], Callable[[Patient], Model]] = {
    Patient: lambda patient: patient,
    Message: lambda patient: _made(factories.MessageFactory, patient=patient),
    Invitation: _invitation,
    Plan: _draft_plan,
    PlanPhase: _phase,
    Prescription: lambda patient: _made(factories.PrescriptionFactory, phase=_phase(patient)),
    PhaseChange: _phase_change,
    ExerciseLog: lambda patient: _made(
        factories.ExerciseLogFactory,
        prescription=factories.PrescriptionFactory(phase=_phase(patient)),
    ),
    CheckIn: lambda patient: _made(factories.CheckInFactory, patient=patient),
    AtrsResponse: lambda patient: _made(factories.AtrsResponseFactory, patient=patient),
    AtrsRequest: lambda patient: AtrsRequest.objects.create(patient=patient),
    Measurement: lambda patient: _made(factories.MeasurementFactory, patient=patient),
    Alert: lambda patient: _made(factories.AlertFactory, patient=patient),
    PrescriptionMedia: lambda patient: _made(
        factories.PrescriptionMediaFactory,
        prescription=factories.PrescriptionFactory(phase=_phase(patient)),
    ),
}


def test_every_patient_data_model_has_a_builder() -> None:
    assert set(BUILDERS) == set(receivers.PATIENT_DATA_MODELS)


class _Tokens:
    """The version tokens of a patient, a bystander and the library, set to known values."""

    def __init__(self, *names: object) -> None:
        self.names = names
        self.reset()

    def reset(self) -> None:
        for name in self.names:
            cache.set(pagecache._token_key(name), f"before-{name}", pagecache.TOKEN_TTL)

    def replaced(self) -> set[object]:
        return {n for n in self.names if _token(n) != f"before-{n}"}


@pytest.mark.parametrize("model", receivers.PATIENT_DATA_MODELS, ids=lambda m: m.__name__)
def test_saving_and_deleting_patient_data_replaces_the_patients_token(
    model: type[Model], clinician: Clinician
) -> None:
    patient = factories.PatientFactory(clinic=clinician.clinic)
    bystander = factories.PatientFactory(clinic=clinician.clinic)
    instance = BUILDERS[model](patient)
    assert isinstance(instance, model)
    tokens = _Tokens(patient.pk, bystander.pk, pagecache.LIBRARY)

    instance.save()  # as built: its parents are loaded
    assert tokens.replaced() == {patient.pk}
    assert _token(patient.pk)  # a token, not a deletion

    tokens.reset()
    fresh = model._default_manager.get(pk=instance.pk)  # its parents are not loaded
    fresh.save()
    assert tokens.replaced() == {patient.pk}

    tokens.reset()
    model._default_manager.get(pk=instance.pk).delete()
    assert not model._default_manager.filter(pk=instance.pk).exists()
    assert patient.pk in tokens.replaced()
    assert bystander.pk not in tokens.replaced()

    # Created (the same row inserted again): a patient's first token, or the patient's new one.
    tokens.reset()
    instance.pk = None
    instance._state.adding = True
    instance.save()
    if model is Patient:
        assert _token(instance.pk)
        assert not tokens.replaced()
    else:
        assert tokens.replaced() == {patient.pk}


def test_library_writes_replace_the_library_token(patient: Patient) -> None:
    exercise: Exercise = _made(factories.ExerciseFactory)
    tokens = _Tokens(pagecache.LIBRARY, patient.pk)

    exercise.name = "Renamed exercise"
    exercise.save()
    assert tokens.replaced() == {pagecache.LIBRARY}

    tokens.reset()
    equipment: Equipment = _made(factories.EquipmentFactory, name="Foam roller", slug="foam-roller")
    assert tokens.replaced() == {pagecache.LIBRARY}

    tokens.reset()
    equipment.name = "Foam roller, soft"
    equipment.save()
    assert tokens.replaced() == {pagecache.LIBRARY}

    for change in (
        lambda: exercise.equipment.add(equipment),
        lambda: exercise.equipment.remove(equipment),
        lambda: equipment.exercises.add(exercise),
        exercise.equipment.clear,
    ):
        tokens.reset()
        change()
        assert tokens.replaced() == {pagecache.LIBRARY}

    tokens.reset()
    exercise.delete()
    assert tokens.replaced() == {pagecache.LIBRARY}


def test_a_write_in_a_transaction_replaces_the_token_again_on_commit(
    patient: Patient, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    key = pagecache._token_key(patient.pk)
    cache.set(key, "before")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            factories.CheckInFactory(patient=patient)
            during = cache.get(key)
            assert during not in (None, "before")  # at once
        assert cache.get(key) == during  # not yet committed
    assert len(callbacks) >= 1
    after = cache.get(key)
    assert after not in (None, "before", during)  # again on commit


def test_a_service_update_replaces_the_token_again_on_commit(
    patient: Patient,
    rx: Prescription,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    key = pagecache._token_key(patient.pk)
    cache.set(key, "before")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.plans_complete_for(patient=patient)  # an update(): no signal
        during = cache.get(key)
        assert during not in (None, "before")
    assert callbacks
    assert cache.get(key) not in (None, "before", during)
    assert Plan.objects.get(patient=patient).status == Plan.Status.COMPLETED


def test_no_token_for_a_row_without_a_patient(patient: Patient) -> None:
    tokens = _Tokens(patient.pk)
    receivers.on_patient_data_saved(Patient, instance=factories.ExerciseFactory())
    assert not tokens.replaced()


# --- Edges: writes behind the ORM's back, sign-ins, the scheme ---------------------------------


def test_a_library_update_behind_the_signals_shows_once_the_library_token_is_replaced(
    me: Client, rx: Prescription
) -> None:
    """A queryset ``update()`` sends no signal: the cached page keeps the old name until
    ``pagecache.library_changed()`` (or ``PAGE_TTL``). The app never writes the library so;
    a data migration changes the release digest, and a fixture load sends signals (below)."""
    assert "Seated calf raise" in _warm(me, _today_url(), "rehab_plan")
    Exercise.objects.filter(pk=rx.exercise_id).update(name="Standing calf raise")
    assert "Seated calf raise" in _html(me, _today_url())  # the documented limit
    pagecache.library_changed()
    html = _html(me, _today_url())
    assert "Standing calf raise" in html
    assert "Seated calf raise" not in html


def test_a_fixture_loaded_over_the_library_shows_at_once(
    me: Client, rx: Prescription, tmp_path: Any
) -> None:
    from django.core import serializers  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    assert "Seated calf raise" in _warm(me, _today_url(), "rehab_plan")
    exercise = Exercise.objects.get(pk=rx.exercise_id)
    exercise.name = "Heel raise from the fixture"
    fixture = tmp_path / "library.json"
    fixture.write_text(serializers.serialize("json", [exercise]))
    call_command("loaddata", str(fixture), verbosity=0)
    assert "Heel raise from the fixture" in _html(me, _today_url())


def test_a_sign_in_does_not_retire_the_clinics_pages(clinician: Clinician) -> None:
    """Signing in stamps ``last_login`` only: the clinic's token stays."""
    assert clinician.user is not None
    key = pagecache._token_key(f"clinic-{clinician.clinic_id}")
    cache.set(key, "before")
    clinician.user.last_login = timezone.now()
    clinician.user.save(update_fields=["last_login"])
    assert cache.get(key) == "before"
    clinician.user.full_name = "A new name"
    clinician.user.save()
    assert cache.get(key) != "before"


def test_the_scheme_is_part_of_the_key(patient: Patient) -> None:
    """Absolute URLs in an answer follow the request's scheme: http and https are cached apart."""
    assert patient.user is not None
    plain, secure = RequestFactory().get("/"), RequestFactory().get("/", secure=True)
    plain.user = secure.user = patient.user
    assert pagecache._page_key(plain, "api-today", ["x"]) != pagecache._page_key(
        secure, "api-today", ["x"]
    )


# --- What a cached answer costs: a constant, small number of queries -------------------------


def _hit_queries(client: Client, url: str, **extra: Any) -> list[str]:
    _get(client, url, **extra)  # rendered and stored
    _response, sql = _get_counting(client, url, **extra)
    return sql


@pytest.mark.parametrize("n", [1, 10])
def test_a_cached_today_costs_three_queries_whatever_the_plan(
    patient: Patient, n: int, django_assert_num_queries: Any
) -> None:
    """1 session, 2 user with their patient record (clinic.accounts.backends), 3 the audit event."""
    _plan, phase = _active_plan(patient)
    for _ in range(n):
        factories.PrescriptionFactory(phase=phase)
    client = client_for(patient.user)
    _get(client, _today_url())
    with django_assert_num_queries(3):
        _get(client, _today_url())
    assert len(_hit_queries(client, API_TODAY, **JSON)) == 3


def test_a_cached_patient_page_and_list_cost_a_constant_number_of_queries(
    clinician: Clinician,
) -> None:
    """Patient page: 1 session, 2 user with clinician record and clinic, 3 the patient
    (access check), 4 the audit event. List: 1 session, 2 user, 3 count, 4 the page's
    patients, 5 the audit event; the same with 20 patients on the page as with 2."""
    client = client_for(clinician.user)
    patients = [factories.PatientFactory(clinic=clinician.clinic) for _ in range(2)]
    assert len(_hit_queries(client, _detail_url(patients[0]))) == 4
    assert len(_hit_queries(client, reverse("rehab:patient_list"))) == 5
    for _ in range(18):
        factories.PatientFactory(clinic=clinician.clinic)
    assert len(_hit_queries(client, reverse("rehab:patient_list"))) == 5


# --- The key: who is asking ------------------------------------------------------------------


def test_the_key_holds_a_clinicians_role_and_clinic_and_costs_no_query(
    clinician: Clinician, patient: Patient, django_assert_num_queries: Any
) -> None:
    """A clinic admin sees controls a therapist does not, on the same page: the role is part
    of the key, read from the record the session's user came with (clinic.accounts.backends)."""
    from django.contrib.auth import get_user  # noqa: PLC0415

    def key_for(user: Any) -> str:
        request = RequestFactory().get(_detail_url(patient))
        request.user = user
        with django_assert_num_queries(0):
            return pagecache._page_key(request, "patient", [])

    def signed_in(user: Any) -> Any:
        client = client_for(user)
        request = RequestFactory().get("/")
        request.session = client.session
        return get_user(request)  # as the middleware loads it: with the record

    user = signed_in(clinician.user)
    therapist = key_for(user)
    user.clinician.role = Clinician.Role.ADMIN
    admin = key_for(user)
    user.clinician.clinic_id = factories.ClinicFactory().pk
    elsewhere = key_for(user)
    assert len({therapist, admin, elsewhere}) == 3
    assert key_for(signed_in(patient.user)) not in {therapist, admin, elsewhere}
