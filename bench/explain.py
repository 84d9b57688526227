"""The queries behind each benchmarked page, with PostgreSQL's plans: ``python -m bench.explain``.

Run after ``make bench`` (or ``seed_scale``) on the bench database. Each page is requested once
in-process, as the bench's patient or clinician; every SELECT it made is run again under
``EXPLAIN (ANALYZE, BUFFERS)``. Printed: per page the number of queries and their time, then
the slowest queries and any sequential scan of a table with more than 10,000 rows, with plans.

    BENCH_DATABASE_URL   the bench database (default postgres://postgres@127.0.0.1:5432/rehab_bench)
    BENCH_EXPLAIN_SLOW   show plans of queries slower than this many ms (default 2)
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from bench import data

SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def main() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": data.database_url(),
            "DEBUG": "1",  # static files from the finders: no collectstatic needed here
            "ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    import django  # noqa: PLC0415

    django.setup()
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415
    from django.urls import reverse  # noqa: PLC0415

    slow_ms = float(os.environ.get("BENCH_EXPLAIN_SLOW", "2"))
    user_model = get_user_model()
    try:
        patient_user = user_model.objects.get(email=data.BENCH_PATIENT)
        clinician_user = user_model.objects.get(email=data.THERAPISTS[0])
    except user_model.DoesNotExist:
        sys.exit("No scale data: run seed_scale (or make bench) first.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id FROM clinic_patient p JOIN clinic_clinic c ON c.id = p.clinic_id "
            "WHERE c.slug = %s AND p.status = 'active' ORDER BY p.last_name, p.first_name, p.id",
            [data.FIRST_CLINIC],
        )
        first = cursor.fetchone()
    patient_client = Client(HTTP_HOST="127.0.0.1")
    patient_client.force_login(patient_user)
    clinician_client = Client(HTTP_HOST="127.0.0.1")
    clinician_client.force_login(clinician_user)
    pages: list[tuple[str, Client, str]] = [
        ("Today", patient_client, "/me/"),
        ("API today", patient_client, "/api/v1/me/today/"),
        ("patient list, page 8", clinician_client, "/clinic/patients/?page=8"),
        (
            "patient page",
            clinician_client,
            reverse("rehab:patient_detail", args=[first[0] if first else 0]),
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' AND reltuples > 10000"
        )
        big = dict(cursor.fetchall())
    for label, client, path in pages:
        client.get(path)  # warm caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        total = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        print(  # noqa: T201
            f"\n=== {label} {path}: {response.status_code}, {len(captured.captured_queries)} "
            f"queries, {total:.1f} ms in SQL"
        )
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            plan = _explain(connection, sql)
            ms = _execution_ms(plan)
            scans = [t for t in SEQ_SCAN.findall(plan) if t in big]
            if ms >= slow_ms or scans:
                why = f"{ms:.1f} ms" + (f"; seq scan on {', '.join(scans)}" if scans else "")
                print(f"\n--- {why}\n{sql[:600]}\n{plan}")  # noqa: T201


def _explain(connection: Any, sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def _execution_ms(plan: str) -> float:
    match = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return float(match.group(1)) if match else 0.0


if __name__ == "__main__":
    main()
