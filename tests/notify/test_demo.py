"""The demo data has a red flag, so that `make run` shows an alert reaching the clinic."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from rehab.models import Alert
from tests.notify.helpers import run_tasks

pytestmark = pytest.mark.django_db


def test_the_demo_red_flag_emails_the_demo_physiotherapist_once() -> None:
    call_command("seed_demo", "--force", verbosity=0)
    run_tasks()
    assert [m.to for m in mail.outbox if "Urgent" in m.subject] == [["physio@demo.example"]]

    call_command("seed_demo", "--force", verbosity=0)  # again: no second red flag, no second email
    run_tasks()
    assert Alert.objects.filter(kind=Alert.Kind.RED_FLAG).count() == 1
    assert len([m for m in mail.outbox if "Urgent" in m.subject]) == 1
