"""``make bench``: requests per second and latency of the hot pages, at two data sizes.

Against PostgreSQL and gunicorn (started here, on a free port of 127.0.0.1, ``DEBUG=0`` and
production settings), wrk (Debian's ``wrk``) loads each endpoint with 16 connections:

    baseline          /bench/baseline/ – a trivial page for a signed-in user, same middleware
    sign-in page      GET /accounts/login/ (anonymous)
    Today             GET /me/ (the bench patient)
    API today         GET /api/v1/me/today/
    patient list      GET /clinic/patients/?page=N (a clinician with 300 patients, 20 a page)
    patient page      GET /clinic/patients/<pk>/ (charts; the clinician's patients in turn)
    API log POST      POST /api/v1/logs/ (a new client_uuid each time; counted afterwards)

The four reads also on a gunicorn with ``PAGE_CACHE=0`` ("uncached", measured first): the cost of
each request when the data has just changed (rehab/pagecache.py serves the first four from
the cache while the patient's data is unchanged, which is what repeated reads of the same
pages measure). These rows are reported, not judged against the targets.

It runs at 1× and 10× the data (``seed_scale``), prints one table with each endpoint's
throughput as a ratio to the baseline, latency percentiles, the p95 ratio between the sizes,
and the targets met or missed. Configuration (environment):

    BENCH_SCALE        full (default: 1,000 and 10,000 patients, 90 days, 15 s a run)
                       or quick (200 and 2,000 patients, 30 days, 5 s a run)
    BENCH_PATIENTS, BENCH_FACTOR, BENCH_DAYS, BENCH_CLINICS, BENCH_DURATION, BENCH_WARMUP,
    BENCH_CONNECTIONS (16), BENCH_WRK_THREADS (2), BENCH_WORKERS (5), BENCH_THREADS (1)
    BENCH_DATABASE_URL postgres://postgres@127.0.0.1:5432/rehab_bench; the database is created
                       if missing and its scale data replaced (its name must contain "bench")
    BENCH_OUTPUT       where to write the results as JSON (default: a temporary file)
    BENCH_REDIS_URL    Redis for the cache and sessions (default redis://127.0.0.1:6379/14;
                       empty: none)
"""

from __future__ import annotations

import http.cookiejar
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk" / "bench.lua"
PAGE_SIZE = 20
PRESETS: dict[str, dict[str, int]] = {
    "full": {"patients": 1000, "factor": 10, "days": 90, "duration": 15, "warmup": 3},
    "quick": {"patients": 200, "factor": 10, "days": 30, "duration": 5, "warmup": 2},
}
# Targets (2 cores, PostgreSQL local, 16 connections).
TARGETS = {
    "today": "≥ 40 % of baseline, p99 ≤ 60 ms",
    "api_today": "≥ 40 % of baseline, p99 ≤ 60 ms",
    "patient_list": "p95 ≤ 100 ms",
    "patient_page": "p95 ≤ 100 ms",
    "api_log_post": "≥ 30 % of baseline, 0 errors, each stored once",
}
HOT = ("today", "api_today", "patient_list", "patient_page", "api_log_post")
MAX_P95_GROWTH = 1.20


