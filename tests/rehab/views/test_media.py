"""Photos and videos are served only by the access-checked view (rehab.views.media): to those
who may see them, with their checked type, never sniffed or cached, in parts for a player."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinician, Patient, User
from rehab.models import ExerciseMedia, Prescription, PrescriptionMedia
from rehab.services import media as media_services
from tests import factories, media
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def rx(clinician: Clinician, patient: Patient) -> Prescription:
    return factories.prescribed(
        patient, exercise=factories.ExerciseFactory(clinic=clinician.clinic)
    )


@pytest.fixture
def photo(rx: Prescription) -> ExerciseMedia:
    return factories.ExerciseMediaFactory(exercise=rx.exercise)


@pytest.fixture
def own_video(rx: Prescription, clinician: Clinician) -> PrescriptionMedia:
    return media_services.prescription_media_add(
        prescription=rx,
        upload=media.upload("clip.mp4", media.clip("clip.mp4")),
        description="Your heel raise, filmed today",
        uploaded_by=clinician.user,
    )


def get(user: User | None, item: Any, *, thumbnail: bool = False, **headers: str) -> Any:
    name = "rehab:media_thumbnail" if thumbnail else "rehab:media_file"
    return client_for(user).get(reverse(name, args=[item.key]), headers=headers)


def test_a_patient_sees_the_photo_of_an_exercise_in_their_plan(
    patient: Patient, photo: ExerciseMedia
) -> None:
    response = get(patient.user, photo)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == photo.file.open("rb").read()
    assert get(patient.user, photo, thumbnail=True).status_code == 200


@pytest.mark.parametrize("who", ["clinician", "colleague"])
def test_the_clinic_sees_it(request: pytest.FixtureRequest, who: str, photo: ExerciseMedia) -> None:
    assert get(request.getfixturevalue(who).user, photo).status_code == 200


def test_another_patient_another_clinic_and_anonymous_do_not(
    other_patient: Patient, other_clinician: Clinician, photo: ExerciseMedia
) -> None:
    assert get(other_patient.user, photo).status_code == 404
    assert get(other_clinician.user, photo).status_code == 404
    response = get(None, photo)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_patients_own_video_is_theirs_and_their_clinics_only(  # noqa: PLR0917
    patient: Patient,
    other_patient: Patient,
    colleague: Clinician,
    other_clinician: Clinician,
    staff: User,
    own_video: PrescriptionMedia,
) -> None:
    assert get(patient.user, own_video)["Content-Type"] == "video/mp4"
    assert get(colleague.user, own_video).status_code == 200
    for outsider in (other_patient.user, other_clinician.user, staff):
        assert get(outsider, own_video).status_code == 404


def test_a_player_gets_the_part_it_asks_for(patient: Patient, own_video: PrescriptionMedia) -> None:
    data = media.clip("clip.mp4")
    response = get(patient.user, own_video, Range="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(response.streaming_content) == data[100:200]
    tail = get(patient.user, own_video, Range="bytes=-50")
    assert b"".join(tail.streaming_content) == data[-50:]
    beyond = get(patient.user, own_video, Range=f"bytes={len(data) + 5}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(data)}"


def test_today_shows_the_photo_and_the_patients_own_video(
    patient: Patient, photo: ExerciseMedia, own_video: PrescriptionMedia
) -> None:
    page = client_for(patient.user).get(reverse("rehab:today")).content.decode()
    assert reverse("rehab:media_thumbnail", args=[photo.key]) in page
    assert reverse("rehab:media_file", args=[own_video.key]) in page
    assert "Filmed for you by your physiotherapist" in page
    assert 'aria-label="Your heel raise, filmed today"' in page


def test_the_builder_attaches_a_video_for_one_patient(
    clinician: Clinician, rx: Prescription
) -> None:
    client = client_for(clinician.user)
    response = client.post(
        reverse("rehab:prescription_media_add", args=[rx.pk]),
        {"upload": media.upload("clip.webm", media.clip("clip.webm")), "description": "Today"},
    )
    assert response.status_code == 302
    video = rx.media.get()
    assert (video.kind, video.content_type, video.duration_seconds) == ("video", "video/webm", 2)
    page = client.get(response["Location"]).content.decode()
    assert "Attached to" in page
    assert reverse("rehab:media_file", args=[video.key]) in page


def test_a_photo_sent_twice_is_attached_once(clinician: Clinician, rx: Prescription) -> None:
    client = client_for(clinician.user)
    url = reverse("rehab:prescription_media_add", args=[rx.pk])
    for _ in range(2):  # a double click
        response = client.post(
            url, {"upload": media.upload("heel.jpg", media.jpeg_bytes()), "description": "Side"}
        )
        assert response.status_code == 302
    assert rx.media.count() == 1
    # Another photo (another description) is another.
    client.post(
        url, {"upload": media.upload("heel.jpg", media.jpeg_bytes()), "description": "Back"}
    )
    assert rx.media.count() == 2


def test_the_same_upload_page_sent_again_minutes_later_attaches_once(
    clinician: Clinician, rx: Prescription
) -> None:
    """A retry after the resubmit window (a slow upload retried, Back then Attach again)
    carries the form's id and goes where the first went; another form's id is another."""
    client = client_for(clinician.user)
    url = reverse("rehab:prescription_media_add", args=[rx.pk])
    page = str(uuid.uuid4())

    def send(client_uuid: str) -> Any:
        upload = media.upload("heel.jpg", media.jpeg_bytes())
        return client.post(
            url, {"upload": upload, "description": "Side", "client_uuid": client_uuid}
        )

    first = send(page)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        again = send(page)
        assert rx.media.count() == 1
        assert first.status_code == again.status_code == 302
        assert first["Location"] == again["Location"]
        send(str(uuid.uuid4()))  # another form: another photo
    assert rx.media.count() == 2


def test_the_upload_form_carries_an_id_made_once(clinician: Clinician) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    client = client_for(clinician.user)
    url = reverse("rehab:library_detail", args=[exercise.pk])
    ids = [re.findall(r'name="client_uuid" value="([0-9a-f-]{36})"', client.get(url).text)]
    ids.append(re.findall(r'name="client_uuid" value="([0-9a-f-]{36})"', client.get(url).text))
    assert len(ids[0]) == len(ids[1]) == 1
    assert ids[0] != ids[1]


def test_the_id_of_another_clinics_photo_is_refused(clinician: Clinician, rx: Prescription) -> None:
    theirs = factories.ExerciseMediaFactory(
        exercise=factories.ExerciseFactory(clinic=factories.ClinicFactory()),
        description="Their secret photo",
        client_uuid=uuid.uuid4(),
    )
    response = client_for(clinician.user).post(
        reverse("rehab:exercise_media_add", args=[rx.exercise.pk]),
        {
            "upload": media.upload("heel.jpg", media.jpeg_bytes()),
            "client_uuid": str(theirs.client_uuid),
        },
    )
    assert response.status_code == 400
    assert "This id is already in use" in response.text
    assert "Their secret photo" not in response.text
    assert not rx.exercise.media.exists()


def test_a_bad_video_for_a_patient_is_refused_with_its_reason(
    clinician: Clinician, rx: Prescription, settings: Any
) -> None:
    settings.MEDIA_VIDEO_MAX_BYTES = 1000
    response = client_for(clinician.user).post(
        reverse("rehab:prescription_media_add", args=[rx.pk]),
        {"upload": media.upload("clip.mp4", media.clip("clip.mp4"))},
        follow=True,
    )
    assert "Not attached: This video is" in response.content.decode()
    assert not rx.media.exists()


def test_a_refused_photo_is_shown_again_on_its_form_with_the_description_kept(
    clinician: Clinician, rx: Prescription
) -> None:
    """A file the checks refuse (a JPEG named ``.png``) comes back on the builder with the
    attach form open, its reason on the form and the description typed still in it: not a
    redirect that closes the form and drops what was typed."""
    response = client_for(clinician.user).post(
        reverse("rehab:prescription_media_add", args=[rx.pk]),
        {"upload": media.upload("heel.png", media.jpeg_bytes()), "description": "Heel, side"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    form = page[page.index(f'action="{reverse("rehab:prescription_media_add", args=[rx.pk])}"') :]
    form = form[: form.index("</form>")]
    assert "but it contains a JPEG image" in form
    assert 'value="Heel, side"' in form
    assert not rx.media.exists()


def test_another_clinic_cannot_attach_or_remove(
    other_clinician: Clinician, rx: Prescription, own_video: PrescriptionMedia
) -> None:
    client = client_for(other_clinician.user)
    upload = {"upload": media.upload("photo.jpg", media.jpeg_bytes())}
    assert (
        client.post(reverse("rehab:prescription_media_add", args=[rx.pk]), upload).status_code
        == 404
    )
    remove = reverse("rehab:prescription_media_remove", args=[rx.pk, own_video.key])
    assert client.post(remove).status_code == 404
    assert rx.media.count() == 1


def test_a_moved_logged_exercise_keeps_the_patients_video(
    clinician: Clinician, rx: Prescription, own_video: PrescriptionMedia
) -> None:
    from rehab.services import builder  # noqa: PLC0415

    factories.ExerciseLogFactory(prescription=rx)
    later = factories.PlanPhaseFactory(plan=rx.phase.plan, order=9, start_week=0, end_week=60)
    copy = builder.prescription_move_to_phase(prescription=rx, phase=later, expected_version=None)
    assert copy.pk != rx.pk
    assert list(copy.media.all()) == [own_video]
