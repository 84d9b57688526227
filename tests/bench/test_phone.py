"""bench/phone.py reads the pages as a browser does. First on snippets; then on the real pages
of a tiny ``seed_scale`` run, walking a patient's visit and a clinician's round the way the
locustfile does, with CSRF enforced: if a page or the tick's contract changes, this says so
before a benchmark run quietly stops ticking."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from bench import data, phone

CARD = (
    '<article class="card rehab-card mb-3" id="rx-GZUcnUYI" aria-labelledby="rx-GZUcnUYI-name" '
    'data-rx="GZUcnUYI" data-sets="3" data-times="2" data-reps="10" data-hold="" '
    'data-sessions="1">'
)


def test_cards_read_the_today_cards_data_attributes() -> None:
    page = f"<main>{CARD}</article><article class='other'></article></main>"
    assert phone.cards(page) == [phone.Card(prescription="GZUcnUYI", sets=3, times=2, sessions=1)]
    assert phone.cards(page)[0].open
    assert not phone.Card(prescription="a", sets=1, times=1, sessions=1).open
    assert phone.cards("<p>rest day</p>") == []


def test_the_tick_goes_where_the_today_page_says_else_to_the_api() -> None:
    page = (
        '<script id="today-config" type="application/json">'
        '{"today": "2026-12-01", "logsUrl": "/api/v1/logs/"}'
        "</script>"
    )
    config = phone.today_config(page)
    assert config["today"] == "2026-12-01"
    route = phone.tick_route(config)
    assert route == phone.TickRoute("/api/v1/logs/", "/api/v1/logs/{id}/", api=True)
    assert phone.tick_route({}) == phone.TickRoute("/api/v1/logs/", "/api/v1/logs/{id}/", api=True)
    # A page from before the script ticked through the API: its form views, asking for JSON.
    older = {"logCreateUrl": "/me/logs/", "logUpdateUrl": "/me/logs/0/"}
    assert phone.tick_route(older) == phone.TickRoute("/me/logs/", "/me/logs/{id}/", api=False)
    assert phone.tick_route({"logCreateUrl": "/api/v1/logs/", "logUpdateUrl": "x"}).api
    assert phone.today_config("<p></p>") == {}


def test_a_tick_and_its_feedback_are_sent_as_the_script_sends_them() -> None:
    card = phone.Card(prescription="GZUcnUYI", sets=3, times=1, sessions=0)
    form = phone.TickRoute("/me/logs/", "/me/logs/{id}/", api=False)
    tick = phone.tick_request(form, client_uuid="u-1", card=card, day="2026-12-01", csrf="t")
    assert (tick.method, tick.path, tick.content_type) == (
        "POST",
        "/me/logs/",
        "application/x-www-form-urlencoded",
    )
    assert tick.body == "client_uuid=u-1&prescription=GZUcnUYI&sets_done=3&date=2026-12-01"
    assert tick.headers["Accept"] == "application/json"
    assert tick.headers["X-CSRFToken"] == "t"
    feedback = phone.feedback_request(form, "7", pain=2, effort=5, csrf="t")
    assert (feedback.method, feedback.path, feedback.body) == (
        "POST",
        "/me/logs/7/",
        "pain=2&effort=5&note=",
    )
    api = phone.TickRoute("/api/v1/logs/", "/api/v1/logs/{id}/", api=True)
    tick = phone.tick_request(api, client_uuid="u-1", card=card, day="", csrf="t")
    assert tick.content_type == "application/json"
    assert tick.body == '{"client_uuid": "u-1", "prescription": "GZUcnUYI", "sets_done": 3}'
    feedback = phone.feedback_request(api, "bSi4Q5iy", pain=2, effort=5, csrf="t")
    assert (feedback.method, feedback.path) == ("PATCH", "/api/v1/logs/bSi4Q5iy/")
    assert phone.stored_id('{"id": "bSi4Q5iy", "pain": null}') == "bSi4Q5iy"
    assert phone.stored_id('{"id": 41, "pain": null}') == "41"  # code before opaque ids
    assert phone.stored_id('{"id": true}') is None
    assert phone.stored_id("<html>") is None


def test_tokens_hidden_fields_ids_and_page_numbers() -> None:
    page = (
        '<body hx-headers=\'{"X-CSRFToken": "abc"}\'>'
        '<input type="hidden" name="client_uuid" value="u-9" id="id_client_uuid">'
        '<a href="/clinic/patients/GZUcnUYI/">A</a>'
        '<a href="/clinic/patients/GZUcnUYI/messages/">m</a>'
        '<a href="/clinic/patients/new/">new</a>'
        '<a href="/clinic/patients/x6RbvT2q/">B</a> <a href="/clinic/patients/GZUcnUYI/">A again</a>'
        '<form action="/clinic/alerts/Pq7wLm3zK/acknowledge/" method="post"></form>'
        '<a class="page-link" href="?page=3">Next</a><a href="?q=x&amp;page=1">Previous</a>'
    )
    assert phone.csrf_token(page) == "abc"
    assert phone.csrf_token('<input name="csrfmiddlewaretoken" value="xyz">') == "xyz"
    assert phone.hidden_value(page, "client_uuid") == "u-9"
    assert phone.hidden_value(page, "other") == ""
    assert phone.ids(page, "/clinic/patients/{id}/") == ["GZUcnUYI", "x6RbvT2q"]
    assert phone.ids(page, "/clinic/alerts/{id}/acknowledge/") == ["Pq7wLm3zK"]
    assert phone.page_numbers(page) == [3, 1]
    form = phone.form_request("/clinic/alerts/9/acknowledge/", {}, "abc", htmx=True)
    assert form.headers["HX-Request"] == "true"
    assert form.body == "csrfmiddlewaretoken=abc"


# --- The real pages -----------------------------------------------------------------------


def signed_in(email: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(email=email))
    return client


def send(client: Client, request: phone.Request) -> tuple[int, str]:
    extra = {k: v for k, v in request.headers.items() if k != "Content-Type"}
    response = client.generic(
        request.method,
        request.path,
        request.body,
        content_type=request.content_type,
        headers=extra,
    )
    return response.status_code, response.content.decode()


@pytest.mark.usefixtures("scale_data")
def test_a_patients_visit_as_the_locustfile_makes_it() -> None:
    me = signed_in(data.BENCH_PATIENT)
    page = me.get("/me/").content.decode()
    cards = phone.cards(page)
    assert cards, "no exercise card on Today: bench/phone.py no longer reads the page"
    assert all(card.open for card in cards)  # --no-today: nothing done yet
    config = phone.today_config(page)
    assert config.get("today")
    route = phone.tick_route(config)
    # The tick and its pain and effort go where Today's script sends them: the API, in JSON.
    assert route == phone.TickRoute("/api/v1/logs/", "/api/v1/logs/{id}/", api=True)
    csrf = phone.csrf_token(page)
    assert csrf

    card = cards[0]
    tick = phone.tick_request(
        route,
        client_uuid="7f0c3f9e-4b7c-4d3e-9c1e-0a1b2c3d4e5f",
        card=card,
        day=config["today"],
        csrf=csrf,
    )
    status, answer = send(me, tick)
    assert status == 201, answer
    stored = phone.stored_id(answer)
    assert stored
    status, repeated = send(me, tick)  # sent again: the stored tick, not a second one
    assert status == 200
    assert phone.stored_id(repeated) == stored
    status, _ = send(me, phone.feedback_request(route, stored, pain=7, effort=4, csrf=csrf))
    assert status == 200
    log = me.get(f"/api/v1/logs/{stored}/").json()
    assert (log["pain"], log["effort"]) == (7, 4)
    again = {c.prescription: c for c in phone.cards(me.get("/me/").content.decode())}
    assert again[card.prescription].sessions == card.sessions + 1

    checkin = me.get("/me/check-in/").content.decode()
    fields = {
        "client_uuid": phone.hidden_value(checkin, "client_uuid"),
        "pain_at_rest": "1",
        "swelling": "mild",
        "note": "bench 1",
    }
    assert fields["client_uuid"]
    form = phone.form_request("/me/check-in/", fields, phone.csrf_token(checkin))
    assert send(me, form)[0] == 302
    thread = me.get("/me/messages/").content.decode()
    form = phone.form_request("/me/messages/", {"body": "bench 2"}, phone.csrf_token(thread))
    assert send(me, form)[0] == 302


@pytest.mark.usefixtures("scale_data")
def test_a_clinicians_round_as_the_locustfile_makes_it() -> None:
    # A patient's tick with pain 7 raises an alert for the clinic.
    patient = signed_in(data.BENCH_PATIENT)
    page = patient.get("/me/").content.decode()
    route = phone.tick_route(phone.today_config(page))
    csrf = phone.csrf_token(page)
    card = phone.cards(page)[0]
    _, answer = send(
        patient,
        phone.tick_request(
            route, client_uuid="1e0c3f9e-4b7c-4d3e-9c1e-0a1b2c3d4e5f", card=card, day="", csrf=csrf
        ),
    )
    stored = phone.stored_id(answer)
    assert stored
    send(patient, phone.feedback_request(route, stored, pain=8, effort=4, csrf=csrf))

    me = signed_in(data.THERAPISTS[0])
    assert me.get("/clinic/").status_code == 200
    listing = me.get("/clinic/patients/?page=1").content.decode()
    patients = phone.ids(listing, "/clinic/patients/{id}/")
    assert patients
    detail = me.get(f"/clinic/patients/{patients[0]}/").content.decode()
    plans = phone.ids(detail, "/clinic/plans/{id}/")
    assert plans
    assert me.get(f"/clinic/plans/{plans[0]}/").status_code == 200
    path = f"/clinic/patients/{patients[0]}/messages/"
    thread = me.get(path).content.decode()
    assert (
        send(me, phone.form_request(path, {"body": "bench 3"}, phone.csrf_token(thread)))[0] == 302
    )
    alerts = me.get("/clinic/alerts/").content.decode()
    open_alerts = phone.ids(alerts, "/clinic/alerts/{id}/acknowledge/")
    assert open_alerts
    form = phone.form_request(
        f"/clinic/alerts/{open_alerts[0]}/acknowledge/", {}, phone.csrf_token(alerts), htmx=True
    )
    assert send(me, form)[0] in (200, 302)
    assert open_alerts[0] not in phone.ids(
        me.get("/clinic/alerts/").content.decode(), "/clinic/alerts/{id}/acknowledge/"
    )
