"""The clinician's patient page, the ATRS request and recording a measurement."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape

from clinic.models import Clinician, Patient
from rehab import services
from rehab.models import AtrsRequest, Measurement, Plan, PlanPhase
from rehab.weeks import phase_week_range
from tests import factories
from tests.conftest import client_for
from tests.rehab.clinical_loop import daily_plan

pytestmark = pytest.mark.django_db


def _url(name: str, *args: Any) -> str | None:
    """A URL another helper provides, or None while it does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _active_plan(patient: Patient, *, phases: int = 2) -> tuple[Plan, list[PlanPhase]]:
    return factories.active_plan(patient, phases=phases, name="Operative plan v1")


def _measurement(**extra: Any) -> dict[str, Any]:
    return {
        "client_uuid": str(uuid.uuid4()),
        "date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "heel_rise_reps_injured": 6,
        "heel_rise_reps_uninjured": 24,
        "calf_cm_injured": "34.5",
        "calf_cm_uninjured": "",
        "note": "",
        **extra,
    }


def _login_redirect(response: Any) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- access ------------------------------------------------------------------------------------


def test_the_page_works_for_the_clinician_and_a_colleague(
    clinician: Clinician, colleague: Clinician, patient: Patient
) -> None:
    for who in (clinician, colleague):
        response = client_for(who.user).get(reverse("rehab:patient_detail", args=[patient.pk]))
        assert response.status_code == 200
        assert patient.full_name in response.content.decode()


def test_another_clinic_a_patient_and_a_missing_id_get_404(
    other_clinician: Clinician, patient: Patient, other_patient: Patient, clinician: Clinician
) -> None:
    url = reverse("rehab:patient_detail", args=[patient.pk])
    assert client_for(other_clinician.user).get(url).status_code == 404
    assert client_for(patient.user).get(url).status_code == 404
    assert client_for(other_patient.user).get(url).status_code == 404
    missing = reverse("rehab:patient_detail", args=[patient.pk + 1000])
    assert client_for(clinician.user).get(missing).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "?tab=outcomes",
        "?tab=messages",
        "?tab=timeline",
        "?edit=risk",
        "?edit=criterion",
        "?tab=outcomes&edit=measurement",
    ],
)
def test_every_tab_and_form_is_the_clinics_only(
    *,
    clinician: Clinician,
    colleague: Clinician,
    other_clinician: Clinician,
    patient: Patient,
    other_patient: Patient,
    query: str,
) -> None:
    url = reverse("rehab:patient_detail", args=[patient.pk]) + query
    assert client_for(clinician.user).get(url).status_code == 200
    assert client_for(colleague.user).get(url).status_code == 200
    assert client_for(other_clinician.user).get(url).status_code == 404
    assert client_for(patient.user).get(url).status_code == 404
    assert client_for(other_patient.user).get(url).status_code == 404
    assert "/accounts/login/" in Client().get(url)["Location"]


def test_anonymous_users_are_sent_to_sign_in(patient: Patient) -> None:
    for name in ("rehab:patient_detail", "rehab:atrs_request", "rehab:measurement_create"):
        url = reverse(name, args=[patient.pk])
        response = Client().get(url) if name == "rehab:patient_detail" else Client().post(url)
        _login_redirect(response)


@pytest.mark.parametrize("name", ["rehab:atrs_request", "rehab:measurement_create"])
def test_post_actions_check_the_clinic(
    other_clinician: Clinician, patient: Patient, colleague: Clinician, name: str
) -> None:
    url = reverse(name, args=[patient.pk])
    data = _measurement() if name == "rehab:measurement_create" else {}
    assert client_for(other_clinician.user).post(url, data).status_code == 404
    assert client_for(patient.user).post(url, data).status_code == 404
    assert not AtrsRequest.objects.exists()
    assert not Measurement.objects.exists()
    assert client_for(colleague.user).post(url, data).status_code == 302
    assert client_for(colleague.user).get(url).status_code == 405


