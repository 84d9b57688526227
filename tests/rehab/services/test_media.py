"""The photo and video services, sent again: the form's id finds what it added, however late."""

from __future__ import annotations

import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import Clinician, Patient
from core.resubmit import RESUBMIT_WINDOW
from rehab.models import Prescription, PrescriptionMedia
from rehab.services import media as media_services
from tests import factories, media

pytestmark = pytest.mark.django_db


def _attach(rx: Prescription, clinician: Clinician, client_uuid: uuid.UUID) -> PrescriptionMedia:
    return media_services.prescription_media_add(
        prescription=rx,
        upload=media.upload("heel.jpg", media.jpeg_bytes()),
        description="Side",
        uploaded_by=clinician.user,
        client_uuid=client_uuid,
    )


def test_the_same_form_sent_again_later_returns_its_photo(
    clinician: Clinician, patient: Patient
) -> None:
    rx = factories.prescribed(patient)
    form = uuid.uuid4()
    first = _attach(rx, clinician, form)
    with time_machine.travel(timezone.now() + RESUBMIT_WINDOW * 10):
        again = _attach(rx, clinician, form)
    assert again.pk == first.pk
    assert rx.media.count() == 1
    # Two forms within seconds are two uploads (the window applies only without an id).
    _attach(rx, clinician, uuid.uuid4())
    assert rx.media.count() == 2


def test_the_id_of_another_patients_photo_is_refused(
    clinician: Clinician, patient: Patient
) -> None:
    theirs = factories.prescribed(factories.PatientFactory(clinic=clinician.clinic))
    used = _attach(theirs, clinician, uuid.uuid4())
    rx = factories.prescribed(patient)
    with pytest.raises(ValidationError) as refused:
        _attach(rx, clinician, used.client_uuid)
    assert refused.value.error_dict["client_uuid"][0].code == "client_uuid_in_use"
    assert not rx.media.exists()
