"""``make bench``: the app under a mixed workload of patients and clinicians, at 1× and 10× data.

For each data size: ``seed_scale`` (every patient's day not yet begun), gunicorn with
production settings, then one Locust run (bench/locustfile.py: sign-in, the baseline phase,
the mix), then the database is asked whether every acknowledged write was stored exactly once.
Printed: each request type's numbers, the mix's throughput and its ratio to the baseline's,
writes lost or stored twice, and daily active patients per machine (bench/report.py's
model). bench/README.md says what every setting does; the results are also written as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench import data, report
from bench.data import say

BASELINE = "baseline /bench/baseline/"  # the locustfile's name for it
PRESETS: dict[str, dict[str, int]] = {
    "full": {"patients": 1000, "days": 90, "warmup": 10, "baseline": 20, "mix": 90},
    "quick": {"patients": 200, "days": 30, "warmup": 5, "baseline": 8, "mix": 20},
}


@dataclass(frozen=True)
class Config:
    scale: str
    patients: int
    factor: int
    days: int
    clinics: int
    pool: int
    users: int
    clinicians: int
    workers: int
    warmup: int
    baseline_seconds: int
    mix_seconds: int
    think_scale: float
    port: int
    output: str


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def config_from_env() -> Config:
    scale = os.environ.get("BENCH_SCALE", "").strip() or "full"
    if scale not in PRESETS:
        sys.exit(f"BENCH_SCALE must be one of {', '.join(PRESETS)}, not {scale!r}.")
    preset = PRESETS[scale]
    return Config(
        scale=scale,
        patients=_env_int("BENCH_PATIENTS", preset["patients"]),
        factor=_env_int("BENCH_FACTOR", 10),
        days=_env_int("BENCH_DAYS", preset["days"]),
        clinics=_env_int("BENCH_CLINICS", 20),
        pool=_env_int("BENCH_POOL", 300),
        users=_env_int("BENCH_USERS", 16),
        clinicians=min(_env_int("BENCH_CLINICIANS", 2), len(data.THERAPISTS)),
        workers=_env_int("BENCH_WORKERS", 5),
        warmup=_env_int("BENCH_WARMUP", preset["warmup"]),
        baseline_seconds=_env_int("BENCH_BASELINE_SECONDS", preset["baseline"]),
        mix_seconds=_env_int("BENCH_MIX_SECONDS", preset["mix"]),
        think_scale=float(os.environ.get("BENCH_THINK_SCALE", "").strip() or 0),
        port=_env_int("BENCH_PORT", 0),
        output=os.environ.get("BENCH_OUTPUT", ""),
    )


# --- The server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn on 127.0.0.1, like the Dockerfile's: sync workers, one request each at a time."""

    def __init__(self, config: Config, env: dict[str, str], log_dir: str) -> None:
        self.port = config.port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(log_dir) / f"gunicorn-{self.port}.log"
        self._command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={config.workers}",
            "--log-level=warning",
            f"--error-logfile={self.log}",
        ]
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self._process = subprocess.Popen(self._command, cwd=data.ROOT, env=self._env)  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                sys.exit(f"gunicorn exited at start:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/accounts/login/", timeout=2):  # noqa: S310
                    return self
            except urllib.error.HTTPError:
                return self  # answering
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

    def tail(self, lines: int = 20) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


# --- One data size --------------------------------------------------------------------------


