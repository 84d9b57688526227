"""The bench harness's own pieces: the baseline page and the report (no server, no wrk)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bench.run import Config, Result, SizeRun, table, verdicts
from tests import factories


@pytest.fixture
def _bench_urls(settings) -> None:
    settings.ROOT_URLCONF = "bench.urls"


@pytest.mark.usefixtures("_bench_urls")
@pytest.mark.django_db
def test_the_baseline_page_is_for_signed_in_users_only() -> None:
    client = Client()
    assert client.get("/bench/baseline/").status_code == 302
    client.force_login(factories.UserFactory())
    response = client.get("/bench/baseline/")
    assert response.status_code == 200
    assert response.content.startswith(b"ok ")


@pytest.mark.usefixtures("_bench_urls")
def test_the_bench_urlconf_keeps_the_project_urls() -> None:
    from bench import urls  # noqa: PLC0415 (imports every view: only when this test runs)

    assert not urls.SKIPPED
    names = {getattr(p, "name", None) for p in urls.urlpatterns}
    assert "bench_baseline" in names
    assert len(urls.urlpatterns) > 1


def _run(patients: int, **results: Result) -> SizeRun:
    return SizeRun(
        patients=patients, seed_seconds=1.0, seed_summary="", results=results, sign_in=""
    )


def _ok(key: str, rps: float, p95: float, p99: float, errors: int = 0) -> Result:
    return Result(
        key=key,
        label=key,
        status="ok",
        rps=rps,
        p50_ms=p95 / 2,
        p95_ms=p95,
        p99_ms=p99,
        errors=errors,
    )


def test_the_report_gives_ratios_to_the_baseline_and_between_sizes() -> None:
    small = _run(
        1000,
        baseline=_ok("baseline", 1000, 10, 20),
        today=_ok("today", 500, 20, 40),
        patient_list=Result(key="patient_list", label="patient_list", status="missing (404)"),
    )
    large = _run(
        10000,
        baseline=_ok("baseline", 1000, 10, 20),
        today=_ok("today", 300, 30, 80),
        patient_list=Result(key="patient_list", label="patient_list", status="missing (404)"),
    )
    text = table(small, large)
    assert "0.50" in text  # today at 1×: 500 ÷ 1000
    assert "1.50" in text  # today's p95 at 10× ÷ at 1×
    assert "missing (404)" in text
    lines = verdicts(small, large)
    today = [line for line in lines if " today " in line]
    assert "PASS" in today[0]  # 50 %, p99 40 ms
    assert "MISS" in today[1]  # 30 %, p99 80 ms
    assert any("p95 grows" in line and "MISS" in line for line in today)
    assert any("patient_list" in line and "missing" in line for line in lines)


def test_the_focus_clinician_keeps_300_patients_at_both_sizes() -> None:
    config = Config(
        database_url="",
        scale="full",
        patients=1000,
        factor=10,
        days=90,
        clinics=20,
        duration=1,
        warmup=0,
        connections=16,
        wrk_threads=2,
        workers=2,
        threads=4,
        output="",
    )
    assert config.focus_patients == 300


@pytest.mark.django_db
def test_two_factor_sign_in_for_the_bench_clinician(settings: Any) -> None:
    from bench.run import _two_factor_code, force_login  # noqa: PLC0415

    settings.MFA_REQUIRED = True
    patient = factories.PatientFactory()
    assert patient.user is not None
    assert _two_factor_code(patient.user.email) == ""  # nothing asked of a patient

    admin = factories.ClinicAdminFactory().user
    code = _two_factor_code(admin.email)
    assert len(code) == 6
    assert code.isdigit()
    client = Client()
    client.force_login(admin)
    assert client.get("/clinic/")["Location"].startswith("/account/mfa/verify/")
    assert (
        client.post("/account/mfa/verify/", {"code": code, "next": "/clinic/"}).status_code == 302
    )
    assert client.get("/clinic/").status_code == 200

    # The fallback session is made already verified.
    session = force_login(admin.email, reason="test")
    direct = Client()
    direct.cookies["sessionid"] = session.cookie.split(";")[0].split("=", 1)[1]
    assert direct.get("/clinic/").status_code == 200
