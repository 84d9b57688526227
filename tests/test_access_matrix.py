"""Every URL pattern of the project × seven actors: who gets what (issue 7, item 7).

The patterns come from the URL resolver itself (namespaces, the admin, the API), so a new page
cannot ship without a rule in ``tests/access_matrix_rules.py``: an unknown pattern fails with
"add a rule for …". Each pattern's route parameters are filled with ids of one scenario (two
clinics; clinic A's first patient with a plan, phase, prescription, log, check-in, ATRS,
measurement, alert, message; an invitation; knox tokens), built once for the module. Pages are
requested with a session (``force_login``), the API with knox tokens. Every request runs in a
savepoint that is rolled back, so writes (POST-only endpoints get an empty POST too) leave the
scenario as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from knox.models import AuthToken

from clinic.models import Clinic, User
from clinic.services import invitations as invitation_services
from core.ids import opaque
from notify import tokens as notify_tokens
from notify.models import Notification
from rehab.models import (
    AtrsRequest,
    CriterionJudgement,
    PhaseChange,
    PlanCriterion,
    ProposalDismissal,
    ProtocolCriterion,
    ReferencePoint,
)
from rehab.services import protocols as template_services
from tests import factories
from tests.access_matrix_rules import ACTORS, ADMIN_LOGIN, LOGIN, RULES, Actor, Expect, Rule

# --- The URL patterns, from the resolver -----------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str
    """``namespace:name``, or the joined route for unnamed patterns."""
    route: str
    """The full route, as the resolver joins it (``ResolverMatch.route``)."""


def _join(route1: str, route2: str) -> str:
    """As ``URLResolver._join_route``: a regex part's leading ``^`` is dropped."""
    if not route1:
        return route2
    return route1 + route2.removeprefix("^")


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespaces: tuple[str, ...]
) -> Iterator[Pattern]:
    for entry in patterns:
        route = _join(prefix, str(entry.pattern))
        if isinstance(entry, URLResolver):
            more = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, route, more)
        elif entry.name:
            yield Pattern(":".join((*namespaces, entry.name)), route)
        else:
            yield Pattern(route, route)


def url_patterns() -> list[Pattern]:
    """Every pattern once (a shadowed duplicate, like ``accounts/login/``, is one pattern)."""
    seen: dict[str, Pattern] = {}
    for pattern in _walk(get_resolver().url_patterns, "", ()):
        seen.setdefault(pattern.key, pattern)
    return list(seen.values())


PATTERNS = url_patterns()

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def concrete_path(pattern: Pattern, rule: Rule, scenario: Scenario) -> str:
    if rule.path is not None:
        return rule.path
    values = scenario.params.get(rule.obj or "", {})

    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2) or match.group(3)
        if name not in values:
            raise AssertionError(
                f"{pattern.key}: no value for route parameter {name!r} (obj={rule.obj!r})"
            )
        # A row id in a page's address is written in its opaque form (core.ids).
        return opaque(int(values[name])) if converter == "opaque" else values[name]

    return "/" + _PARAM.sub(fill, pattern.route).replace("^", "").replace("$", "")


# --- The scenario ----------------------------------------------------------------------------

LEAK_MARKER = "Qxleakmarker"
"""In the first patient's name, message and clinic A's own exercise: a page or API answer
that shows it to the other patient or the other clinic's clinician leaks the first patient's
(or clinic's) data, whatever its status."""
LEAK_WATCHERS: tuple[Actor, ...] = ("other_patient", "other_clinician")


@dataclass
class Scenario:
    users: dict[Actor, User | None]
    tokens: dict[Actor, str]
    params: dict[str, dict[str, str]]


def _ids(obj: Any) -> dict[str, str]:
    return {"pk": str(obj.pk), "patient_pk": str(obj.pk)}


