"""The patient turns reminders on from their phone (after a completed session), the browser
subscribes to push, and a due reminder reaches it.

The browser's own push service cannot be reached from here, so ``PushManager.subscribe`` is
replaced in the page by one that returns a subscription whose endpoint is a push service this
test runs on 127.0.0.1 (it checks the VAPID signature and decrypts the payload with the keys
only the "browser" holds). Everything else is real: the permission, the service worker at
/sw.js, the page's script, the server's subscription endpoint, the scheduler's job, the
worker's delivery with pywebpush.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Page, expect

from notify import services as notify_services
from notify import tasks
from notify.models import PushSubscription, ReminderSettings
from rehab import services
from tests.e2e.conftest import check_page
from tests.e2e.helpers import PASSWORD, eventually, patient_with_password, sign_in
from tests.notify.helpers import VAPID_PUBLIC, push_settings, run_tasks
from tests.notify.push_service import PushService, b64decode

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "reminders"

# Replaces the browser's push subscription with one at the test's push service; it lasts
# across page loads (localStorage), as a real subscription would.
FAKE_PUSH = """
(() => {
  const fake = %s;
  const KEY = "test.fake-push";
  const make = () => ({
    endpoint: fake.endpoint,
    expirationTime: null,
    options: null,
    toJSON() { return { endpoint: fake.endpoint, expirationTime: null, keys: fake.keys }; },
    async unsubscribe() { localStorage.removeItem(KEY); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    localStorage.setItem("test.applicationServerKey", JSON.stringify(Array.from(key)));
    localStorage.setItem(KEY, "1");
    return make();
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem(KEY) ? make() : null;
  };
})();
"""


@pytest.fixture
def push_service(settings: Any) -> Iterator[PushService]:
    push_settings(settings)
    service = PushService(expected_vapid_key=VAPID_PUBLIC)
    service.start()
    yield service
    service.stop()


def test_the_patient_turns_reminders_on_and_a_due_reminder_reaches_the_phone(
    live_server: Any, phone: Page, push_service: PushService
) -> None:
    scene, _user = patient_with_password()
    patient = scene.patient
    # Today's session done: every exercise due today ticked once.
    for rx in scene.plan.current_phase.prescriptions.all():
        services.log_record(
            patient=patient, prescription=rx, client_uuid=uuid.uuid4(), sets_done=rx.sets
        )
    subscription = push_service.subscribe()
    page = phone
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.add_init_script(FAKE_PUSH % json.dumps(subscription))

    sign_in(page, live_server.url, "robin@patient.example", PASSWORD)
    expect(page.get_by_text("Well done: today's session is done.")).to_be_visible()
    page.get_by_role("link", name="Set up reminders").click()

    expect(page.get_by_role("heading", name="Reminders", exact=True)).to_be_visible()
    expect(page.get_by_text("Notifications are off in this browser.")).to_be_visible()
    check_page(page, JOURNEY, "reminders-off")
    page.get_by_label("Remind me to do my exercises").check()
    page.get_by_label("Morning reminder").fill("08:00")
    page.get_by_label("Evening reminder").fill("")
    page.get_by_role("group", name="How to remind me").get_by_label(
        "A notification on this phone"
    ).check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Reminders are on.")).to_be_visible()
    expect(page.get_by_text("Notifications are on in this browser.")).to_be_visible()
    check_page(page, JOURNEY, "reminders-on")
    eventually(page, lambda: PushSubscription.objects.filter(user=patient.user).exists())
    stored = PushSubscription.objects.get(user=patient.user)
    assert stored.endpoint == subscription["endpoint"]
    assert stored.p256dh == subscription["keys"]["p256dh"]
    # The page subscribed with the site's VAPID public key.
    used_key = page.evaluate("JSON.parse(localStorage.getItem('test.applicationServerKey'))")
    assert bytes(used_key) == b64decode(VAPID_PUBLIC)
    # The service worker is the site's, at the root, with the push handlers imported.
    worker_url = page.evaluate(
        "navigator.serviceWorker.getRegistration('/sw.js').then(r => r && r.active && r.active.scriptURL)"
    )
    assert worker_url == f"{live_server.url}/sw.js"

    settings_row = ReminderSettings.objects.get(patient=patient)
    assert (settings_row.enabled, settings_row.channel) == (True, "push")
    assert settings_row.next_reminder_at is not None

    # The next 08:00 where the patient is: the scheduler's tick, the worker's delivery.
    due = settings_row.next_reminder_at
    assert due.astimezone(patient.tz).time() == dt.time(8, 0)
    if due.astimezone(patient.tz).date() == patient.local_today():
        # Run before 08:00 (the patient's): this morning's reminder finds today's session done
        # and stays silent; the next is tomorrow's.
        with time_machine.travel(due, tick=False):
            tasks.every_minute.enqueue(due.isoformat())
            run_tasks()
        assert push_service.received == []
        settings_row.refresh_from_db()
        due = settings_row.next_reminder_at
        assert due is not None
        assert due.astimezone(patient.tz).date() == patient.local_today() + dt.timedelta(days=1)
    with time_machine.travel(due, tick=False):
        tasks.every_minute.enqueue(due.isoformat())
        run_tasks()
    assert len(push_service.received) == 1, push_service.refused
    assert push_service.received[0].payload == {
        "title": "Your exercises for today",
        "body": "Your exercises for today are waiting for you.",
        "url": "/me/",
        "tag": "reminder",
    }

    # The patient sees it in their history.
    page.reload()
    history = page.get_by_role("region", name="What we sent you")
    expect(history.get_by_text("Exercise reminder · Notification")).to_be_visible()
    expect(history.get_by_text("Delivered")).to_be_visible()


def test_signing_out_stops_notifications_to_this_phone(
    live_server: Any, phone: Page, push_service: PushService
) -> None:
    # A patient who signs out of a shared or handed-on phone no longer gets its reminders: the
    # server forgets the subscription of the session that signed out, and the phone
    # unsubscribes from its push service too.
    _scene, user = patient_with_password()
    page = phone
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.add_init_script(FAKE_PUSH % json.dumps(push_service.subscribe()))
    _open_reminders(page, live_server.url)
    page.get_by_role("button", name="Turn on notifications in this browser").click()
    expect(page.get_by_text("Notifications are on in this browser.")).to_be_visible()
    eventually(page, lambda: PushSubscription.objects.filter(user=user).exists())

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert not PushSubscription.objects.filter(user=user).exists()
    assert page.evaluate("localStorage.getItem('test.fake-push')") is None


# iPhone Safari outside a home-screen app: no Notification, PushManager or service worker.
IPHONE_SAFARI = """
(() => {
  Object.defineProperty(Navigator.prototype, "userAgent", {
    get: () => "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
      + "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  });
  delete window.Notification;
  delete window.PushManager;
  delete Navigator.prototype.serviceWorker;
})();
"""
# A browser whose settings block this site's notifications.
BLOCKED = """
(() => {
  Object.defineProperty(Notification, "permission", { get: () => "denied" });
  Notification.requestPermission = async () => "denied";
})();
"""


def _open_reminders(page: Page, base_url: str) -> None:
    """Sign in as the patient of ``patient_with_password`` and open their Reminders page."""
    sign_in(page, base_url, "robin@patient.example", PASSWORD)
    page.goto(f"{base_url}/me/reminders/")


def _push_options(page: Page) -> list[Any]:
    return [
        page.get_by_role("group", name=group).get_by_label(label, exact=True)
        for group in (
            "How to remind me",
            "When the clinic replies to me",
            "When the clinic asks me to answer questions",
        )
        for label in ("A notification on this phone", "Both")
    ]


@pytest.mark.parametrize(
    "case",
    [
        (IPHONE_SAFARI, "add this app to your home screen", "iphone-safari"),
        (BLOCKED, "notifications are blocked in this browser", "blocked"),
    ],
    ids=["iphone-safari", "blocked"],
)
def test_a_browser_that_cannot_show_notifications_is_told_why_and_offered_email(
    live_server: Any, small_phone: Page, push_service: PushService, case: tuple[str, str, str]
) -> None:
    browser_script, said, name = case
    # It was offered "A notification on this phone", saved it, and never heard a thing.
    scene, _user = patient_with_password()
    patient = scene.patient
    notify_services.reminder_settings_save(
        patient=patient,
        enabled=True,
        morning=dt.time(8, 0),
        evening=None,
        channel="push",
        replies="both",
        requests="push",
    )
    page = small_phone
    page.add_init_script(browser_script)
    _open_reminders(page, live_server.url)

    status = page.get_by_role("status").filter(has_text=re.compile(said, re.IGNORECASE))
    expect(status).to_be_visible()
    expect(page.get_by_role("button", name="Turn on notifications in this browser")).to_be_hidden()
    for option in _push_options(page):
        expect(option).to_be_disabled()
    # What needed notifications is set to email, and the patient is told so beside each.
    for group in ("How to remind me", "When the clinic replies to me"):
        expect(
            page.get_by_role("group", name=group).get_by_label("An email", exact=True)
        ).to_be_checked()
    check_page(page, JOURNEY, f"no-notifications-{name}")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Reminders are on.")).to_be_visible()
    row = ReminderSettings.objects.get(patient=patient)
    assert (row.channel, row.replies, row.requests) == ("email", "email", "email")


def test_refusing_the_browser_s_prompt_offers_email_at_once(
    live_server: Any, small_phone: Page, push_service: PushService
) -> None:
    # The patient picks "A notification on this phone", saves, and answers the browser's
    # question "Block": the page said "choose email" but still offered only what had just
    # been refused, and Save asked again, to no end.
    scene, _user = patient_with_password()
    page = small_phone
    page.add_init_script(
        "(() => { Notification.requestPermission = async () => {"
        " Object.defineProperty(Notification, 'permission', { get: () => 'denied' });"
        " return 'denied'; }; })();"
    )
    _open_reminders(page, live_server.url)
    page.get_by_label("Remind me to do my exercises").check()
    page.get_by_role("group", name="How to remind me").get_by_label(
        "A notification on this phone"
    ).check()
    page.get_by_role("button", name="Save").click()

    status = page.get_by_role("status").filter(
        has_text=re.compile("notifications are blocked in this browser", re.IGNORECASE)
    )
    expect(status).to_be_visible()
    for option in _push_options(page):
        expect(option).to_be_disabled()
    expect(
        page.get_by_role("group", name="How to remind me").get_by_label("An email", exact=True)
    ).to_be_checked()
    check_page(page, JOURNEY, "notifications-refused")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Reminders are on.")).to_be_visible()
    assert ReminderSettings.objects.get(patient=scene.patient).channel == "email"
