"""``python -m bench.pages``: every signed-in page's in-process cost, as a multiple of a trivial
signed-in view, with its query count, dearest first (``make bench-pages``).

Against the bench database (10× data: 10,000 patients × 90 days; ``--seed`` makes it, else
the data ``make bench`` left is used), with the production settings of ``make bench``
(``DEBUG=0``, Redis, the pool) but two-factor sign-in off (``MFA_REQUIRED=0``: the test
client's ``force_login`` cannot confirm a code) and static files' plain storage (no
``collectstatic``: no file is served here). Each page: ``--warmup`` requests, then
``--repeat`` requests timed one by one, each followed by a request of the trivial view
(``/bench/baseline/``, as the same person), so a busy machine slows both alike; the multiple
is the page's median over the trivial view's median. Its queries are counted on one more
request. ``PAGE_CACHE`` in the environment reaches the app as it is (before issue 15, with
Redis, repeated reads of an unchanged page were served from its page cache).

``PAGES`` lists every page; ``EXCLUDED`` every other URL name of the project, with the reason.
tests/bench/test_pages.py fails when a URL name is in neither, so a new page cannot hide.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import data, phone, report
from bench.data import say

PATIENT, CLINICIAN, CLINIC_ADMIN = "patient", "clinician", "clinic admin"
ACCOUNTS = {
    PATIENT: data.BENCH_PATIENT,
    CLINICIAN: data.THERAPISTS[0],
    CLINIC_ADMIN: data.CLINIC_ADMIN,
}


@dataclass(frozen=True)
class Page:
    """One signed-in page (or API read, or the tick): its URL name, who asks for it, and which
    discovered ids fill its URL's arguments (``{"pk": "patient"}``)."""

    name: str
    role: str
    kwargs: dict[str, str] = field(default_factory=dict)
    query: str = ""
    method: str = "GET"
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name + (f"?{self.query}" if self.query else "")


