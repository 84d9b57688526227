"""Today says when the clinic has replied: a patient asked a question, and nothing but the
Messages page itself (replies are not notified unless the patient turns that on) told them
the answer had come."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import Clinician, Patient
from clinic.services.messages import message_send, messages_mark_read
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
REPLIED = "Your clinic has replied to your message."


def test_today_says_the_clinic_has_replied_until_the_patient_reads_it(
    patient: Patient, clinician: Clinician
) -> None:
    factories.active_plan(patient)
    me = client_for(patient.user)
    message_send(
        patient=patient, author=patient.user, body="Is swelling normal?", from_patient=True
    )
    assert REPLIED not in me.get(reverse("rehab:today")).text  # their own message: nothing new

    message_send(patient=patient, author=clinician.user, body="Yes, at first.", from_patient=False)
    html = me.get(reverse("rehab:today")).text
    assert REPLIED in html
    assert f'href="{reverse("rehab:my_messages")}"' in html

    messages_mark_read(patient=patient, reader=patient.user, reader_is_patient=True)
    assert REPLIED not in me.get(reverse("rehab:today")).text