def _build_scenario() -> Scenario:
    clinic: Clinic = factories.ClinicFactory.create()
    clinician = factories.ClinicianFactory.create(clinic=clinic)
    clinic_admin = factories.ClinicAdminFactory.create(clinic=clinic)
    other_clinician = factories.ClinicianFactory.create()
    patient = factories.PatientFactory.create(clinic=clinic, last_name=LEAK_MARKER)
    other_patient = factories.PatientFactory.create(clinic=clinic)
    invited = factories.PatientFactory.create(clinic=clinic, user=None, email="invitee@example.org")
    staff = factories.StaffFactory.create()

    # Clinic A's own exercise and protocol: the other clinic must not reach them.
    exercise = factories.ExerciseFactory.create(clinic=clinic, name=f"Own {LEAK_MARKER}")
    protocol = factories.ProtocolFactory.create(clinic=clinic)
    protocol_phase = factories.ProtocolPhaseFactory.create(protocol=protocol)
    factories.ProtocolItemFactory.create(phase=protocol_phase, exercise=exercise)
    plan = factories.PlanFactory.create(patient=patient)
    phase = factories.PlanPhaseFactory.create(plan=plan, order=1)
    second_phase = factories.PlanPhaseFactory.create(plan=plan, order=2, start_week=53, end_week=60)
    plan.current_phase = phase
    plan.save(update_fields=["current_phase"])
    prescription = factories.PrescriptionFactory.create(phase=phase, exercise=exercise)
    exercise_media = factories.ExerciseMediaFactory.create(exercise=exercise)
    prescription_media = factories.PrescriptionMediaFactory.create(prescription=prescription)
    draft_protocol = template_services.template_draft(protocol=protocol, created_by=None)
    draft_phase = draft_protocol.phases.get()
    draft_item = draft_phase.items.get()
    log = factories.ExerciseLogFactory.create(prescription=prescription)
    checkin = factories.CheckInFactory.create(patient=patient)
    atrs = factories.AtrsResponseFactory.create(patient=patient)
    atrs_request = AtrsRequest.objects.create(patient=patient, requested_by=clinician.user)
    measurement = factories.MeasurementFactory.create(patient=patient)
    criterion = PlanCriterion.objects.create(phase=phase, kind="clinician", label="Matrix")
    template_criterion = ProtocolCriterion.objects.create(
        phase=protocol_phase, kind="clinician", order=99, label="Matrix"
    )
    dismissal = ProposalDismissal.objects.create(phase=phase, note="Matrix")
    judgement = CriterionJudgement.objects.create(
        plan=plan, criterion=criterion, criterion_text="Matrix", met=True
    )
    reference_point = ReferencePoint.objects.order_by("pk").first()
    alert = factories.AlertFactory.create(patient=patient)
    message = factories.MessageFactory.create(patient=patient, body=f"Private {LEAK_MARKER}")
    phase_change = PhaseChange.objects.create(
        plan=plan,
        from_phase=phase,
        to_phase=second_phase,
        changed_by=clinician.user,
        effective_on=timezone.localdate(),
    )
    equipment = factories.EquipmentFactory.create()
    reset_user = factories.UserFactory.create()  # never signs in: its reset link stays valid
    access_event = apps.get_model("audit", "AccessEvent").objects.create(
        actor=clinician.user, patient=patient, action="read", what="matrix"
    )
    group = Group.objects.create(name="Matrix group")
    notification = Notification.objects.create(
        key="matrix", kind="alert", channel="email", email="a@example.org", patient=patient
    )
    task_result = apps.get_model("django_tasks_database", "DBTaskResult").objects.first()
    invitation, invitation_token = invitation_services.invitation_create(
        patient=invited, created_by=clinician.user
    )

    sign_in = {
        "user_agent": "matrix",
        "ip_address": "192.0.2.1",  # TEST-NET-1: locks no one out
        "username": "matrix@example.org",
        "http_accept": "*/*",
        "path_info": "/accounts/login/",
    }
    access_attempt = apps.get_model("axes", "AccessAttempt").objects.create(
        **sign_in, get_data="", post_data="", failures_since_start=1
    )
    access_log = apps.get_model("axes", "AccessLog").objects.create(**sign_in)
    access_failure = apps.get_model("axes", "AccessFailureLog").objects.create(**sign_in)

    users: dict[Actor, User | None] = {
        "anonymous": None,
        "patient": patient.user,
        "other_patient": other_patient.user,
        "clinician": clinician.user,
        "other_clinician": other_clinician.user,
        "clinic_admin": clinic_admin.user,
        "staff": staff,
    }
    tokens: dict[Actor, str] = {}
    knox_tokens: dict[Actor, AuthToken] = {}
    for actor, user in users.items():
        if user is not None:
            knox_tokens[actor], tokens[actor] = AuthToken.objects.create(user=user)

    admin_objects: dict[str, Any] = {
        "auth.group": group,
        "knox.authtoken": knox_tokens["patient"],
        "clinic.user": patient.user,
        "clinic.clinic": clinic,
        "clinic.clinician": clinician,
        "clinic.patient": patient,
        "clinic.invitation": invitation,
        "clinic.message": message,
        "rehab.equipment": equipment,
        "rehab.exercise": exercise,
        "rehab.protocol": protocol,
        "rehab.protocolphase": protocol_phase,
        "rehab.plan": plan,
        "rehab.prescription": prescription,
        "rehab.phasechange": phase_change,
        "rehab.exerciselog": log,
        "rehab.checkin": checkin,
        "rehab.atrsresponse": atrs,
        "rehab.atrsrequest": atrs_request,
        "rehab.measurement": measurement,
        "rehab.alert": alert,
        "rehab.protocolcriterion": template_criterion,
        "rehab.plancriterion": criterion,
        "rehab.proposaldismissal": dismissal,
        "rehab.criterionjudgement": judgement,
        "rehab.referencepoint": reference_point,
        "audit.accessevent": access_event,
        "notify.notification": notification,
        "django_tasks_database.dbtaskresult": task_result,
        "axes.accessattempt": access_attempt,
        "axes.accesslog": access_log,
        "axes.accessfailurelog": access_failure,
    }
    params: dict[str, dict[str, str]] = {
        "patient": _ids(patient),
        "invited_patient": _ids(invited),
        "plan": _ids(plan),
        "phase": _ids(phase),
        "plan_phase": {"pk": str(plan.pk), "phase_pk": str(phase.pk)},
        "prescription": _ids(prescription),
        "log": _ids(log),
        "checkin": _ids(checkin),
        "atrs": _ids(atrs),
        "measurement": _ids(measurement),
        "criterion": _ids(criterion),
        "alert": _ids(alert),
        "exercise": _ids(exercise),
        "exercise_media": {"pk": str(exercise.pk), "key": str(exercise_media.key)},
        "prescription_media": {"pk": str(prescription.pk), "key": str(prescription_media.key)},
        "protocol": _ids(protocol),
        "draft_protocol": _ids(draft_protocol),
        "draft_phase": _ids(draft_phase),
        "draft_item": _ids(draft_item),
        "team_member": _ids(clinician),
        "token": {"token_key": knox_tokens["patient"].token_key},
        "invitation_token": {"token": invitation_token},
        "unsubscribe_token": {
            "token": notify_tokens.make(
                notify_tokens.Unsubscribe(
                    topic=notify_tokens.Topic.REMINDERS, user_id=patient.user.pk
                )
            )
        },
        "password_reset": {
            "uidb64": urlsafe_base64_encode(force_bytes(reset_user.pk)),
            "token": default_token_generator.make_token(reset_user),
        },
        "view_on_site": {
            "content_type_id": str(ContentType.objects.get_for_model(patient).pk),
            "object_id": str(patient.pk),
        },
        "app_label": {"app_label": "rehab"},
        **{
            f"admin:{label}": {"object_id": str(obj.pk), "id": str(obj.pk)}
            for label, obj in admin_objects.items()
        },
    }
    for label, obj in admin_objects.items():
        assert apps.get_model(label) is type(obj), label
    return Scenario(users=users, tokens=tokens, params=params)