PAGES: tuple[Page, ...] = (
    # The patient's pages.
    Page("clinic:home", PATIENT, label="clinic:home (redirects to Today)"),
    Page("rehab:today", PATIENT),
    Page("rehab:my_plan", PATIENT),
    Page("rehab:progress", PATIENT),
    Page("rehab:checkin", PATIENT),
    Page("rehab:atrs", PATIENT),
    Page("rehab:my_messages", PATIENT),
    Page("notify:reminders", PATIENT),
    Page("rehab:my_export", PATIENT),
    Page("rehab:my_export_json", PATIENT),
    Page("audit:my_history", PATIENT),
    # Everyone's account pages (as the patient).
    Page("clinic:account", PATIENT),
    Page("clinic:sessions", PATIENT),
    Page("mfa:setup", PATIENT),
    Page("password_change", PATIENT),
    Page("password_change_done", PATIENT),
    # The clinician's pages.
    Page("rehab:dashboard", CLINICIAN),
    Page("rehab:patient_list", CLINICIAN),
    Page("rehab:patient_list", CLINICIAN, query="page=8"),
    Page("rehab:alerts", CLINICIAN),
    Page("rehab:alerts", CLINICIAN, query="show=acknowledged"),
    Page("rehab:patient_detail", CLINICIAN, {"pk": "patient"}),
    Page("rehab:patient_detail", CLINICIAN, {"pk": "patient"}, query="tab=outcomes"),
    Page("rehab:patient_detail", CLINICIAN, {"pk": "patient"}, query="tab=messages"),
    Page("rehab:patient_detail", CLINICIAN, {"pk": "patient"}, query="tab=timeline"),
    Page("rehab:patient_messages", CLINICIAN, {"pk": "patient"}),
    Page("rehab:plan_builder", CLINICIAN, {"pk": "plan"}),
    Page("rehab:plan_handout", CLINICIAN, {"pk": "plan"}),
    Page("rehab:plan_overview", CLINICIAN, {"pk": "plan"}),
    Page("rehab:plan_create", CLINICIAN, {"patient_pk": "patient"}),
    Page("rehab:library", CLINICIAN),
    Page("rehab:library_detail", CLINICIAN, {"pk": "exercise"}),
    Page("rehab:exercise_create", CLINICIAN),
    Page("rehab:template_list", CLINICIAN),
    Page("rehab:template_detail", CLINICIAN, {"pk": "protocol"}),
    Page("rehab:plan_save_as_template", CLINICIAN, {"pk": "plan"}),
    Page("clinic:patient_create", CLINICIAN),
    Page("clinic:patient_edit", CLINICIAN, {"pk": "patient"}),
    Page("notify:clinician_settings", CLINICIAN),
    # The clinic admin's pages.
    Page("rehab:patient_export", CLINIC_ADMIN, {"pk": "patient"}),
    Page("rehab:patient_export_json", CLINIC_ADMIN, {"pk": "patient"}),
    Page("rehab:patient_erase", CLINIC_ADMIN, {"pk": "patient"}),
    Page("audit:patient_history", CLINIC_ADMIN, {"pk": "patient"}),
    Page("clinic:clinic_settings", CLINIC_ADMIN),
    Page("clinic:team", CLINIC_ADMIN),
    Page("clinic:team_member", CLINIC_ADMIN, {"pk": "team_member"}),
    # The API's reads.
    Page("api:me", PATIENT),
    Page("api:me-today", PATIENT),
    Page("api:me-plan", PATIENT),
    Page("api:log-list", PATIENT),
    Page("api:log-detail", PATIENT, {"pk": "log"}),
    Page("api:checkin-list", PATIENT),
    Page("api:checkin-detail", PATIENT, {"pk": "checkin"}),
    Page("api:atrs-list", PATIENT),
    Page("api:atrs-detail", PATIENT, {"pk": "atrs"}),
    Page("api:measurement-list", PATIENT),
    Page("api:measurement-detail", PATIENT, {"pk": "measurement"}),
    Page("api:message-list", PATIENT),
    Page("api:plan-detail", PATIENT, {"pk": "plan"}),
    Page("api:devices", PATIENT),
    Page("api:patient-list", CLINICIAN),
    Page("api:patient-detail", CLINICIAN, {"pk": "patient"}),
    Page("api:plan-list", CLINICIAN),
    Page("api:alert-list", CLINICIAN),
    Page("api:proposals", CLINICIAN),
    Page("rehab:clinic_outcomes", CLINIC_ADMIN),
    Page("rehab:clinic_outcomes_csv", CLINIC_ADMIN),
    Page("rehab:risk_offsets", CLINIC_ADMIN),
    Page("api:reference-points", CLINICIAN),
    Page("api:outcomes", CLINIC_ADMIN),
    Page("api:alert-detail", CLINICIAN, {"pk": "alert"}),
    Page("api:exercise-list", CLINICIAN),
    Page("api:exercise-detail", CLINICIAN, {"pk": "exercise"}),
    Page("api:protocol-list", CLINICIAN),
    Page("api:protocol-detail", CLINICIAN, {"pk": "protocol"}),
    Page("api:schema", CLINICIAN),
    Page("api:docs", CLINICIAN),
    # The tick: as the Today page's script sends it (JSON to the API, as every API client
    # does), and as its form posts it without JavaScript (a redirect back to Today).
    Page("api:log-list", PATIENT, method="POST", label="tick (Today's script and the API)"),
    Page("rehab:log_create", PATIENT, method="POST", label="tick (form, without JavaScript)"),
)