def _tab(client: Client, patient: Patient, tab: str, *, edit: str = "") -> str:
    """The patient page with its ``tab`` (and the form ``edit``) shown."""
    url = reverse("rehab:patient_detail", args=[patient.pk]) + f"?tab={tab}"
    response = client.get(url + (f"&edit={edit}" if edit else ""))
    assert response.status_code == 200
    return response.content.decode()


# --- what the page shows ---------------------------------------------------------------------------


def test_the_page_shows_details_plan_charts_alerts_and_messages(
    clinician: Clinician, patient: Patient
) -> None:
    plan, (first, _second) = _active_plan(patient)
    draft = factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT, name="Next draft")
    rx = factories.PrescriptionFactory(phase=first)
    day = patient.local_today()
    factories.ExerciseLogFactory(prescription=rx, date=day, pain=5)
    factories.CheckInFactory(patient=patient, date=day, pain_at_rest=3)
    factories.AtrsResponseFactory(patient=patient, date=day)
    factories.MeasurementFactory(patient=patient, date=day, calf_cm_injured=Decimal("35.0"))
    alert = factories.AlertFactory(patient=patient, message="Pain 8/10 reported on a log.")
    factories.AlertFactory(
        patient=patient,
        message="Old acknowledged alert",
        acknowledged_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        acknowledged_by=clinician.user,
    )
    start = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    for n in range(7):
        factories.MessageFactory(
            patient=patient, body=f"Message number {n}", created_at=start + dt.timedelta(hours=n)
        )
    client = client_for(clinician.user)
    html = _tab(client, patient, "plan")
    assert patient.get_pathway_display() in html
    assert "Operative plan v1" in html
    assert escape(f"Current phase: Stage 0 ({phase_week_range(first)})") in html
    assert "Next draft" in html
    assert html.count('role="img"') == 2  # adherence and pain
    assert "this week so far" in html  # the week with today in it: counted so far
    assert "Pain 8/10 reported on a log." in html
    assert "Old acknowledged alert" not in html
    outcomes = _tab(client, patient, "outcomes", edit="measurement")
    assert outcomes.count('role="img"') == 5  # ATRS, LSI, calf, and 2 against published cohorts
    # The messages tab shows the last 5 (the timeline lists every message by day).
    recent = _tab(client, patient, "messages")
    assert "Message number 1" not in recent
    assert all(f"Message number {n}" in recent for n in range(2, 7))
    assert "Message number 1" in _tab(client, patient, "timeline")
    assert f'action="{reverse("rehab:atrs_request", args=[patient.pk])}"' in outcomes
    assert f'action="{reverse("rehab:measurement_create", args=[patient.pk])}"' in outcomes
    html += outcomes + recent
    for label in (
        "Single-leg heel rises, injured side (reps)",
        "Single-leg heel rises, other side (reps)",
        "Calf circumference, injured side (cm)",
        "Calf circumference, other side (cm)",
    ):
        assert f">{label}" in html or f"{label}\n" in html or label in html
    links = {
        "rehab:alert_acknowledge": (alert.pk,),
        "rehab:plan_builder": (plan.pk,),
        "rehab:patient_messages": (patient.pk,),
        "clinic:patient_edit": (patient.pk,),
    }
    for name, args in links.items():
        url = _url(name, *args)
        if url:
            assert url in html, name
    draft_url = _url("rehab:plan_builder", draft.pk)
    if draft_url:
        assert draft_url in html
    assert " style=" not in html


def test_the_plan_tabs_adherence_owes_nothing_for_today_before_it_is_over() -> None:
    """Every session done up to yesterday, today's not yet: the badge says 100 %, as the
    patient list, the exit criteria and the patient's own progress judge it."""
    scene = daily_plan(started_days_ago=6, prescribed_days_ago=6)
    for days_ago in range(1, 7):
        factories.ExerciseLogFactory(
            prescription=scene.rx, date=scene.today - dt.timedelta(days=days_ago)
        )
    response = client_for(scene.clinician.user).get(
        reverse("rehab:patient_detail", args=[scene.patient.pk]) + "?tab=plan"
    )
    adherence = response.context["adherence"]
    assert (adherence.done, adherence.expected, adherence.percent) == (6, 6, 100)


