"""The mixed workload: phones of patients and browsers of clinicians (Locust, started by run.py).

One Locust process per data size, these phases with the same users:

1. setup     every patient of the pool and every clinician signs in through the sign-in form
             (its own cookies: one phone or browser each). Reported apart.
2. baseline  every user requests ``/bench/baseline/`` (a trivial signed-in page) back to back.
3. mix       patients' visits and clinicians' rounds, below, back to back.
4. baseline  again, so a drift in the machine's load shows and averages out.

Each measured phase starts after a warm-up. Think times are written where a person would
pause, and multiplied by ``think_scale`` (0 by default: a capacity test keeps the server busy;
bench/README.md says why). What the phones were told was stored goes to the output file, and
run.py counts it in the database afterwards.

A patient's visit (one Locust task; a patient user takes its pool's patients in turn):
  1 in 50 visits  signs in afresh first (a new phone, an expired session)
  always          Today; each exercise card still open: a tick of all its sets (the
                  Today page's script's request: JSON to POST /api/v1/logs/, a new client
                  UUID), 1 in 20 sent twice (a phone that lost the answer), then pain and
                  effort for it (PATCH /api/v1/logs/<id>/); Today again
  30 %            progress          15 %  the whole plan         5 %  ATRS questionnaire
  50 %            the day's check-in (page, answer, page), once a day
  10 %            messages; a quarter of those write one (form, then the thread again)

A clinician's round (one task, chosen by weight): dashboard 2, a page of the patient list 2,
a patient's page 4 (then 30 % their plan in the builder, 20 % their messages, half of those
with a reply), alerts 1 (acknowledging the first open one, as htmx posts it).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import gevent
from locust import FastHttpUser, constant, events, task
from locust.contrib.fasthttp import FastHttpSession, ResponseContextManager
from locust.env import Environment

from bench import phone

CONFIG: dict[str, Any] = json.loads(os.environ.get("BENCH_LOCUST", "{}") or "{}")
THINK_SCALE = float(CONFIG.get("think_scale", 0))
MARK = "bench"  # in each check-in note and message body: the database count finds them by it


@dataclass
class Run:
    """The phase all users are in, and what the phones were told (for run.py's count)."""

    phase: str = "setup"
    ready: int = 0
    visits: int = 0
    patients: set[str] = field(default_factory=set)
    ticks: int = 0
    today_without_cards: int = 0
    resent_other_row: int = 0
    sent: dict[str, list[str]] = field(default_factory=dict)
    acknowledged: dict[str, list[str]] = field(default_factory=dict)
    feedback: dict[str, list[int]] = field(default_factory=dict)

    def wrote(self, kind: str, key: str, *, acknowledged: bool) -> None:
        self.sent.setdefault(kind, []).append(key)
        if acknowledged:
            self.acknowledged.setdefault(kind, []).append(key)

    def counters(self) -> dict[str, int]:
        return {
            "visits": self.visits,
            "patients": len(self.patients),
            "ticks": self.ticks,
            "today_without_cards": self.today_without_cards,
            "resent_other_row": self.resent_other_row,
        }

    def reset_counters(self) -> None:
        self.visits = self.ticks = self.today_without_cards = 0
        self.patients = set()


RUN = Run()


def think(low: float, high: float) -> None:
    if THINK_SCALE > 0:
        gevent.sleep(random.uniform(low, high) * THINK_SCALE)  # noqa: S311 (not crypto)


def call(
    http: FastHttpSession, method: str, path: str, name: str, expect: tuple[int, ...], **kwargs: Any
) -> ResponseContextManager | None:
    """One request, not following redirects (the caller does, as a browser would); its status
    must be one of ``expect``. Returns the answer, or None after recording a failure."""
    with http.request(
        method, path, name=name, catch_response=True, allow_redirects=False, **kwargs
    ) as response:
        if response.status_code in expect:
            response.success()
            return response
        why = getattr(response, "error", None) if not response.status_code else None
        response.failure(f"{response.status_code}, not {expect}" + (f": {why!r}" if why else ""))
        return None


class Browser:
    """One person's phone or browser: its own cookies, so its own session."""

    def __init__(self, user: FastHttpUser, email: str) -> None:
        self.user = user
        self.email = email
        self.http = self._new_session()
        self.checked_in = False

    def _new_session(self) -> FastHttpSession:
        return FastHttpSession(
            base_url=self.user.host,
            request_event=self.user.environment.events.request,
            user=self.user,
            network_timeout=60.0,  # as FastHttpUser's own; and never a silent retry
            connection_timeout=60.0,
            max_retries=0,
        )

    def get(self, path: str, name: str) -> str | None:
        answer = call(self.http, "GET", path, name, (200,))
        return None if answer is None else answer.text or ""

    def send(
        self, request: phone.Request, name: str, expect: tuple[int, ...]
    ) -> ResponseContextManager | None:
        return call(
            self.http,
            request.method,
            request.path,
            name,
            expect,
            data=request.body,
            headers=request.headers,
        )

    def sign_in(self, label: str) -> bool:
        """Through the sign-in form, with new cookies (a new phone, or a session that ended)."""
        self.http = self._new_session()
        page = self.get("/accounts/login/", f"{label}: sign-in page")
        if page is None:
            return False
        fields = {"username": self.email, "password": str(CONFIG["password"])}
        form = phone.form_request("/accounts/login/", fields, phone.csrf_token(page))
        return self.send(form, f"{label}: sign in", (302,)) is not None

    def baseline(self) -> None:
        self.get("/bench/baseline/", "baseline /bench/baseline/")


class PatientUser(FastHttpUser):
    """Phones of the pool's patients: each Locust user holds a share of the pool."""

    wait_time = constant(0)
    numbers: Iterator[int] = itertools.count()

    def on_start(self) -> None:
        users = users_in_run(self.environment) - len(CONFIG["clinicians"])
        share = CONFIG["pool"][next(PatientUser.numbers) :: max(users, 1)]
        self.phones = [Browser(self, email) for email in share]
        for one in self.phones:
            one.sign_in("setup")
        self.turn = itertools.cycle(self.phones)
        RUN.ready += 1

    @task
    def step(self) -> None:
        if not self.phones or RUN.phase in ("setup", "done"):
            gevent.sleep(0.05)
        elif RUN.phase == "baseline":
            next(self.turn).baseline()
        else:
            self.visit(next(self.turn))

    def visit(self, me: Browser) -> None:
        if random.random() < 1 / 50 and not me.sign_in("patient"):  # noqa: S311
            return
        page = me.get("/me/", "patient: Today")
        if page is None:
            return
        RUN.visits += 1
        RUN.patients.add(me.email)
        think(5, 15)
        cards = phone.cards(page)
        if not cards:
            RUN.today_without_cards += 1
        config = phone.today_config(page)
        route = phone.tick_route(config)
        csrf = phone.csrf_token(page)
        for card in (c for c in cards if c.open):
            think(60, 240)  # doing the exercise
            self.tick(me, route, card, str(config.get("today", "")), csrf)
        me.get("/me/", "patient: Today again")
        if random.random() < 0.30:  # noqa: S311
            think(10, 30)
            me.get("/me/progress/", "patient: progress")
        if random.random() < 0.15:  # noqa: S311
            think(10, 30)
            me.get("/me/plan/", "patient: plan")
        if random.random() < 0.05:  # noqa: S311
            think(10, 30)
            me.get("/me/atrs/", "patient: ATRS")
        if not me.checked_in and random.random() < 0.50:  # noqa: S311
            self.check_in(me)
        if random.random() < 0.10:  # noqa: S311
            self.messages(me)

    def tick(
        self, me: Browser, route: phone.TickRoute, card: phone.Card, day: str, csrf: str
    ) -> None:
        key = str(uuid.uuid4())
        request = phone.tick_request(route, client_uuid=key, card=card, day=day, csrf=csrf)
        stored = self.send_tick(me, request, "patient: tick")
        RUN.wrote("tick", key, acknowledged=stored is not None)
        if stored is None:
            return
        RUN.ticks += 1
        if random.random() < 1 / 20:  # noqa: S311 (the answer was lost: the phone sends it again)
            again = self.send_tick(me, request, "patient: tick sent again")
            if again is not None and again != stored:
                RUN.resent_other_row += 1
        think(3, 10)
        pain = 7 if random.random() < 0.02 else random.choice((0, 1, 1, 2, 2, 2, 3, 3, 4, 5))  # noqa: S311
        effort = random.randint(3, 7)  # noqa: S311
        feedback = phone.feedback_request(route, stored, pain=pain, effort=effort, csrf=csrf)
        if me.send(feedback, "patient: pain and effort", (200,)) is not None:
            RUN.feedback[key] = [pain, effort]

    def send_tick(self, me: Browser, request: phone.Request, name: str) -> str | None:
        """The stored tick's id, or None."""
        answer = me.send(request, name, (200, 201))
        if answer is None:
            return None
        stored = phone.stored_id(answer.text or "")
        if stored is None:
            answer.failure("no id in the answer")
        return stored

    def check_in(self, me: Browser) -> None:
        page = me.get("/me/check-in/", "patient: check-in page")
        if page is None:
            return
        think(20, 60)
        note = f"{MARK} {uuid.uuid4()}"
        fields = {
            "client_uuid": phone.hidden_value(page, "client_uuid") or str(uuid.uuid4()),
            "pain_at_rest": str(random.choice((0, 1, 1, 2, 2, 3))),  # noqa: S311
            "swelling": random.choice(("none", "mild", "mild", "moderate")),  # noqa: S311
            "note": note,
        }
        form = phone.form_request("/me/check-in/", fields, phone.csrf_token(page))
        answer = me.send(form, "patient: check-in", (302,))
        RUN.wrote("check-in", note, acknowledged=answer is not None)
        if answer is not None:
            me.checked_in = True
            me.get("/me/check-in/", "patient: check-in page")

    def messages(self, me: Browser) -> None:
        page = me.get("/me/messages/", "patient: messages")
        if page is None or random.random() >= 0.25:  # noqa: S311
            return
        think(30, 90)
        body = f"Is it normal that my calf feels tight in the morning? ({MARK} {uuid.uuid4()})"
        form = phone.form_request("/me/messages/", {"body": body}, phone.csrf_token(page))
        answer = me.send(form, "patient: write a message", (302,))
        RUN.wrote("message", body, acknowledged=answer is not None)
        if answer is not None:
            me.get("/me/messages/", "patient: messages")


class ClinicianUser(FastHttpUser):
    """Browsers of the first clinic's therapists."""

    fixed_count = len(CONFIG.get("clinicians", ()))
    wait_time = constant(0)
    numbers: Iterator[int] = itertools.count()

    def on_start(self) -> None:
        self.me = Browser(self, CONFIG["clinicians"][next(ClinicianUser.numbers)])
        self.me.sign_in("setup")
        self.patients: list[str] = []
        self.list_pages = 1
        RUN.ready += 1

    def busy(self) -> bool:
        """Whether a round of the mix may go ahead (else: the baseline, or waiting)."""
        if RUN.phase == "baseline":
            self.me.baseline()
            return False
        if RUN.phase != "mix":
            gevent.sleep(0.05)
            return False
        return True

    @task(2)
    def dashboard(self) -> None:
        if self.busy():
            self.me.get("/clinic/", "clinician: dashboard")
            think(20, 60)

    @task(2)
    def patient_list(self) -> None:
        if not self.busy():
            return
        number = random.randint(1, self.list_pages)  # noqa: S311
        page = self.me.get(f"/clinic/patients/?page={number}", "clinician: patient list page")
        if page is not None:
            self.patients = phone.ids(page, "/clinic/patients/{id}/") or self.patients
            self.list_pages = max([self.list_pages, *phone.page_numbers(page)])
        think(10, 30)

    @task(4)
    def patient_page(self) -> None:
        if not self.busy():
            return
        if not self.patients:
            self.patient_list()
            return
        pk = random.choice(self.patients)  # noqa: S311
        page = self.me.get(f"/clinic/patients/{pk}/", "clinician: patient page")
        if page is None:
            return
        think(30, 120)
        plans = phone.ids(page, "/clinic/plans/{id}/")
        if plans and random.random() < 0.30:  # noqa: S311
            self.me.get(f"/clinic/plans/{plans[0]}/", "clinician: plan builder")
            think(30, 120)
        if random.random() < 0.20:  # noqa: S311
            self.reply(pk)

    def reply(self, pk: str) -> None:
        path = f"/clinic/patients/{pk}/messages/"
        page = self.me.get(path, "clinician: messages")
        if page is None or random.random() >= 0.5:  # noqa: S311
            return
        think(30, 120)
        body = (
            f"Thanks, keep going as planned and tell us if it gets worse. ({MARK} {uuid.uuid4()})"
        )
        form = phone.form_request(path, {"body": body}, phone.csrf_token(page))
        answer = self.me.send(form, "clinician: reply", (302,))
        RUN.wrote("message", body, acknowledged=answer is not None)
        if answer is not None:
            self.me.get(path, "clinician: messages")

    @task(1)
    def alerts(self) -> None:
        if not self.busy():
            return
        page = self.me.get("/clinic/alerts/", "clinician: alerts")
        if page is None:
            return
        think(10, 30)
        open_alerts = phone.ids(page, "/clinic/alerts/{id}/acknowledge/")
        if open_alerts:
            path = f"/clinic/alerts/{open_alerts[0]}/acknowledge/"
            form = phone.form_request(path, {}, phone.csrf_token(page), htmx=True)
            answer = self.me.send(form, "clinician: acknowledge an alert", (200, 302))
            RUN.wrote("alert acknowledged", str(open_alerts[0]), acknowledged=answer is not None)


# --- The phases ----------------------------------------------------------------------------


def users_in_run(environment: Environment) -> int:
    options = environment.parsed_options
    return int(options.num_users) if options is not None else 0


def snapshot(environment: Environment, seconds: float) -> dict[str, Any]:
    """Locust's statistics of the phase just ended, per request name, and the total."""
    stats = environment.runner.stats if environment.runner else None
    if stats is None:
        return {}

    def row(entry: Any, name: str) -> dict[str, Any]:
        return {
            "name": name,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "seconds": seconds,
            "p50": entry.get_response_time_percentile(0.50),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
        }

    return {
        "seconds": seconds,
        "rows": [row(e, e.name) for e in stats.entries.values() if e.num_requests],
        "total": row(stats.total, "whole phase"),
        "errors": [
            {"name": e.name, "error": str(e.error), "count": e.occurrences}
            for e in list(stats.errors.values())[:20]
        ],
        "counters": RUN.counters(),
    }


def run_phases(environment: Environment) -> None:
    runner = environment.runner
    assert runner is not None
    started = time.monotonic()
    while RUN.ready < users_in_run(environment):
        gevent.sleep(0.2)
    results = {"setup": snapshot(environment, time.monotonic() - started)}
    # The baseline before and after the mix: a machine whose load drifts moves both.
    for name, phase in (("baseline", "baseline"), ("mix", "mix"), ("baseline after", "baseline")):
        RUN.phase = phase
        gevent.sleep(float(CONFIG["warmup"]))
        runner.stats.reset_all()
        RUN.reset_counters()
        begun = time.monotonic()
        gevent.sleep(float(CONFIG[f"{phase}_seconds"]))
        results[name] = snapshot(environment, time.monotonic() - begun)
    RUN.phase = "done"
    gevent.sleep(3)  # requests on their way finish; their writes are counted too
    output = {
        "phases": results,
        "sent": RUN.sent,
        "acknowledged": RUN.acknowledged,
        "feedback": RUN.feedback,
        "resent_other_row": RUN.resent_other_row,
    }
    with open(CONFIG["output"], "w") as file:  # noqa: PTH123
        json.dump(output, file)
    runner.quit()


@events.test_start.add_listener
def _start(environment: Environment, **_kwargs: Any) -> None:
    gevent.spawn(run_phases, environment)
