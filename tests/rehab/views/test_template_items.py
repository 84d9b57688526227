"""A template's exercise: a refused dose says which exercise and which field in the therapist's
terms, since the page answers with a message at its top, away from the form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import Clinician
from rehab import clinical
from rehab.forms.protocols import TemplateItemForm
from rehab.services import protocols as protocol_services
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_refused_dose_names_the_exercise_and_the_field(clinician: Clinician) -> None:
    protocol = factories.ProtocolFactory(clinic=clinician.clinic, name="Our operative plan")
    phase = factories.ProtocolPhaseFactory(protocol=protocol, start_week=0, end_week=4)
    factories.ProtocolItemFactory(phase=phase, exercise__name="Straight-leg raise")
    draft = protocol_services.template_draft(protocol=protocol, created_by=clinician.user)
    item = draft.phases.get().items.get()
    prefix = f"item-{item.pk}"
    dose = {"sets": "0", "reps": "10", "times_per_day": "1", "days_per_week": "7"}
    page = client_for(clinician.user).post(
        reverse("rehab:template_item_edit", args=[item.pk]),
        {**{f"{prefix}-{k}": v for k, v in dose.items()}, f"{prefix}-side": "injured"},
        follow=True,
    )
    html = page.content.decode()
    # In the therapist's terms, as the plan's dose form says it.
    assert "Straight-leg raise – Sets: At least 1 set." in html
    item.refresh_from_db()
    assert item.sets != 0


def test_the_template_dose_inputs_have_the_doses_limits(clinician: Clinician) -> None:
    # The browser's inputs took 0 sets (the column's own minimum) where 1 is the least.
    item = factories.ProtocolItemFactory(phase__protocol__clinic=clinician.clinic)
    form = TemplateItemForm(instance=item, prefix="item")
    assert form["sets"].field.widget.attrs["min"] == 1
    assert form["sets"].field.widget.attrs["max"] == clinical.SETS_MAX
    assert 'min="1"' in str(form["days_per_week"])