POST_ONLY = "acts on POST only (GET answers 405 or redirects)"
EXCLUDED_NAMESPACES = {"admin": "Django's admin, for site staff: not one of the app's pages"}
EXCLUDED: dict[str, str] = {
    "login": "the sign-in page: anonymous (measured in the mix)",
    "logout": POST_ONLY,
    "password_reset": "anonymous: forgotten password",
    "password_reset_done": "anonymous: forgotten password",
    "password_reset_confirm": "anonymous: needs a reset link's token",
    "password_reset_complete": "anonymous: forgotten password",
    "clinic:health": "the load balancer's health check: anonymous, no page",
    "clinic:invitation_accept": "anonymous: needs an invitation's token",
    "notify:unsubscribe": "anonymous: an e-mail's signed unsubscribe link",
    "notify:service_worker": "the push service worker's script (a static file, no page)",
    "notify:manifest": "the installable app's manifest (a small JSON file, no page)",
    "notify:push_subscribe": POST_ONLY,
    "notify:push_unsubscribe": POST_ONLY,
    "mfa:verify": "only while a sign-in waits for its code (else a redirect)",
    "mfa:recovery_codes": POST_ONLY,
    "mfa:turn_off": POST_ONLY,
    "rehab:home_measurement": POST_ONLY + ": the progress page that holds its form is measured",
    "clinic:patient_discharge": POST_ONLY,
    "clinic:patient_archive": POST_ONLY,
    "clinic:patient_reactivate": POST_ONLY,
    "clinic:patient_invite": POST_ONLY,
    "clinic:session_end": POST_ONLY,
    "clinic:session_end_others": POST_ONLY,
    "rehab:alert_acknowledge": POST_ONLY,
    "rehab:atrs_request": POST_ONLY,
    "rehab:measurement_create": POST_ONLY,
    "rehab:criterion_add": POST_ONLY,
    "rehab:criterion_judge": POST_ONLY,
    "rehab:criterion_remove": POST_ONLY,
    "rehab:proposal_dismiss": POST_ONLY,
    "rehab:risk_update": POST_ONLY,
    "api:phase-criteria": (
        "one plan phase's criteria evaluated: the same selector the patient page runs "
        "(measured there)"
    ),
    "rehab:log_update": POST_ONLY + " (the form without JavaScript; the script's pain and "
    "effort, PATCH /api/v1/logs/<id>/: measured in the mix)",
    "rehab:log_undo": POST_ONLY + " (the form without JavaScript)",
    "rehab:plan_rename": POST_ONLY,
    "rehab:plan_activate": POST_ONLY,
    "rehab:plan_advance": POST_ONLY,
    "rehab:plan_back": POST_ONLY,
    "rehab:phase_add": POST_ONLY,
    "rehab:phase_edit": POST_ONLY,
    "rehab:phase_remove": POST_ONLY,
    "rehab:phase_move": POST_ONLY,
    "rehab:prescription_add": POST_ONLY,
    "rehab:prescription_edit": POST_ONLY,
    "rehab:prescription_remove": POST_ONLY,
    "rehab:prescription_move": POST_ONLY,
    "rehab:prescription_move_phase": POST_ONLY,
    "api:login": POST_ONLY + " (a device's sign-in)",
    "api:logout": POST_ONLY,
    "api:logoutall": POST_ONLY,
    "api:device": "DELETE only (revokes a device)",
    "api:message-read": POST_ONLY,
    "api:alert-acknowledge": POST_ONLY,
    "api:patient-discharge": POST_ONLY,
    "api:plan-activate": POST_ONLY,
    "api:plan-advance": POST_ONLY,
    # The clinical loop (issue 16 A): steps the bench data does not reach (measure them once it
    # has a paused plan and a phase change waiting for its reasons).
    "rehab:plan_resume": "a paused plan's review: no bench patient's plan is paused",
    "rehab:plan_phase_confirm": "the reasons asked before a phase change with early exercises",
    # A clinic's own exercises and templates, photos and videos, the team (issue 21).
    "rehab:exercise_edit": "a clinic's own exercise: the bench library is the shared one only",
    "rehab:exercise_history": "a clinic's own exercise: the bench library is the shared one only",
    "rehab:template_history": "a clinic's own template: the bench templates are shared ones",
    "rehab:media_file": "a photo's or video's bytes: the bench data has none",
    "rehab:media_thumbnail": "a photo's or video's bytes: the bench data has none",
    **dict.fromkeys(
        (
            "rehab:exercise_archive",
            "rehab:exercise_restore",
            "rehab:exercise_copy",
            "rehab:exercise_media_add",
            "rehab:exercise_media_remove",
            "rehab:prescription_media_add",
            "rehab:prescription_media_remove",
            "rehab:template_edit",
            "rehab:template_publish",
            "rehab:template_discard",
            "rehab:template_archive",
            "rehab:template_restore",
            "rehab:template_details",
            "rehab:template_phase_add",
            "rehab:template_phase_edit",
            "rehab:template_phase_remove",
            "rehab:template_item_add",
            "rehab:template_item_edit",
            "rehab:template_item_remove",
            "clinic:team_invite",
            "clinic:team_role",
            "clinic:team_deactivate",
            "clinic:team_reactivate",
            "clinic:team_reset_two_factor",
            "clinic:team_invite_again",
        ),
        POST_ONLY,
    ),
}