def test_without_a_plan_the_page_offers_to_create_one(
    clinician: Clinician, patient: Patient
) -> None:
    client = client_for(clinician.user)
    html = _tab(client, patient, "plan")
    outcomes = _tab(client, patient, "outcomes")
    # The empty state says what to do, with the action beside it.
    assert "No active plan — create one" in html
    assert "No exercises prescribed yet — create a plan" in html
    assert "No ATRS yet — ask for it" in outcomes
    assert "No measurements yet — record the first one below." in outcomes
    assert "edit=measurement#measurement-form" in outcomes  # its button
    create_url = _url("rehab:plan_create", patient.pk)
    if create_url:
        assert create_url in html


def test_the_invite_button_shows_until_the_patient_has_an_account(
    clinician: Clinician,
) -> None:
    patient = factories.PatientFactory(clinic=clinician.clinic, user=None)
    invite_url = _url("clinic:patient_invite", patient.pk)
    html = (
        client_for(clinician.user)
        .get(reverse("rehab:patient_detail", args=[patient.pk]))
        .content.decode()
    )
    assert "Not yet" in html
    if invite_url:
        assert f'action="{invite_url}"' in html


def _grow(patient: Patient, phases: list[PlanPhase], n: int, *, offset: int = 0) -> None:
    day = patient.local_today()
    for i in range(offset, offset + n):
        rx = factories.PrescriptionFactory(phase=phases[0])
        factories.PrescriptionFactory(phase=phases[1])
        for back in range(3):
            factories.ExerciseLogFactory(prescription=rx, date=day - dt.timedelta(days=back + i))
        factories.CheckInFactory(patient=patient, date=day - dt.timedelta(days=40 + i))
        factories.AtrsResponseFactory(patient=patient, date=day - dt.timedelta(days=i))
        factories.MeasurementFactory(patient=patient, date=day - dt.timedelta(days=i))
        factories.AlertFactory(patient=patient)
        factories.MessageFactory(patient=patient)
        factories.PlanFactory(patient=patient, status=Plan.Status.DRAFT)
        factories.PlanPhaseFactory(plan=phases[0].plan, order=10 + i)


# Queries of each tab, whatever the size of the plan and the history. Every tab: session,
# user, clinician, patient (+ clinic, user); plans (+ current phase); the active plan's phase
# changes (the phase in force today); open alerts (the plan tab lists them, + what they report
# when they do: check-ins, logs, prescriptions, exercises; none here; the other tabs count
# them); the navigation's counts (rehab_desk: open alerts,
# unread messages); +1 audit event. Then the plan tab: the logs counted per prescription and
# day (adherence's and the pain chart's); adherence of the active plan (prescriptions, red
# flags' pauses; its phase changes are read); pain at rest (check-ins; the exit criteria's pain
# reuses the pain read); the current phase's criteria (+ measurements and ATRS when a
# criterion needs them); the reminder settings (notify).
# Outcomes: measurements, ATRS, open ATRS request, the pathway's published reference points.
# Messages: the last messages (+ authors). Timeline: the days with entries and what each holds,
# then the rows of the page's days from each source they hold: logs, check-ins, ATRS,
# measurements, messages and phase changes (7 at most; a source with nothing there is not read).
TAB_QUERIES = {"plan": 15, "outcomes": 13, "messages": 10, "timeline": 16}


