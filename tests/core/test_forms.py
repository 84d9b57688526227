"""How every form is drawn (core.forms.FormRenderer, templates/forms/): Bootstrap's classes by
widget, labels for every input, help and errors linked to the input, and a hidden field's error
said as what to do; a choice of rows refuses an id no row can have."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.core.exceptions import ValidationError

from core.forms import BootstrapBoundField, ModelMultipleChoiceField
from rehab.models import Equipment
from tests import factories


class _Form(forms.Form):
    name = forms.CharField(help_text="As on the card")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"class": "mine"}))
    side = forms.ChoiceField(choices=[("left", "Left"), ("right", "Right")])
    leg = forms.ChoiceField(choices=[("l", "Left"), ("r", "Right")], widget=forms.RadioSelect)
    agree = forms.BooleanField(required=False)
    token = forms.CharField(widget=forms.HiddenInput)


def _input(html: str, name: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def test_every_field_is_a_bound_field_with_bootstraps_class() -> None:
    form = _Form()
    assert isinstance(form["name"], BootstrapBoundField)
    html = str(form)
    assert 'class="form-control"' in _input(html, "name")
    assert 'class="mine form-control"' in _input(html, "notes")  # the form's own class kept
    assert 'class="form-select"' in _input(html, "side")
    assert 'class="form-check-input"' in _input(html, "leg")
    assert 'class="form-check-input"' in _input(html, "agree")
    assert "class=" not in _input(html, "token")  # hidden: no class


def test_every_input_has_a_label_and_choices_are_a_fieldset() -> None:
    html = str(_Form())
    for name in ("name", "notes", "side", "agree"):
        assert f'<label for="id_{name}"' in html, name
    assert re.search(r'<fieldset class="mb-3">\s*<legend class="form-label fs-6">Leg', html)
    assert '<label for="id_leg_0" class="form-check-label">Left</label>' in html
    assert 'id="id_name_helptext"' in html


def test_a_required_field_is_required_to_assistive_tech_too_not_by_a_read_out_star() -> None:
    html = str(_Form())
    # The star is for the eye: a screen reader hears "Name, required" (the input's own
    # attribute), not "Name star".
    label = re.search(r'<label for="id_name"[^>]*>(.*?)</label>', html)
    assert label
    assert label.group(1) == 'Name<span class="asteriskField" aria-hidden="true">*</span>'
    assert " required" in _input(html, "name")
    notes = re.search(r'<label for="id_notes"[^>]*>(.*?)</label>', html)
    assert notes
    assert "asteriskField" not in notes.group(1)
    assert " required" not in _input(html, "notes")


def test_errors_are_marked_and_linked_to_their_input() -> None:
    form = _Form(data={"side": "nowhere", "token": ""})
    assert not form.is_valid()
    html = str(form)
    name = _input(html, "name")
    assert "is-invalid" in name
    assert 'aria-invalid="true"' in name
    assert 'aria-describedby="id_name_helptext id_name_error"' in name
    assert re.search(r'id="id_name_error">\s*<div>This field is required.</div>', html)
    assert "is-invalid" in _input(html, "side")
    assert "is-invalid" not in _input(html, "notes")  # a field without errors stays plain


def test_a_hidden_fields_error_says_what_to_do() -> None:
    form = _Form(data={"name": "Ann", "side": "left", "leg": "l", "token": ""})
    assert not form.is_valid()
    html = str(form)
    assert "The form had expired; please send it again." in html
    assert "Token" not in html  # not the hidden field's name, which says nothing to a person


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["9" * 40, "-" + "9" * 40, "9223372036854775808", " +9" + "9" * 30]
)
def test_a_choice_of_rows_refuses_an_id_beyond_64_bits(value: str) -> None:
    field = ModelMultipleChoiceField(queryset=Equipment.objects.all())
    with pytest.raises(ValidationError) as refused:
        field.clean([value])
    assert refused.value.code == "invalid_pk_value"


@pytest.mark.django_db
def test_a_choice_of_rows_still_takes_its_rows() -> None:
    equipment = factories.EquipmentFactory.create()
    field = ModelMultipleChoiceField(queryset=Equipment.objects.all())
    assert list(field.clean([str(equipment.pk)])) == [equipment]
    with pytest.raises(ValidationError):
        field.clean(["9223372036854775807"])  # the largest id: no such row
