"""What a patient tripped over on the phone (360×740), found by walking through the demo as
Olivia and Noah: each test is one such thing, in the patient's words."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import patient_with_plan, sign_in_to_today

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_copy_kept_offline_does_not_repeat_a_sent_confirmation(
    live_server: object, small_phone: Page
) -> None:
    """A message sent, then the Messages page opened with no connection: the copy kept on the
    phone still said "Your message has been sent." above the offline note, so a patient who
    had just written one offline could think it had gone. A one-time confirmation belongs to
    the moment it was shown, not to the copy kept for later."""
    scene = patient_with_plan(with_user=True)
    page = small_phone
    base = str(live_server)
    sign_in_to_today(page, base, scene.patient.email)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"{base}/me/messages/")
    page.get_by_role("textbox", name="Message").fill("Can I shower without the boot?")
    page.get_by_role("button", name="Send").click()
    sent = page.get_by_text("Your message has been sent.")
    expect(sent).to_be_visible()

    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_text("Offline: this is the copy saved on this phone")).to_be_visible()
    expect(page.get_by_text("Can I shower without the boot?")).to_be_visible()  # the thread
    expect(sent).to_be_hidden()