@pytest.mark.parametrize("tab", TAB_QUERIES)
def test_query_count_is_constant_as_the_plan_and_history_grow(
    clinician: Clinician, patient: Patient, tab: str, django_assert_max_num_queries: Any
) -> None:
    _plan, phases = _active_plan(patient)
    url = reverse("rehab:patient_detail", args=[patient.pk]) + f"?tab={tab}"
    client = client_for(clinician.user)
    _grow(patient, phases, 2)
    with (
        django_assert_max_num_queries(TAB_QUERIES[tab]),
        CaptureQueriesContext(connection) as small,
    ):
        assert client.get(url).status_code == 200
    _grow(patient, phases, 18, offset=2)  # 10× the plan and the history
    with (
        django_assert_max_num_queries(TAB_QUERIES[tab]),
        CaptureQueriesContext(connection) as large,
    ):
        assert client.get(url).status_code == 200
    if tab == "timeline":
        # Its page of the longer history holds fewer kinds (no check-in or phase change in
        # its days): fewer sources read, never more.
        assert len(large) <= len(small)
    else:
        assert len(small) == len(large)


def test_a_risk_factor_reads_the_clinics_offsets_once(
    clinician: Clinician, patient: Patient, django_assert_max_num_queries: Any
) -> None:
    """The plan tab of a patient with a risk factor: the clinic's offsets once (+1), for the
    factors shown and the reasons they give, whatever the size of the plan."""
    Patient.objects.filter(pk=patient.pk).update(risk_diabetes=True, risk_smoking=True)
    _plan, phases = _active_plan(patient)
    url = reverse("rehab:patient_detail", args=[patient.pk]) + "?tab=plan"
    client = client_for(clinician.user)
    _grow(patient, phases, 2)
    with (
        django_assert_max_num_queries(TAB_QUERIES["plan"] + 1),
        CaptureQueriesContext(connection) as small,
    ):
        assert "Diabetes" in client.get(url).text
    _grow(patient, phases, 18, offset=2)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large)


# --- ask for the ATRS ------------------------------------------------------------------------------


def test_asking_for_the_atrs_creates_one_open_request(
    clinician: Clinician, patient: Patient
) -> None:
    client = client_for(clinician.user)
    url = reverse("rehab:atrs_request", args=[patient.pk])
    response = client.post(url, follow=True)
    outcomes = reverse("rehab:patient_detail", args=[patient.pk]) + "?tab=outcomes"
    assert response.redirect_chain == [(outcomes, 302)]  # back to where the ATRS is
    html = response.content.decode()
    assert "will be asked to fill in the ATRS" in html
    assert "not answered yet" in html
    client.post(url)
    request = AtrsRequest.objects.get()
    assert request.requested_by == clinician.user
    assert request.patient == patient
    # The patient sees it on Today.
    today = client_for(patient.user).get(reverse("rehab:today")).content.decode()
    assert "Your physiotherapist asks you to answer ten quick questions" in today


def test_asking_again_on_a_day_the_patient_answered_says_so(
    clinician: Clinician, patient: Patient
) -> None:
    # The day's answer answered the first request; a second request that day could never be
    # answered (one answer a day) and broke the patient's next submit with a 500.
    client = client_for(clinician.user)
    url = reverse("rehab:atrs_request", args=[patient.pk])
    client.post(url)
    items = {f"item_{n}": 5 for n in range(1, 11)}
    services.atrs_record(patient=patient, client_uuid=uuid.uuid4(), items=items)
    assert AtrsRequest.objects.get().response is not None
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "has filled in the ATRS today" in response.content.decode()
    assert AtrsRequest.objects.count() == 1


# --- record a measurement --------------------------------------------------------------------------