def run_locust(config: Config, base: str, pool: list[str], work: str) -> dict[str, Any]:
    output = Path(work) / f"locust-{time.monotonic_ns()}.json"
    settings = {
        "pool": pool,
        "clinicians": list(data.THERAPISTS[: config.clinicians]),
        "password": data.PASSWORD,
        "warmup": config.warmup,
        "baseline_seconds": config.baseline_seconds,
        "mix_seconds": config.mix_seconds,
        "think_scale": config.think_scale,
        "output": str(output),
    }
    env = {
        **os.environ,
        "BENCH_LOCUST": json.dumps(settings),
        "PYTHONPATH": str(data.ROOT),
    }
    # Sign-in (at most ~0.4 s of CPU a patient), both phases, and a margin.
    phases = 3 * config.warmup + 2 * config.baseline_seconds + config.mix_seconds
    limit = len(pool) + phases + 300
    command = [
        sys.executable,
        "-m",
        "locust",
        "--locustfile=bench/locustfile.py",
        "--headless",
        f"--users={config.users}",
        f"--spawn-rate={config.users}",
        f"--host={base}",
        f"--run-time={limit}s",
        "--only-summary",
        "--loglevel=WARNING",
    ]
    log = Path(work) / "locust.log"
    with log.open("a") as out:
        subprocess.run(command, cwd=data.ROOT, env=env, stdout=out, stderr=out, check=False)  # noqa: S603
    if not output.exists():
        sys.exit(f"Locust wrote no results; its log ({log}) ends:\n{log.read_text()[-3000:]}")
    result: dict[str, Any] = json.loads(output.read_text())
    return result


WRITES = (  # kind (as the locustfile names it), table, key column, its SQL type, condition
    ("tick", "rehab_exerciselog", "client_uuid", "uuid", ""),
    ("check-in", "rehab_checkin", "note", "text", ""),
    ("message", "clinic_message", "body", "text", ""),
    ("alert acknowledged", "rehab_alert", "id", "bigint", "acknowledged_at IS NOT NULL"),
)


def count_writes(env: dict[str, str], locust: dict[str, Any]) -> tuple[list[report.Tally], int]:
    """Each kind of write's tally, and the ticks whose acknowledged pain and effort are not
    what the database holds. Alerts are acknowledged by their page's address (an opaque id):
    counted by the row ids those stand for."""
    url = env["DATABASE_URL"]
    sent, acked = dict(locust["sent"]), dict(locust["acknowledged"])
    alerts = "alert acknowledged"
    ids = dict(zip(sent.get(alerts, []), data.row_ids(env, sent.get(alerts, [])), strict=True))
    sent[alerts] = [ids[key] for key in sent.get(alerts, [])]
    acked[alerts] = [ids.get(key, key) for key in acked.get(alerts, [])]
    tallies = [
        report.tally(
            kind,
            sent.get(kind, []),
            acked.get(kind, []),
            data.count_by(url, table, column, sent.get(kind, []), sql_type=type_, where=where),
        )
        for kind, table, column, type_, where in WRITES
    ]
    feedback: dict[str, list[int]] = locust["feedback"]
    stored = data.stored_feedback(url, list(feedback))
    wrong = sum(1 for key, values in feedback.items() if list(stored.get(key, ())) != values)
    return tallies, wrong


@dataclass
class SizeResult:
    patients: int
    seed_seconds: float
    load_start: str
    load_end: str
    phases: dict[str, Any]
    tallies: list[report.Tally]
    feedback_wrong: int
    resent_other_row: int
    log_tail: str

    def rows(self, phase: str) -> list[report.Row]:
        return [report.Row.from_dict(r) for r in self.phases.get(phase, {}).get("rows", [])]

    def total(self, phase: str) -> report.Row:
        return report.Row.from_dict(self.phases[phase]["total"])

    def baseline_window(self, phase: str) -> report.Row:
        """The baseline's own requests in one window (the first of the window may still be
        finishing a visit)."""
        rows = [r for r in self.rows(phase) if r.name == BASELINE]
        return rows[0] if rows else report.Row(BASELINE, 0, 0, 0.0, 0.0, 0.0, 0.0)

    @property
    def baseline(self) -> report.Row:
        """Both windows, before and after the mix."""
        return report.merged(
            "baseline phases (before and after the mix)",
            [self.baseline_window("baseline"), self.baseline_window("baseline after")],
        )

    @property
    def counters(self) -> dict[str, int]:
        counters: dict[str, int] = self.phases["mix"].get("counters", {})
        return counters

    @property
    def ratio(self) -> float | None:
        return report.ratio(self.total("mix").throughput, self.baseline.throughput)

    @property
    def requests_per_visit(self) -> float:
        visits = self.counters.get("visits", 0)
        return self.total("mix").requests / visits if visits else 0.0

    def capacity(self, model: report.PeakHourModel) -> int:
        return report.daily_active_patients(
            self.total("mix").throughput, self.requests_per_visit, model
        )

    @property
    def writes_ok(self) -> bool:
        return all(t.ok for t in self.tallies) and not self.feedback_wrong