def url_names(patterns: Any, namespace: str = "") -> set[str]:
    """Every named URL of a URLconf's patterns, with its namespaces (``rehab:today``)."""
    from django.urls import URLResolver  # noqa: PLC0415

    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            prefix = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            names |= url_names(pattern.url_patterns, prefix)
        elif pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def unlisted(names: set[str]) -> tuple[set[str], set[str]]:
    """(URL names neither in PAGES nor excluded, names in PAGES or EXCLUDED that no longer
    exist)."""
    listed = {p.name for p in PAGES} | set(EXCLUDED)
    kept = {n for n in names if n.split(":", 1)[0] not in EXCLUDED_NAMESPACES}
    return kept - listed, listed - names


# --- Measuring ------------------------------------------------------------------------------


def discover_ids() -> dict[str, int]:
    """Ids for the pages' URLs: the bench patient's own rows, an alert of their clinic, and the
    library's first exercise and protocol (plain reads of stable tables)."""
    from django.db import connection  # noqa: PLC0415

    queries = {
        "patient": "SELECT p.id FROM clinic_patient p JOIN clinic_user u ON u.id = p.user_id "
        "WHERE u.email = %(email)s",
        "plan": "SELECT id FROM rehab_plan WHERE patient_id = %(patient)s AND status = 'active'",
        "log": "SELECT max(id) FROM rehab_exerciselog WHERE patient_id = %(patient)s",
        "checkin": "SELECT max(id) FROM rehab_checkin WHERE patient_id = %(patient)s",
        "atrs": "SELECT max(id) FROM rehab_atrsresponse WHERE patient_id = %(patient)s",
        "measurement": "SELECT max(id) FROM rehab_measurement WHERE patient_id = %(patient)s",
        "alert": "SELECT max(a.id) FROM rehab_alert a JOIN clinic_patient p "
        "ON p.id = a.patient_id WHERE p.clinic_id = "
        "(SELECT clinic_id FROM clinic_patient WHERE id = %(patient)s)",
        "exercise": "SELECT min(id) FROM rehab_exercise",
        "protocol": "SELECT min(id) FROM rehab_protocol",
        "team_member": "SELECT min(id) FROM clinic_clinician WHERE clinic_id = "
        "(SELECT clinic_id FROM clinic_patient WHERE id = %(patient)s)",
    }
    ids: dict[str, int] = {}
    with connection.cursor() as cursor:
        for key, sql in queries.items():
            cursor.execute(sql, {"email": data.BENCH_PATIENT, **ids})
            row = cursor.fetchone()
            if row and row[0] is not None:
                ids[key] = int(row[0])
    return ids


@dataclass
class Measured:
    status: int
    median_ms: float
    baseline_ms: float
    queries: int


def measure(
    request: Callable[[], Any], baseline: Callable[[], Any], *, repeat: int, warmup: int
) -> Measured:
    """The page's median and the trivial view's, interleaved; queries of one more request."""
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    for _ in range(warmup):
        request()
        baseline()
    page_ms, base_ms = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        request()
        page_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        baseline()
        base_ms.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        response = request()
    return Measured(
        status=int(response.status_code),
        median_ms=statistics.median(page_ms),
        baseline_ms=statistics.median(base_ms),
        queries=len(captured.captured_queries),
    )