def test_recording_a_measurement(clinician: Clinician, patient: Patient) -> None:
    client = client_for(clinician.user)
    data = _measurement(date=patient.local_today().isoformat())
    response = client.post(reverse("rehab:measurement_create", args=[patient.pk]), data)
    assert response.status_code == 302
    client.post(reverse("rehab:measurement_create", args=[patient.pk]), data)  # double submit
    saved = Measurement.objects.get()
    assert saved.recorded_by == clinician.user
    assert saved.heel_rise_lsi == 25.0
    assert saved.calf_cm_injured == Decimal("34.5")
    assert saved.calf_cm_uninjured is None
    html = _tab(client, patient, "outcomes")
    assert "25 %" in html  # in the LSI chart's table


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (
            {
                "heel_rise_reps_injured": "",
                "heel_rise_reps_uninjured": "",
                "calf_cm_injured": "",
            },
            "__all__",
        ),
        ({"heel_rise_reps_injured": 201}, "heel_rise_reps_injured"),
        ({"calf_cm_injured": "9"}, "calf_cm_injured"),
        ({"calf_cm_uninjured": "81"}, "calf_cm_uninjured"),
        ({"calf_cm_injured": "34.55"}, "calf_cm_injured"),
        ({"date": "2999-01-01"}, "date"),
        ({"date": "0001-01-01"}, "date"),  # before the injury (core.dates)
        ({"date": "yesterday"}, "date"),
        ({"client_uuid": "x"}, "client_uuid"),
    ],
)
def test_bad_measurements_show_errors_and_save_nothing(
    clinician: Clinician, patient: Patient, extra: dict[str, Any], field: str
) -> None:
    data = {**_measurement(), **extra}
    response = client_for(clinician.user).post(
        reverse("rehab:measurement_create", args=[patient.pk]), data
    )
    assert response.status_code == 400
    assert response.context["measurement_form"].errors[field]
    assert "Not saved" in response.content.decode()
    assert not Measurement.objects.exists()


def test_the_header_says_who_where_and_what_is_open(clinician: Clinician, patient: Patient) -> None:
    _plan, (first, _second) = _active_plan(patient)
    factories.AlertFactory(patient=patient, message="Pain 8/10 reported on a log.")
    html = client_for(clinician.user).get(reverse("rehab:patient_detail", args=[patient.pk])).text
    header = html[
        html.index('class="patient-header') : html.index(
            "</header>", html.index('class="patient-header')
        )
    ]
    assert patient.full_name in header
    assert patient.get_pathway_display() in header
    assert f"week {patient.week_on(patient.local_today())}" in header
    assert f"phase: {first.name}" in header
    assert "Active" in header
    assert "1 open alert" in header
    # Primary and secondary actions look like what they are.
    assert 'class="btn btn-primary"' in header
    assert 'class="btn btn-outline-primary"' in header
    assert "btn-outline-secondary" not in html


@pytest.mark.parametrize("tab", ["outcomes", "messages", "timeline"])
def test_the_other_tabs_count_the_open_alerts_without_reading_what_they_report(
    clinician: Clinician, patient: Patient, tab: str
) -> None:
    """The header shows how many alerts are open; only the plan tab lists them with what was
    reported (a check-in, a log of an exercise), so the other tabs do not read those."""
    _plan, (first, _second) = _active_plan(patient)
    log = factories.ExerciseLogFactory(prescription=factories.PrescriptionFactory(phase=first))
    checkin = factories.CheckInFactory(patient=patient, date=patient.local_today())
    factories.AlertFactory(patient=patient, log=log)
    factories.AlertFactory(patient=patient, checkin=checkin, kind="red_flag")
    url = reverse("rehab:patient_detail", args=[patient.pk]) + f"?tab={tab}"
    client = client_for(clinician.user)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).text
    assert "2 open alerts" in html
    reads = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in reads if 'FROM "rehab_alert"' in sql and "COUNT(" not in sql]
    if tab != "timeline":  # the timeline reads the day's logs and check-ins for itself
        assert not [sql for sql in reads if 'FROM "rehab_checkin"' in sql]
        assert not [sql for sql in reads if 'FROM "rehab_exerciselog"' in sql]