def run_size(config: Config, env: dict[str, str], patients: int, work: str) -> SizeResult:
    say(f"seeding {patients:,} patients × {config.days} days")
    started = time.monotonic()
    data.seed(env, patients=patients, days=config.days, clinics=config.clinics)
    seed_seconds = time.monotonic() - started
    pool = data.patient_pool(env["DATABASE_URL"], config.pool)
    say(f"seeded in {seed_seconds:.0f} s; a pool of {len(pool)} patients")
    load_start = data.machine_load()
    with Server(config, env, work) as server:
        say(f"gunicorn on {server.base}; Locust: sign-in, baseline, mix ({load_start})")
        locust = run_locust(config, server.base, pool, work)
        log_tail = server.tail(5)
    load_end = data.machine_load()
    tallies, wrong = count_writes(env, locust)
    return SizeResult(
        patients=patients,
        seed_seconds=seed_seconds,
        load_start=load_start,
        load_end=load_end,
        phases=locust["phases"],
        tallies=tallies,
        feedback_wrong=wrong,
        resent_other_row=int(locust.get("resent_other_row", 0)),
        log_tail=log_tail,
    )


# --- The report -----------------------------------------------------------------------------


def describe_size(config: Config, result: SizeResult, model: report.PeakHourModel) -> list[str]:
    mix, baseline = result.total("mix"), result.baseline
    counters = result.counters
    visits = counters.get("visits", 0)
    setup = result.total("setup")
    lines = [
        "",
        (
            f"## {result.patients:,} patients × {config.days} days "
            f"(seeded in {result.seed_seconds:.0f} s)"
        ),
        f"Machine: {result.load_start} at the start, {result.load_end} at the end.",
        "",
        report.mix_table(
            result.rows("mix"),
            replace(mix, name="whole mix"),
            baseline,
        ),
        "",
        (
            f"Mix {mix.throughput:,.1f} req/s = {report.times(result.ratio)} × the baseline's "
            f"{baseline.throughput:,.1f} req/s (same {config.users} users, same run; "
            f"{result.baseline_window('baseline').throughput:,.1f} before the mix, "
            f"{result.baseline_window('baseline after').throughput:,.1f} after)."
        ),
        (
            f"Visits: {visits:,} by {counters.get('patients', 0):,} patients, "
            f"{counters.get('ticks', 0) / visits if visits else 0:.1f} ticks and "
            f"{result.requests_per_visit:.1f} requests of the mix (clinicians' included) each; "
            f"{counters.get('today_without_cards', 0)} Today pages showed no exercise card."
        ),
        "Writes: " + report.describe_tallies(result.tallies) + "; "
        f"pain and effort not as acknowledged: {result.feedback_wrong}; "
        f"ticks sent again answered with another row: {result.resent_other_row}.",
        (
            f"Capacity: ≈ {result.capacity(model):,} daily active patients per machine "
            f"({mix.throughput:,.1f} req/s × {model.headroom:.0%} headroom × 3,600 s ÷ "
            f"({model.peak_hour_share:.0%} of a day in the peak hour × "
            f"{result.requests_per_visit:.1f} requests a visit × {model.visits_per_day:g} visits "
            "a day))."
        ),
        (
            f"Sign-in of {setup.requests // 2:,} phones and browsers before the phases: "
            f"{setup.seconds:.0f} s, {setup.failures} errors."
        ),
    ]
    errors = [
        f"  {e['count']}× {e['name']}: {e['error']}" for e in result.phases["mix"].get("errors", [])
    ]
    if errors:
        lines += ["Errors in the mix:", *errors]
    if result.log_tail.strip():
        lines += ["gunicorn's log ends:", result.log_tail]
    return lines


