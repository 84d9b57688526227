"""The clinic runs itself (issue 21's acceptance): a clinic admin invites a physiotherapist,
who creates an exercise with a photo, prescribes it, attaches a short video for one patient,
saves the plan as a template and uses it for a second patient; the patient sees the photo and
the video on Today; another clinic's physiotherapist gets 404 on the media URL. axe clean at
phone and desktop size."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from clinic.models import Clinician
from rehab import services
from rehab.models import ExerciseMedia, Plan, PrescriptionMedia, Protocol
from tests import factories, media
from tests.e2e.conftest import DESKTOP, SMALL_PHONE, check_page, close_context
from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
JOURNEY = "clinic-self-service"
NEW_PASSWORD = "a-Long-physio-passphrase-21"
EXERCISE = "Towel-assisted ankle pumps"


def _patient(clinic: object, first: str, email: str) -> object:
    surgery = timezone.localdate() - dt.timedelta(weeks=3)
    return factories.PatientFactory(
        clinic=clinic,
        user=factories.UserFactory(email=email),
        first_name=first,
        last_name="Walker",
        email=email,
        injury_date=surgery - dt.timedelta(days=2),
        surgery_date=surgery,
    )


def test_the_clinic_runs_itself(live_server: object, browser: Browser, desktop: Page) -> None:
    base = str(live_server)
    admin = factories.ClinicAdminFactory(
        user__email="admin@clinic.example", user__full_name="Ada Admin"
    )
    robin = _patient(admin.clinic, "Robin", "robin@patient.example")
    kit = _patient(admin.clinic, "Kit", "kit@patient.example")
    draft = services.plan_draft(
        protocol=None, patient=robin, created_by=admin.user, name="Robin's plan"
    )[0]
    factories.PlanPhaseFactory(plan=draft, name="Protected movement", start_week=0, end_week=8)
    factories.ClinicianFactory(user__email="elsewhere@other.example")
    page = desktop

    # The clinic admin invites a physiotherapist.
    sign_in(page, base, "admin@clinic.example", factories.PASSWORD)
    page.get_by_role("link", name="Team").click()
    page.get_by_label("Full name").fill("Tess Therapist")
    page.get_by_label("Email address").fill("tess@clinic.example")
    page.get_by_label("Role").select_option(label="Physiotherapist")
    check_page(page, JOURNEY, "team")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", name="Invitation sent")).to_be_visible()
    check_page(page, JOURNEY, "invited")
    link = urlsplit(page.get_by_role("textbox", name="Invitation link").input_value()).path
    page.get_by_role("button", name="Sign out").click()
    # Signed out (the sign-in page) before the link is opened: a page load then could cut
    # the sign-out short and open the link still signed in as the admin.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    # The physiotherapist sets a password from the link.
    page.goto(f"{base}{link}")
    page.get_by_label(re.compile(r"New password\W*$")).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    tess = Clinician.objects.get(user__email="tess@clinic.example")
    assert tess.clinic_id == admin.clinic_id

    # …creates an exercise of the clinic, with a photo.
    page.get_by_role("link", name="Library").click()
    page.get_by_role("link", name="New exercise").click()
    page.get_by_role("textbox", name="Name", exact=True).fill(EXERCISE)
    page.get_by_label("Category").select_option(label="Mobility")
    page.get_by_label("Summary").fill("Move your foot gently up and down with a towel.")
    page.get_by_label("Steps").fill("Sit with the leg straight\nPump the foot gently")
    page.get_by_label("Default sets").fill("2")
    page.get_by_label("Default reps").fill("15")
    page.locator("#id_source").fill("Clinic protocol")
    check_page(page, JOURNEY, "exercise-form")
    page.get_by_role("button", name="Save the exercise").click()
    expect(page.get_by_role("heading", name=EXERCISE)).to_be_visible()
    page.get_by_label(re.compile(r"^\s*Photo or video\W*$")).set_input_files(
        {"name": "pumps.jpg", "mimeType": "image/jpeg", "buffer": media.jpeg_bytes()}
    )
    page.get_by_label("What it shows").fill("Ankle pumps with a towel, side view")
    page.get_by_role("button", name="Add the photo or video").click()
    expect(page.get_by_role("img", name="Ankle pumps with a towel, side view")).to_be_visible()
    check_page(page, JOURNEY, "exercise")
    photo = ExerciseMedia.objects.get(exercise__name=EXERCISE)

    # …prescribes it to Robin and activates the plan.
    page.goto(f"{base}{reverse('rehab:plan_builder', args=[draft.pk])}")
    page.get_by_label("Search by name").fill("Towel-assisted")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=f"Add {EXERCISE}").click()
    expect(page.get_by_role("link", name=EXERCISE).first).to_be_visible()

    # …attaches a short video filmed for Robin.
    page.get_by_role("link", name=f"Attach a video or photo of {EXERCISE} for Robin").click()
    page.get_by_label(re.compile(r"^\s*Photo or video\W*$")).locator(
        "visible=true"
    ).set_input_files(
        {"name": "robin.webm", "mimeType": "video/webm", "buffer": media.clip("clip.webm")}
    )
    page.get_by_label("What it shows").locator("visible=true").fill("Robin's pumps, today")
    page.get_by_role("button", name="Add the photo or video").locator("visible=true").click()
    expect(page.get_by_text(re.compile("Attached to")).first).to_be_visible()
    # Activation shows what the patient will get first, then asks to confirm.
    page.get_by_role("link", name="Review and activate").click()
    page.get_by_role("button", name=re.compile("^Activate: ")).click()
    expect(page.get_by_text(re.compile("Active: changes are saved"))).to_be_visible()
    check_page(page, JOURNEY, "builder")
    video = PrescriptionMedia.objects.get()

    # …saves the plan as the clinic's template and uses it for Kit.
    page.get_by_role("link", name="Save as a template").click()
    page.get_by_label("Template name").fill("Our early repair plan")
    check_page(page, JOURNEY, "save-as-template")
    page.get_by_role("button", name="Save as a template").click()
    expect(page.get_by_role("heading", name=re.compile("Our early repair plan"))).to_be_visible()
    template = Protocol.objects.get(name="Our early repair plan")
    page.goto(f"{base}{reverse('rehab:plan_create', args=[kit.pk])}")
    expect(page.get_by_role("heading", name="Your clinic's templates")).to_be_visible()
    page.get_by_label("Our early repair plan (version 1)").check()
    check_page(page, JOURNEY, "plan-from-clinic-template")
    page.get_by_role("button", name="Create draft plan").click()
    # Activation shows what the patient will get first, then asks to confirm.
    page.get_by_role("link", name="Review and activate").click()
    page.get_by_role("button", name=re.compile("^Activate: ")).click()
    expect(page.get_by_text(re.compile("Active: changes are saved"))).to_be_visible()
    kits = Plan.objects.get(patient=kit)
    assert kits.protocol == template
    assert [rx.exercise.name for rx in kits.phases.get().prescriptions.all()] == [EXERCISE]
    assert not PrescriptionMedia.objects.filter(prescription__phase__plan=kits).exists()

    # Robin sees the photo and the video on Today, on the phone.
    phone = browser.new_context(viewport=SMALL_PHONE, has_touch=True, is_mobile=True)
    robin_page = phone.new_page()
    sign_in(robin_page, base, "robin@patient.example", factories.PASSWORD)
    card = robin_page.get_by_role("article", name=EXERCISE)
    expect(card.get_by_role("img", name="Ankle pumps with a towel, side view")).to_be_visible()
    expect(card.locator('video[aria-label="Robin\'s pumps, today"]')).to_be_visible()
    expect(card.get_by_text("Filmed for you by your physiotherapist")).to_be_visible()
    check_page(robin_page, JOURNEY, "today")
    answer = robin_page.request.get(f"{base}/files/{video.key}/")
    assert answer.status == 200
    assert answer.headers["content-type"] == "video/webm"
    close_context(phone)

    # Another clinic's physiotherapist: 404 on both media URLs.
    other = browser.new_context(viewport=DESKTOP)
    other_page = other.new_page()
    sign_in(other_page, base, "elsewhere@other.example", factories.PASSWORD)
    expect(other_page.get_by_role("heading", name="Dashboard")).to_be_visible()
    for key in (photo.key, video.key):
        response = other_page.goto(f"{base}/files/{key}/")
        assert response is not None
        assert response.status == 404
    close_context(other)