@pytest.mark.parametrize(
    ("query", "tab"),
    [
        ("", "plan"),
        ("?tab=outcomes", "outcomes"),
        ("?tab=messages", "messages"),
        ("?tab=timeline", "timeline"),
        ("?timeline_page=1", "timeline"),
        ("?tab=nonsense", "plan"),
    ],
)
def test_the_sections_are_tabs(
    clinician: Clinician, patient: Patient, query: str, tab: str
) -> None:
    html = (
        client_for(clinician.user)
        .get(reverse("rehab:patient_detail", args=[patient.pk]) + query)
        .text
    )
    for key in ("plan", "outcomes", "messages", "timeline"):
        assert f'href="?tab={key}"' in html  # each section has its own address
        # and only the chosen one is on the page (the others are not read)
        assert (f'id="pane-{key}"' in html) == (key == tab)
    assert re.search(rf'id="tab-{tab}"[^>]*aria-current="page"', html)


# --- the session's measurements (heel-rise height, ATRA, knee-to-wall, toe walk) -------------


def _session(**extra: Any) -> dict[str, Any]:
    return {
        "client_uuid": str(uuid.uuid4()),
        "date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "heel_rise_reps_injured": "9",
        "heel_rise_reps_uninjured": "10",
        "heel_rise_height_cm_injured": "9.5",
        "heel_rise_height_cm_uninjured": "10.0",
        "atra_deg_injured": "-12",
        "atra_deg_uninjured": "-6",
        "knee_to_wall_cm_injured": "",
        "knee_to_wall_cm_uninjured": "",
        "calf_cm_injured": "",
        "calf_cm_uninjured": "",
        "toe_walk_5m": "true",
        "note": "",
        **extra,
    }


def test_recording_the_sessions_measurements(
    clinician: Clinician, colleague: Clinician, patient: Patient
) -> None:
    url = reverse("rehab:measurement_create", args=[patient.pk])
    data = _session()
    assert client_for(colleague.user).post(url, data).status_code == 302
    assert client_for(colleague.user).post(url, data).status_code == 302  # double submit
    saved = Measurement.objects.get()
    assert saved.heel_rise_height_lsi == 95.0
    assert saved.heel_rise_lsi == 90.0
    assert saved.relative_atra == 6.0
    assert saved.toe_walk_5m is True
    assert saved.knee_to_wall_cm_injured is None
    text = _tab(client_for(clinician.user), patient, "outcomes")
    assert "LSI: 95.0 %" in text
    assert "Relative ATRA: 6.0 °" in text
    assert "patient can record at home" in text


def test_the_session_form_is_refused_to_others(
    other_clinician: Clinician, patient: Patient
) -> None:
    url = reverse("rehab:measurement_create", args=[patient.pk])
    assert client_for(other_clinician.user).post(url, _session()).status_code == 404
    assert client_for(patient.user).post(url, _session()).status_code == 404
    _login_redirect(Client().post(url, _session()))
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"atra_deg_injured": "120"}, "atra_deg_injured", "90"),
        ({"heel_rise_reps_injured": "-3"}, "heel_rise_reps_injured", "0"),
        ({"calf_cm_injured": "0"}, "calf_cm_injured", "10"),
        (
            {"heel_rise_height_cm_injured": "25", "heel_rise_height_cm_uninjured": "10"},
            "heel_rise_height_cm_injured",
            "more than twice",
        ),
    ],
)
def test_impossible_session_values_are_refused_and_nothing_is_lost(
    clinician: Clinician, patient: Patient, extra: dict[str, Any], field: str, words: str
) -> None:
    url = reverse("rehab:measurement_create", args=[patient.pk])
    response = client_for(clinician.user).post(url, _session(**extra))
    assert response.status_code == 400
    form = response.context["measurement_form"]
    assert words in " ".join(form.errors[field])
    assert form["note"].value() == ""
    assert form["atra_deg_uninjured"].value() == "-6"  # what was typed is kept
    assert not Measurement.objects.exists()