@dataclass(frozen=True)
class Config:
    database_url: str
    scale: str
    patients: int
    factor: int
    days: int
    clinics: int
    duration: int
    warmup: int
    connections: int
    wrk_threads: int
    workers: int
    threads: int
    output: str

    @property
    def focus_patients(self) -> int:
        """The same 300-patient clinician at both sizes (fewer if the 1× size is small)."""
        return min(300, self.patients - (self.clinics - 1))


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def config_from_env() -> Config:
    scale = os.environ.get("BENCH_SCALE", "full").strip() or "full"
    if scale not in PRESETS:
        sys.exit(f"BENCH_SCALE must be one of {', '.join(PRESETS)}, not {scale!r}.")
    preset = PRESETS[scale]
    return Config(
        database_url=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rehab_bench"
        ),
        scale=scale,
        patients=_env_int("BENCH_PATIENTS", preset["patients"]),
        factor=_env_int("BENCH_FACTOR", preset["factor"]),
        days=_env_int("BENCH_DAYS", preset["days"]),
        clinics=_env_int("BENCH_CLINICS", 20),
        duration=_env_int("BENCH_DURATION", preset["duration"]),
        warmup=_env_int("BENCH_WARMUP", preset["warmup"]),
        connections=_env_int("BENCH_CONNECTIONS", 16),
        wrk_threads=_env_int("BENCH_WRK_THREADS", 2),
        workers=_env_int("BENCH_WORKERS", 5),
        threads=_env_int("BENCH_THREADS", 1),
        output=os.environ.get("BENCH_OUTPUT", ""),
    )


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: T201


# --- The database and the server ------------------------------------------------------------


def shared_cache_url() -> str:
    """Redis for the cache and cached sessions, as in production (``BENCH_REDIS_URL``; set it
    empty to bench without), flushed for a clean start; empty when Redis does not answer."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14").strip()
    if not url:
        return ""
    import redis  # noqa: PLC0415 (a dependency of the project's settings)

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.exceptions.RedisError as exc:
        say(f"Redis at {url} does not answer ({exc}); sessions stay in the database only")
        return ""
    return url


def server_environment(config: Config, static_root: str) -> dict[str, str]:
    """Production-like settings for gunicorn, the management commands and this process."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": config.database_url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_POOL": "1",
            "DATABASE_POOL_MIN": "2",
            "DATABASE_POOL_MAX": str(max(config.threads, 2)),
            "BENCH_STATIC_ROOT": static_root,
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "console",
            "REDIS_URL": shared_cache_url(),
            "PAGE_CACHE": "1",  # as in production with Redis (rehab/pagecache.py)
        }
    )
    return env


def ensure_database(url: str) -> None:
    import psycopg  # noqa: PLC0415 (the project's driver; only needed here)

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(
            f"The bench database {name!r} must have 'bench' in its name: its scale data is "
            "wiped and replaced (set BENCH_DATABASE_URL)."
        )
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        say(f"creating database {name}")
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def vacuum_analyze(url: str) -> None:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn on 127.0.0.1:<free port>, like the Dockerfile's (one thread a worker is
    gunicorn's sync worker; more threads, its gthread worker)."""

    def __init__(self, config: Config, env: dict[str, str], log_dir: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(log_dir) / f"gunicorn-{self.port}.log"
        self._command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(config.workers),
            "--threads",
            str(config.threads),
            "--log-level",
            "warning",
            "--error-logfile",
            str(self.log),
        ]
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self._process = subprocess.Popen(self._command, cwd=ROOT, env=self._env)  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                sys.exit(f"gunicorn exited at start:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/bench/baseline/", timeout=2):  # noqa: S310
                    return self
            except urllib.error.HTTPError:
                return self  # answering (a redirect to sign in, or an error page)
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        sys.exit(f"gunicorn did not answer within 60 s:\n{self.tail()}")

    def __exit__(self, *_exc: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


# --- Signing in -------------------------------------------------------------------------


@dataclass
class Session:
    cookie: str = ""
    csrf: str = ""
    how: str = "anonymous"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def _cookie_header(jar: http.cookiejar.CookieJar) -> tuple[str, str]:
    cookies = {c.name: c.value or "" for c in jar}
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), cookies.get("csrftoken", "")


