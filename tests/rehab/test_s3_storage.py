"""Photos and videos through an S3-compatible store (MEDIA_STORAGE=s3, django-storages), against
moto's S3 server on this machine: an upload is stored privately in the bucket, served by the
access-checked view, and a refused upload stores nothing."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.test import override_settings
from django.urls import reverse

from clinic.models import Clinician
from config.env import env_media_storage
from rehab.services import media as media_services
from tests import factories, media
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

moto_server = pytest.importorskip("moto.server")
BUCKET = "rehab-media-test"
KEYS = {"MEDIA_S3_ACCESS_KEY_ID": "testing", "MEDIA_S3_SECRET_ACCESS_KEY": "testing"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(
        ip_address="127.0.0.1", port=_free_port(), verbose=False
    )
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(endpoint: str) -> Iterator[Any]:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    storage = env_media_storage(
        environ={
            "MEDIA_STORAGE": "s3",
            "MEDIA_S3_BUCKET": BUCKET,
            "MEDIA_S3_ENDPOINT_URL": endpoint,
            "MEDIA_S3_REGION": "us-east-1",
            **KEYS,
        }
    )
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    # Django's test signals rebuild the storages when STORAGES changes.
    with override_settings(STORAGES={"default": storage, "staticfiles": static}):
        assert type(storages["default"]).__name__ == "S3Storage"
        yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _objects(client: Any) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_photo_is_stored_privately_and_served_after_the_access_check(
    s3: Any, clinician: Clinician, other_clinician: Clinician
) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    photo = media_services.exercise_media_add(
        exercise=exercise,
        upload=media.upload("heel.jpg", media.jpeg_bytes()),
        uploaded_by=clinician.user,
    )
    keys = _objects(s3)
    assert sorted(keys) == sorted([f"media/{photo.file.name}", f"media/{photo.thumbnail.name}"])
    assert all(key.startswith(f"media/exercises/clinic-{clinician.clinic_id}/") for key in keys)
    acl = s3.get_object_acl(Bucket=BUCKET, Key=f"media/{photo.file.name}")
    assert not [g for g in acl["Grants"] if "AllUsers" in str(g["Grantee"].get("URI", ""))]
    url = reverse("rehab:media_file", args=[photo.key])
    response = client_for(clinician.user).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == photo.file.open("rb").read()
    assert client_for(other_clinician.user).get(url).status_code == 404


def test_a_refused_upload_stores_nothing_in_the_bucket(s3: Any, clinician: Clinician) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    bad = (
        ("drawing.jpg", media.SVG),
        ("empty.mp4", b""),
        ("p.jpg", media.jpeg_bytes() + media.HTML),
    )
    for name, data in bad:
        with pytest.raises(ValidationError):
            media_services.exercise_media_add(
                exercise=exercise, upload=media.upload(name, data), uploaded_by=clinician.user
            )
    assert _objects(s3) == []


def test_a_video_range_is_read_from_the_bucket(s3: Any, clinician: Clinician) -> None:
    exercise = factories.ExerciseFactory(clinic=clinician.clinic)
    video = media_services.exercise_media_add(
        exercise=exercise,
        upload=media.upload("clip.webm", media.clip("clip.webm")),
        uploaded_by=clinician.user,
    )
    response = client_for(clinician.user).get(
        reverse("rehab:media_file", args=[video.key]), headers={"Range": "bytes=0-9"}
    )
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == media.clip("clip.webm")[:10]