# --- forms shown when asked for ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("tab", "edit", "action"),
    [
        ("plan", "risk", "rehab:risk_update"),
        ("outcomes", "measurement", "rehab:measurement_create"),
    ],
)
def test_a_form_is_rendered_when_asked_for_and_a_link_otherwise(
    clinician: Clinician, patient: Patient, tab: str, edit: str, action: str
) -> None:
    client = client_for(clinician.user)
    form_action = f'action="{reverse(action, args=[patient.pk])}"'
    assert form_action not in _tab(client, patient, tab)
    assert f"edit={edit}#" in _tab(client, patient, tab)  # the link that opens it
    assert form_action in _tab(client, patient, tab, edit=edit)


def test_the_criterion_form_is_rendered_when_asked_for(
    clinician: Clinician, patient: Patient
) -> None:
    _plan, (first, _second) = _active_plan(patient)
    client = client_for(clinician.user)
    form_action = f'action="{reverse("rehab:criterion_add", args=[first.pk])}"'
    html = _tab(client, patient, "plan")
    assert form_action not in html
    assert "?edit=criterion#criteria" in html
    assert form_action in _tab(client, patient, "plan", edit="criterion")


def test_the_published_points_under_a_recovery_chart_are_in_week_order(
    clinician: Clinician,
) -> None:
    # The non-operative ATRS cohort has points at weeks 8, 26, 39 and 52 and a healthy ceiling.
    # Sorted by their label, "week 8" came after "week 52"; a clinician reads them by week, the
    # healthy ceiling (no week) last.
    injury = dt.date.today() - dt.timedelta(weeks=10)
    patient = factories.PatientFactory.create(
        clinic=clinician.clinic, pathway="non_operative", injury_date=injury, surgery_date=None
    )
    html = _tab(client_for(clinician.user), patient, "outcomes")
    start = html.index("<caption>ATRS against published cohorts")
    table = html[start : html.index("</table>", start)]
    heads = re.findall(r'<th scope="row">([^<]+)</th>', table)
    weeks = [int(h.removeprefix("week ")) for h in heads if h.startswith("week ")]
    assert len(weeks) >= 4
    assert 8 in weeks
    assert weeks == sorted(weeks)
    assert heads[-1] == "healthy"


def test_a_chart_with_one_measurement_says_one_value(
    clinician: Clinician, patient: Patient
) -> None:
    # The chart's text summary (read by a screen reader, and shown under the chart) counts its
    # values: "1 value", not "1 values".
    factories.MeasurementFactory.create(patient=patient)
    html = _tab(client_for(clinician.user), patient, "outcomes")
    assert "1 values" not in html
    assert re.search(r": 1 value, latest 40 %", html)


def test_a_recorded_value_under_a_recovery_chart_has_a_readable_date(clinician: Clinician) -> None:
    # The table under "Heel-rise LSI against published cohorts" said "recorded 2026-12-06"
    # beside "6 Dec" everywhere else on the page: the date as the page writes dates.
    injury = dt.date.today() - dt.timedelta(weeks=10)
    patient = factories.PatientFactory.create(
        clinic=clinician.clinic, pathway="non_operative", injury_date=injury, surgery_date=None
    )
    measured = factories.MeasurementFactory.create(patient=patient)
    html = _tab(client_for(clinician.user), patient, "outcomes")
    assert f"recorded {measured.date.isoformat()}" not in html
    assert f"recorded {measured.date.day} {measured.date:%b %Y}" in html


def test_the_risk_reasons_are_listed_without_a_space_before_each_semicolon(
    clinician: Clinician, patient: Patient
) -> None:
    patient.risk_rerupture_or_revision = True
    patient.risk_augmentation = True
    patient.risk_insertional_or_anchor = True
    patient.save()
    html = client_for(clinician.user).get(reverse("rehab:patient_detail", args=[patient.pk])).text
    start = html.index("is moved later by:")
    reasons = " ".join(html[start : html.index("</p>", start)].split())
    assert ";" in reasons  # more than one reason
    assert " ;" not in reasons