def summary(results: list[SizeResult], model: report.PeakHourModel) -> str:
    rows = [
        [
            f"{r.patients:,} patients",
            f"{r.total('mix').throughput:,.1f}",
            f"{r.baseline.throughput:,.1f}",
            report.times(r.ratio),
            report.ms(r.total("mix").p95),
            f"{r.total('mix').failures:,}",
            "0 and 0" if r.writes_ok else "NOT 0: see above",
            f"{r.capacity(model):,}",
        ]
        for r in results
    ]
    return report.table(
        [
            "data",
            "mix req/s",
            "baseline req/s",
            "mix ÷ baseline",
            "mix p95 ms",
            "errors",
            "writes lost, twice",
            "daily active patients",
        ],
        rows,
    )


def app_version() -> str:
    result = subprocess.run(
        ["git", "describe", "--always", "--dirty", "--tags"],  # noqa: S607
        cwd=data.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


def main() -> None:
    started = time.monotonic()
    config = config_from_env()
    url = data.database_url()
    data.ensure_database(url)
    work = tempfile.mkdtemp(prefix="rehab-bench-")
    env = data.environment(str(Path(work) / "static"), workers=config.workers)
    data.flush_redis(env["REDIS_URL"])
    say(
        f"scale {config.scale}: {config.patients:,} and {config.patients * config.factor:,} "
        f"patients × {config.days} days; {config.users} users; work files in {work}"
    )
    say("migrate, fixtures, collectstatic")
    data.manage(env, "migrate", "--noinput", "--skip-checks")
    data.manage(env, "loaddata", "library", "protocols", "--skip-checks")
    data.manage(env, "collectstatic", "--noinput", "--skip-checks")
    results = [
        run_size(config, env, config.patients, work),
        run_size(config, env, config.patients * config.factor, work),
    ]
    model = report.PeakHourModel()
    elapsed = time.monotonic() - started
    page_cache = os.environ.get("PAGE_CACHE", "").strip() or "the app's default"
    lines = [
        "",
        f"# make bench: the mixed workload ({app_version()}, {time.strftime('%Y-%m-%d %H:%M')})",
        (
            f"gunicorn {config.workers} sync workers, DEBUG=0, PostgreSQL, Redis "
            f"({'on' if env['REDIS_URL'] else 'off'}), PAGE_CACHE {page_cache}; Locust "
            f"{config.users} users ({config.users - config.clinicians} patients' phones taking "
            f"{config.pool} patients in turn, {config.clinicians} clinicians), think time × "
            f"{config.think_scale:g}; {config.mix_seconds} s of mix between two "
            f"{config.baseline_seconds} s of baseline, each after {config.warmup} s of warm-up; "
            "latency in ms; req/s counts answers "
            "without error."
        ),
    ]
    for result in results:
        lines += describe_size(config, result, model)
    lines += ["", "## Summary", "", summary(results, model), ""]
    lines.append(f"The whole run took {elapsed / 60:.1f} min.")
    print("\n".join(lines))  # noqa: T201
    output = config.output or str(Path(work) / "results.json")
    Path(output).write_text(
        json.dumps(
            {
                "version": app_version(),
                "config": asdict(config),
                "model": asdict(model),
                "sizes": [
                    {
                        **{k: v for k, v in asdict(r).items() if k != "tallies"},
                        "tallies": [asdict(t) for t in r.tallies],
                        "mix_throughput": r.total("mix").throughput,
                        "baseline_throughput": r.baseline.throughput,
                        "ratio": r.ratio,
                        "requests_per_visit": r.requests_per_visit,
                        "daily_active_patients": r.capacity(model),
                    }
                    for r in results
                ],
                "elapsed_seconds": elapsed,
            },
            indent=2,
        )
    )
    print(f"Results: {output}")  # noqa: T201
    shutil.rmtree(Path(work) / "static", ignore_errors=True)
    if not all(r.writes_ok for r in results):
        sys.exit("Writes were lost or stored twice.")


if __name__ == "__main__":
    main()