def requester(page: Page, client: Any, ids: dict[str, int], today: str) -> Callable[[], Any]:
    """A function making the page's request once (a tick: a new client UUID each time; JSON
    to the API as Today's script sends it, or the card's form as a browser posts it)."""
    from django.urls import reverse  # noqa: PLC0415

    path = reverse(page.name, kwargs={k: ids[v] for k, v in page.kwargs.items()})
    if page.query:
        path += "?" + page.query
    if page.method == "GET":
        return lambda: client.get(path)
    due = phone.cards(client.get(reverse("rehab:today")).content.decode())
    card = due[0] if due else phone.Card(prescription="", sets=1, times=1, sessions=0)
    api = path.startswith("/api/")

    def tick() -> Any:
        key = str(uuid.uuid4())
        if api:
            request = phone.tick_request(
                phone.TickRoute(path, "", api=True), client_uuid=key, card=card, day=today, csrf=""
            )
        else:
            fields = {"client_uuid": key, "prescription": card.prescription}
            fields |= {"sets_done": str(card.sets), "date": today}
            request = phone.form_request(path, fields, csrf="")
        return client.generic(
            request.method,
            request.path,
            request.body,
            content_type=request.content_type,
            headers={k: v for k, v in request.headers.items() if k != "Content-Type"},
        )

    return tick


def run(repeat: int, warmup: int) -> list[report.PageCost]:
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.db.models import Max  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.urls import reverse  # noqa: PLC0415

    from rehab.models import ExerciseLog  # noqa: PLC0415

    ids = discover_ids()
    user_model = get_user_model()
    clients = {}
    for role, email in ACCOUNTS.items():
        clients[role] = Client(HTTP_HOST="127.0.0.1")
        clients[role].force_login(user_model.objects.get(email=email))
    today_page = clients[PATIENT].get(reverse("rehab:today")).content.decode()
    today = str(phone.today_config(today_page).get("today", ""))
    # The ticks timed here are taken back at the end, so that every run times the seeded Today
    # (its cards, and ``me/today``'s logs), not one with each earlier run's ticks on it.
    ticks = ExerciseLog.objects.filter(patient_id=ids["patient"])
    last_seeded = ticks.aggregate(last=Max("pk"))["last"] or 0
    costs = []
    for page in PAGES:
        client = clients[page.role]
        result = measure(
            requester(page, client, ids, today),
            functools.partial(client.get, "/bench/baseline/"),
            repeat=repeat,
            warmup=warmup,
        )
        say(f"  {page.title}: {result.median_ms:.1f} ms, {result.queries} queries")
        costs.append(
            report.PageCost(
                name=page.title,
                role=page.role,
                method=page.method,
                path=page.name,
                status=result.status,
                median_ms=result.median_ms,
                baseline_ms=result.baseline_ms,
                queries=result.queries,
            )
        )
    ticks.filter(pk__gt=last_seeded).delete()
    for client in clients.values():  # no session left behind: the next run's lists stay short
        client.logout()
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed requests a page (30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first (5)")
    parser.add_argument("--seed", action="store_true", help="make 10× data first")
    parser.add_argument("--json", default="", help="also write the results here")
    options = parser.parse_args()
    url = data.database_url()
    data.ensure_database(url)
    static_root = tempfile.mkdtemp(prefix="rehab-bench-pages-")  # stays empty
    env = {**data.environment(static_root), "MFA_REQUIRED": "0", "BENCH_PLAIN_STATIC": "1"}
    if options.seed or not data.count_patients(url):
        say("migrate, fixtures; seeding 10,000 patients × 90 days")
        data.manage(env, "migrate", "--noinput", "--skip-checks")
        data.manage(env, "loaddata", "library", "protocols", "--skip-checks")
        data.seed(env, patients=10_000, days=90, clinics=20)
    os.environ.update(env)
    import django  # noqa: PLC0415

    django.setup()
    load_start = data.machine_load()
    patients = data.count_patients(url)
    say(f"{patients:,} patients; {len(PAGES)} pages × {options.repeat} ({load_start})")
    costs = run(options.repeat, options.warmup)
    load_end = data.machine_load()
    page_cache = os.environ.get("PAGE_CACHE", "").strip() or "the app's default"
    print(  # noqa: T201
        f"\n# bench.pages: in-process cost at {patients:,} patients, PAGE_CACHE {page_cache}\n"
        f"Median of {options.repeat} after {options.warmup}, as a multiple of the trivial "
        f"signed-in view's median measured between them; machine: {load_start} at the start, "
        f"{load_end} at the end.\n\n{report.pages_table(costs)}\n"
    )
    if options.json:
        Path(options.json).write_text(
            json.dumps({"patients": patients, "pages": [asdict(c) for c in costs]}, indent=2)
        )


if __name__ == "__main__":
    main()