@pytest.fixture(scope="module")
def scenario(django_db_setup: None, django_db_blocker: Any) -> Iterator[Scenario]:
    """Built once for the module inside a transaction that is rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build_scenario()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- Checking one pattern for one actor ------------------------------------------------------


def _matches(response: HttpResponseBase, expect: Expect, path: str) -> bool:
    location = response.get("Location", "")
    if isinstance(expect, int):
        return response.status_code == expect
    if expect == LOGIN:
        return response.status_code == 302 and location.startswith("/accounts/login/?next=")
    if expect == ADMIN_LOGIN:
        return response.status_code == 302 and location.startswith("/admin/login/?next=")
    assert expect.startswith("->"), expect
    return response.status_code == 302 and location.startswith(expect[2:])


def _request(client: Client, method: str, path: str, headers: dict[str, str]) -> HttpResponseBase:
    """One request in a savepoint that is rolled back: the scenario stays as built. Writes
    have an empty body (JSON for the API, which parses nothing else)."""
    extra: dict[str, Any] = {}
    if method != "get" and path.startswith("/api/"):
        extra["content_type"] = "application/json"
    with transaction.atomic():
        response: HttpResponseBase = getattr(client, method)(path, headers=headers, **extra)
        transaction.set_rollback(True)
    return response


def _describe(response: HttpResponseBase) -> str:
    location = response.get("Location")
    return f"{response.status_code}" + (f" → {location}" if location else "")


def check(pattern: Pattern, actor: Actor, scenario: Scenario) -> None:
    rule = RULES.get(pattern.key)
    if rule is None:
        pytest.fail(
            f"add a rule for {pattern.key!r} (route {pattern.route!r}) to "
            "tests/access_matrix_rules.py"
        )
    path = concrete_path(pattern, rule, scenario)
    assert resolve(path).route == pattern.route, f"{path} does not resolve to {pattern.route}"

    client = Client(raise_request_exception=False)
    user = scenario.users[actor]
    if user is not None:
        client.force_login(user)
    headers: dict[str, str] = {}
    if path.startswith("/api/") and actor in scenario.tokens:
        headers["Authorization"] = f"Token {scenario.tokens[actor]}"

    problems: list[str] = []
    checks = [("get", rule.get)]
    if rule.write is not None:
        checks.append((rule.write_method, rule.write))
    for method, expected in checks:
        response = _request(client, method, path, headers)
        if response.status_code >= 500:
            problems.append(f"{method.upper()} {path}: {_describe(response)} (server error)")
        elif not any(_matches(response, expect, path) for expect in expected[actor]):
            problems.append(
                f"{method.upper()} {path}: got {_describe(response)}, "
                f"expected {' or '.join(map(str, expected[actor]))}"
            )
        if actor in LEAK_WATCHERS and LEAK_MARKER.encode() in getattr(response, "content", b""):
            problems.append(f"{method.upper()} {path}: shows the first patient's data")
    assert not problems, f"{pattern.key} as {actor}:\n" + "\n".join(problems)


def _cases() -> list[Any]:
    cases: list[Any] = []
    for pattern in PATTERNS:
        rule = RULES.get(pattern.key)
        for actor in ACTORS:
            marks: list[Any] = []
            if rule is not None and actor in rule.bugs:
                marks.append(pytest.mark.xfail(strict=True, reason=f"BUG: {rule.bugs[actor]}"))
            cases.append(pytest.param(pattern, actor, id=f"{pattern.key}|{actor}", marks=marks))
    return cases


@pytest.mark.django_db
@pytest.mark.parametrize(("pattern", "actor"), _cases())
def test_access(pattern: Pattern, actor: Actor, scenario: Scenario) -> None:
    check(pattern, actor, scenario)


def test_every_pattern_has_a_rule_and_every_rule_a_pattern() -> None:
    keys = {pattern.key for pattern in url_patterns()}
    missing = sorted(keys - RULES.keys())
    stale = sorted(RULES.keys() - keys)
    assert not missing, "add a rule for: " + ", ".join(missing)
    assert not stale, "remove the rules of patterns that are gone: " + ", ".join(stale)


def test_no_page_takes_a_row_number_in_its_address() -> None:
    """A page names a row by its opaque id (``<opaque:pk>``), never by its number (the API
    and the Django admin have their own rules)."""
    numbered = sorted(
        pattern.key
        for pattern in url_patterns()
        if "<int:" in pattern.route and not pattern.route.startswith(("api/", "admin/"))
    )
    assert not numbered, "use <opaque:…> in: " + ", ".join(numbered)
    assert any("<opaque:" in pattern.route for pattern in url_patterns())


def _numbered_path(pattern: Pattern, values: dict[str, str]) -> str:
    """The pattern's path with the row numbers where its opaque ids go."""
    return "/" + _PARAM.sub(lambda match: values[match.group(2) or match.group(3)], pattern.route)


@pytest.mark.django_db
def test_a_page_s_integer_address_is_not_found(scenario: Scenario) -> None:
    """Each page with a row in its address, asked for with the row's number in place of its
    opaque id, is not found (for a clinic admin, who may see every one of them)."""
    client = Client(raise_request_exception=False)
    client.force_login(scenario.users["clinic_admin"])
    checked = 0
    for pattern in url_patterns():
        rule = RULES.get(pattern.key)
        if "<opaque:" not in pattern.route or rule is None or rule.path is not None:
            continue
        numbered = _numbered_path(pattern, scenario.params.get(rule.obj or "", {}))
        assert _request(client, "get", numbered, {}).status_code == 404, numbered
        checked += 1
    assert checked > 40