def sign_in(base: str, email: str, password: str) -> Session:
    """Sign in through the real sign-in form; if that page is missing or refuses, make the
    session directly (as the test client's ``force_login``) and say so."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    try:
        opener.open(f"{base}/accounts/login/", timeout=10).read()
        _cookies, token = _cookie_header(jar)
        data = urllib.parse.urlencode(
            {"username": email, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        opener.open(f"{base}/accounts/login/", data=data, timeout=30).read()
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            return force_login(email, reason=f"sign-in page answered {exc.code}")
    except OSError as exc:
        return force_login(email, reason=str(exc))
    cookie, token = _cookie_header(jar)
    if "sessionid=" not in cookie:
        return force_login(email, reason="the sign-in form did not sign in")
    how = "sign-in form"
    code = _two_factor_code(email)
    if code:
        # Two-factor sign-in applies (a clinician of a clinic that requires it): the code
        # an authenticator app would show, through the real code form.
        data = urllib.parse.urlencode(
            {"code": code, "next": "/", "csrfmiddlewaretoken": token}
        ).encode()
        try:
            opener.open(f"{base}/account/mfa/verify/", data=data, timeout=30).read()
        except urllib.error.HTTPError as exc:
            if exc.code != 302:
                return force_login(email, reason=f"the two-factor form answered {exc.code}")
        cookie, token = _cookie_header(jar)
        how = "sign-in form and two-factor code"
    return Session(cookie=cookie, csrf=token, how=how)


def _two_factor_device(email: str) -> Any:
    """The user's authenticator device when two-factor sign-in applies to them (one is made,
    as if they had set it up), else ``None``."""
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    from clinic.accounts import mfa  # noqa: PLC0415
    from clinic.models import User  # noqa: PLC0415

    user = User.objects.get(email=email)
    if not mfa.mfa_required(user):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)


def _two_factor_code(email: str) -> str:
    from django_otp.oath import totp  # noqa: PLC0415

    device = _two_factor_device(email)
    if device is None:
        return ""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def force_login(email: str, *, reason: str) -> Session:
    from django.conf import settings  # noqa: PLC0415
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: PLC0415
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415
    from django.middleware.csrf import _get_new_csrf_string  # noqa: PLC0415
    from django_otp import DEVICE_ID_SESSION_KEY  # noqa: PLC0415

    from clinic.models import User  # noqa: PLC0415

    user = User.objects.get(email=email)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = _two_factor_device(email)
    if device is not None:
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id  # as if the code was entered
    store.save()
    csrf = _get_new_csrf_string()
    return Session(
        cookie=f"{settings.SESSION_COOKIE_NAME}={store.session_key}; csrftoken={csrf}",
        csrf=csrf,
        how=f"session made directly ({reason})",
    )


def probe(base: str, path: str, session: Session, *, post_body: bytes | None = None) -> int:
    """The status of one request, redirects not followed."""
    headers = {"Cookie": session.cookie} if session.cookie else {}
    if post_body is not None:
        headers.update(
            {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": session.csrf,
            }
        )
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(base + path, data=post_body, headers=headers)  # noqa: S310
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


# --- The endpoints ---------------------------------------------------------------------


@dataclass
class Endpoint:
    key: str
    label: str
    session: Session
    paths: list[str]
    post: bool = False
    prescriptions: list[int] = field(default_factory=list)
    uncached: bool = False  # measured on a second server with PAGE_CACHE=0


@dataclass
class Result:
    key: str
    label: str
    status: str  # "ok", "missing", or what went wrong
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    requests: int = 0
    errors: int = 0
    note: str = ""


def discover(config: Config) -> dict[str, Any]:
    """What the requests need: the bench patient's prescriptions due today, the clinician's
    patients and pages."""
    from django.db import connections  # noqa: PLC0415

    from clinic.models import Patient  # noqa: PLC0415
    from rehab import selectors  # noqa: PLC0415
    from rehab.management.commands.seed_scale import (  # noqa: PLC0415
        BENCH_PATIENT_EMAIL,
        SLUG_PREFIX,
    )

    patient = Patient.objects.get(user__email=BENCH_PATIENT_EMAIL)
    today = selectors.today_for_patient(patient)
    due = [item.prescription.pk for item in today.items if item.due] or [
        item.prescription.pk for item in today.items
    ]
    focus = Patient.objects.filter(
        clinic__slug=f"{SLUG_PREFIX}001", status=Patient.Status.ACTIVE
    ).order_by("last_name", "first_name", "pk")
    ids = list(focus.values_list("pk", flat=True))
    connections.close_all()
    return {
        "patient_pk": patient.pk,
        "prescriptions": due,
        "list_pages": max(1, math.ceil(len(ids) / PAGE_SIZE)),
        "focus_patients": len(ids),
        "detail_pks": ids[: min(len(ids), 60)],
    }


def run_wrk(
    config: Config, base: str, endpoint: Endpoint, seconds: int, prefix: str
) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(
        {
            "BENCH_MODE": "post" if endpoint.post else "get",
            "BENCH_PATHS": ",".join(endpoint.paths),
            "BENCH_COOKIE": endpoint.session.cookie,
            "BENCH_CSRF": endpoint.session.csrf,
            "BENCH_PRESCRIPTIONS": ",".join(str(pk) for pk in endpoint.prescriptions),
            "BENCH_UUID_PREFIX": prefix,
        }
    )
    command = [
        "wrk",
        "-t",
        str(config.wrk_threads),
        "-c",
        str(config.connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        base + endpoint.paths[0],
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
            return data
    sys.exit(f"wrk gave no result:\n{result.stdout}\n{result.stderr}")


def count_posted(prefix: str) -> tuple[int, int]:
    """(rows, distinct client ids) stored with client ids starting with ``prefix``."""
    from django.db import connections  # noqa: PLC0415
    from django.db.models import Count  # noqa: PLC0415

    from rehab.models import ExerciseLog  # noqa: PLC0415

    rows = ExerciseLog.objects.filter(
        client_uuid__gte=uuid.UUID(prefix + "0" * 24), client_uuid__lte=uuid.UUID(prefix + "f" * 24)
    ).aggregate(n=Count("pk"), distinct=Count("client_uuid", distinct=True))
    connections.close_all()
    return int(rows["n"]), int(rows["distinct"])


def measure(config: Config, base: str, endpoint: Endpoint) -> Result:
    result = Result(key=endpoint.key, label=endpoint.label, status="ok")
    body = None
    if endpoint.post:
        if not endpoint.prescriptions:
            result.status = "no prescription to log"
            return result
        body = json.dumps(
            {
                "client_uuid": str(uuid.uuid4()),
                "prescription": endpoint.prescriptions[0],
                "sets_done": 1,
            }
        ).encode()
    status = probe(base, endpoint.paths[0], endpoint.session, post_body=body)
    expected = 201 if endpoint.post else 200
    if status == 404:
        result.status = "missing (404)"
        return result
    if status != expected:
        result.status = f"answers {status}, not {expected}"
        return result
    if config.warmup:
        run_wrk(config, base, endpoint, config.warmup, uuid.uuid4().hex[:8])
    prefix = uuid.uuid4().hex[:8]
    data = run_wrk(config, base, endpoint, config.duration, prefix)
    seconds = data["duration_us"] / 1e6
    ok = data["s201"] if endpoint.post else data["s200"]
    result.requests = int(data["requests"])
    result.rps = ok / seconds if seconds else 0.0
    result.p50_ms = data["p50_us"] / 1000
    result.p95_ms = data["p95_us"] / 1000
    result.p99_ms = data["p99_us"] / 1000
    result.max_ms = data["max_us"] / 1000
    answered = sum(data[k] for k in ("s200", "s201", "s2xx", "s3xx", "s4xx", "s5xx"))
    socket_errors = sum(
        data[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    result.errors = answered - ok + socket_errors
    if endpoint.post:
        stored, distinct = count_posted(prefix)
        in_flight = data["sent"] - answered
        exact = distinct == stored and ok <= stored <= ok + in_flight
        result.note = (
            f"{ok} created, {stored} stored, {stored - distinct} duplicates, "
            f"{in_flight} in flight at the cut-off: "
            + ("each stored once" if exact else "MISMATCH")
        )
        if not exact:
            result.errors += 1
    elif result.errors:
        result.note = ", ".join(
            f"{k} {data[k]}"
            for k in ("s2xx", "s3xx", "s4xx", "s5xx", "connect_errors", "read_errors", "timeouts")
            if data[k]
        )
    return result


def endpoints(info: dict[str, Any], patient: Session, clinician: Session) -> list[Endpoint]:
    anonymous = Session()
    hot_reads = [
        Endpoint("today", "Today /me/", patient, ["/me/"]),
        Endpoint("api_today", "GET /api/v1/me/today/", patient, ["/api/v1/me/today/"]),
        Endpoint(
            "patient_list",
            f"patient list ({info['focus_patients']} patients, 20 a page)",
            clinician,
            [f"/clinic/patients/?page={n}" for n in range(1, info["list_pages"] + 1)],
        ),
        Endpoint(
            "patient_page",
            "patient page (charts)",
            clinician,
            [f"/clinic/patients/{pk}/" for pk in info["detail_pks"]],
        ),
    ]
    return [
        Endpoint("baseline", "baseline (signed-in, trivial)", patient, ["/bench/baseline/"]),
        Endpoint("login_page", "sign-in page (GET)", anonymous, ["/accounts/login/"]),
        *hot_reads,
        # Last: the logs it makes would otherwise weigh on the Today page.
        Endpoint(
            "api_log_post",
            "POST /api/v1/logs/",
            patient,
            ["/api/v1/logs/"],
            post=True,
            prescriptions=info["prescriptions"],
        ),
        # The same reads with the page cache off: what every request costs when the patient's
        # data has just changed (a miss). Reported beside the targets, not judged by them.
        *(
            Endpoint(f"{e.key}_uncached", f"{e.label}, uncached", e.session, e.paths, uncached=True)
            for e in hot_reads
        ),
    ]


# --- One data size ---------------------------------------------------------------------


@dataclass
class SizeRun:
    patients: int
    seed_seconds: float
    seed_summary: str
    results: dict[str, Result]
    sign_in: str


def run_size(config: Config, env: dict[str, str], patients: int, log_dir: str) -> SizeRun:
    from rehab.management.commands.seed_scale import (  # noqa: PLC0415
        BENCH_PATIENT_EMAIL,
        FOCUS_CLINICIAN_EMAIL,
        SCALE_PASSWORD,
    )

    say(f"seeding {patients:,} patients × {config.days} days")
    started = time.monotonic()
    output = manage(
        env,
        "seed_scale",
        "--force",
        "--wipe",
        f"--clinics={config.clinics}",
        f"--patients={patients}",
        f"--days={config.days}",
        f"--focus-clinician-patients={config.focus_patients}",
    )
    seed_seconds = time.monotonic() - started
    summary = " ".join(
        line.split()[0].split(".")[-1] + " " + line.split()[1]
        for line in output.splitlines()
        if line.startswith("  ") and "." in line.split()[0]
    )
    say(f"seeded in {seed_seconds:.0f} s: {summary}")
    say("VACUUM ANALYZE")
    vacuum_analyze(config.database_url)
    results: dict[str, Result] = {}
    # First the reads with the page cache off, on their own gunicorn: before the POST run, whose
    # logs (hundreds, all today) would otherwise weigh on the bench patient's Today.
    with Server(config, {**env, "PAGE_CACHE": "0"}, log_dir) as server:
        say(f"gunicorn with PAGE_CACHE=0 on {server.base}")
        patient = sign_in(server.base, BENCH_PATIENT_EMAIL, SCALE_PASSWORD)
        clinician = sign_in(server.base, FOCUS_CLINICIAN_EMAIL, SCALE_PASSWORD)
        info = discover(config)
        plan = endpoints(info, patient, clinician)
        for endpoint in (e for e in plan if e.uncached):
            _measure_into(results, config, server, endpoint)
    # The sessions live in the shared database and cache: the same cookies sign in here.
    with Server(config, env, log_dir) as server:
        say(f"gunicorn on {server.base} ({config.workers} workers × {config.threads} threads)")
        for endpoint in (e for e in plan if not e.uncached):
            _measure_into(results, config, server, endpoint)
    results = {e.key: results[e.key] for e in plan}  # the table's order
    return SizeRun(
        patients=patients,
        seed_seconds=seed_seconds,
        seed_summary=summary,
        results=results,
        sign_in=f"patient: {patient.how}; clinician: {clinician.how}",
    )


def _measure_into(
    results: dict[str, Result], config: Config, server: Server, endpoint: Endpoint
) -> None:
    say(f"  {endpoint.label}")
    results[endpoint.key] = measure(config, server.base, endpoint)
    if results[endpoint.key].status != "ok" or results[endpoint.key].errors:
        tail = server.tail(5)
        if tail:
            results[endpoint.key].note += f" | gunicorn: {tail.splitlines()[-1][:160]}"


# --- The report ------------------------------------------------------------------------


def _cell(result: Result, baseline: Result | None) -> list[str]:
    if result.status != "ok":
        return [result.status, "", "", "", "", ""]
    ratio = (
        f"{result.rps / baseline.rps:.2f}"
        if baseline and baseline.status == "ok" and baseline.rps
        else "–"
    )
    return [
        f"{result.rps:,.0f}",
        ratio,
        f"{result.p50_ms:.1f}",
        f"{result.p95_ms:.1f}",
        f"{result.p99_ms:.1f}",
        str(result.errors),
    ]


def table(small: SizeRun, large: SizeRun) -> str:
    header = [
        "endpoint",
        "req/s",
        "×base",
        "p50",
        "p95",
        "p99",
        "err",
        "req/s",
        "×base",
        "p50",
        "p95",
        "p99",
        "err",
        "p95 10×/1×",
    ]
    rows = []
    for key, result in small.results.items():
        other = large.results.get(key, Result(key=key, label=result.label, status="not run"))
        growth = (
            f"{other.p95_ms / result.p95_ms:.2f}"
            if result.status == "ok" and other.status == "ok" and result.p95_ms
            else "–"
        )
        rows.append(
            [
                result.label,
                *_cell(result, small.results.get("baseline")),
                *_cell(other, large.results.get("baseline")),
                growth,
            ]
        )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    size_title = (
        f"{'':<{widths[0]}} | {f'{small.patients:,} patients (1×)':^{sum(widths[1:7]) + 15}}"
        f" | {f'{large.patients:,} patients ({large.patients // small.patients}×)':^{sum(widths[7:13]) + 15}} |"
    )

    def line(cells: list[str]) -> str:
        return " | ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([size_title, line(header), rule, *(line(r) for r in rows)])


def verdicts(small: SizeRun, large: SizeRun) -> list[str]:
    lines = []
    for run in (small, large):
        base = run.results.get("baseline")
        for key, target in TARGETS.items():
            result = run.results.get(key)
            if result is None or result.status != "ok":
                lines.append(
                    f"  {run.patients:>6,} {key:<13} {target:<48} – {getattr(result, 'status', 'not run')}"
                )
                continue
            ratio = result.rps / base.rps if base and base.status == "ok" and base.rps else 0.0
            if key in ("today", "api_today"):
                ok = ratio >= 0.40 and result.p99_ms <= 60
                got = f"{ratio:.0%} of baseline, p99 {result.p99_ms:.0f} ms"
            elif key in ("patient_list", "patient_page"):
                ok = result.p95_ms <= 100
                got = f"p95 {result.p95_ms:.0f} ms"
            else:
                ok = ratio >= 0.30 and result.errors == 0
                got = f"{ratio:.0%} of baseline, {result.errors} errors; {result.note}"
            lines.append(
                f"  {run.patients:>6,} {key:<13} {target:<48} {'PASS' if ok else 'MISS'}  {got}"
            )
    a, b = small.results.get("baseline"), large.results.get("baseline")
    if a and b and a.status == b.status == "ok" and a.p95_ms:
        lines.append(
            f"  10×/1×  {'baseline':<13} {'(reference: the same trivial page)':<48} "
            f"      {a.p95_ms:.1f} → {b.p95_ms:.1f} ms ({b.p95_ms / a.p95_ms - 1:+.0%}); "
            "a change this large in the baseline is noise from the machine"
        )
    for key in HOT:
        a, b = small.results.get(key), large.results.get(key)
        if a and b and a.status == b.status == "ok" and a.p95_ms:
            growth = b.p95_ms / a.p95_ms
            ok = growth <= MAX_P95_GROWTH
            lines.append(
                f"  10×/1×  {key:<13} {'p95 grows ≤ 20 %':<48} {'PASS' if ok else 'MISS'}  "
                f"{a.p95_ms:.1f} → {b.p95_ms:.1f} ms ({growth - 1:+.0%})"
            )
    return lines


def main() -> None:
    started = time.monotonic()
    config = config_from_env()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    ensure_database(config.database_url)
    work = tempfile.mkdtemp(prefix="rehab-bench-")
    static_root = str(Path(work) / "static")
    env = server_environment(config, static_root)
    os.environ.update(env)  # this process reads the same database (sessions, counts)
    import django  # noqa: PLC0415

    django.setup()
    import bench.urls  # noqa: PLC0415

    say(
        f"scale {config.scale}: {config.patients:,} and {config.patients * config.factor:,} "
        f"patients × {config.days} days; {config.connections} connections, "
        f"{config.duration} s per endpoint; work files in {work}"
    )
    if bench.urls.SKIPPED:
        say("URL modules that could not be loaded: " + "; ".join(bench.urls.SKIPPED))
    say("migrate, fixtures, collectstatic")
    manage(env, "migrate", "--noinput", "--skip-checks")
    manage(env, "loaddata", "library", "protocols", "--skip-checks")
    manage(env, "collectstatic", "--noinput", "--skip-checks")
    small = run_size(config, env, config.patients, work)
    large = run_size(config, env, config.patients * config.factor, work)
    elapsed = time.monotonic() - started
    report = [
        "",
        (
            f"Achilles Rehab bench – {config.connections} connections, {config.duration} s per "
            f"endpoint, gunicorn {config.workers}×{config.threads} "
            f"({'sync' if config.threads == 1 else 'gthread'}), DEBUG=0, "
            f"PostgreSQL; latency in ms; req/s counts only 200/201 answers"
        ),
        table(small, large),
        "",
        "Targets:",
        *verdicts(small, large),
        "",
        (
            f"Seeding: {small.patients:,} patients {small.seed_seconds:.0f} s; "
            f"{large.patients:,} patients {large.seed_seconds:.0f} s ({large.seed_summary})"
        ),
        f"Sessions: {small.sign_in}",
        *(f"URL modules skipped: {s}" for s in bench.urls.SKIPPED),
        f"The whole run took {elapsed / 60:.1f} min.",
    ]
    print("\n".join(report))  # noqa: T201
    output = config.output or str(Path(work) / "results.json")
    Path(output).write_text(
        json.dumps(
            {
                "config": asdict(config),
                "runs": [
                    {
                        "patients": run.patients,
                        "seed_seconds": run.seed_seconds,
                        "results": {k: asdict(v) for k, v in run.results.items()},
                    }
                    for run in (small, large)
                ],
                "elapsed_seconds": elapsed,
            },
            indent=2,
        )
    )
    print(f"Results: {output}")  # noqa: T201
    shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()
