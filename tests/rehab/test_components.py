"""The templates' shared components (templates/components/, drawn by tags of rehab_desk): each
renders the markup the pages wrote out before."""

from __future__ import annotations

from django import forms
from django.template import Context, Template
from django.urls import reverse


def _render(source: str, **context: object) -> str:
    return Template("{% load i18n rehab_desk %}" + source).render(Context(context))


class _NoteForm(forms.Form):
    note = forms.CharField()


def test_post_form_is_one_button_posting_to_the_view_with_the_pages_token() -> None:
    html = _render(
        '{% post_form "clinic:patient_archive" 7 label=_("Archive") button="btn-outline-secondary" %}',
        csrf_token="token123",
    )
    action = reverse("clinic:patient_archive", args=[7])
    assert f'<form method="post" action="{action}">' in html
    assert 'name="csrfmiddlewaretoken" value="token123"' in html
    assert '<button type="submit" class="btn btn-outline-secondary">Archive</button>' in html
    assert html.count("<input") == 1


def test_post_form_puts_the_fields_before_the_button_and_its_class_on_the_form() -> None:
    html = _render(
        '{% post_form "clinic:session_end_others" label=label button="btn-primary btn-sm"'
        ' fields=form form_class="mt-2" %}',
        csrf_token="token123",
        label="Save <now>",
        form=_NoteForm(),
    )
    action = reverse("clinic:session_end_others")
    assert f'<form method="post" action="{action}" class="mt-2">' in html
    assert html.index('name="note"') < html.index("<button")
    assert '<button type="submit" class="btn btn-primary btn-sm">Save &lt;now&gt;</button>' in html


def test_back_link_is_the_link_alone_on_its_line() -> None:
    html = _render('{% back_link "clinic:team" label=_("Back to the team") %}')
    href = reverse("clinic:team")
    assert html.split() == [
        "<p",
        'class="mb-1">',
        "<a",
        f'href="{href}">Back',
        "to",
        "the",
        "team</a>",
        "</p>",
    ]


def test_back_link_takes_the_views_name_and_arguments_from_the_context() -> None:
    html = _render(
        "{% back_link view pk label=label %}",
        view="rehab:library_detail",
        pk=3,
        label="Back to Heel & toe",
    )
    assert (
        f'<a href="{reverse("rehab:library_detail", args=[3])}">Back to Heel &amp; toe</a>' in html
    )


def test_title_bar_is_the_title_and_its_one_action() -> None:
    html = _render(
        '{% title_bar title "clinic:patient_create" label=_("Add a patient") button="btn-primary" %}',
        title="Patients & more",
    )
    href = reverse("clinic:patient_create")
    assert '<h1 class="h3 mb-0">Patients &amp; more</h1>' in html
    assert f'<a class="btn btn-primary" href="{href}">Add a patient</a>' in html


class _ChoiceForm(forms.Form):
    pick = forms.ChoiceField(choices=[("a", "A & B"), ("b", "C")], widget=forms.RadioSelect)


def test_radio_choice_is_the_input_and_its_label() -> None:
    html = _render(
        '{% for radio in form.pick %}{% include "components/radio_choice.html" with spaced=forloop.first %}'
        "{% endfor %}",
        form=_ChoiceForm(),
    )
    assert html.count('<div class="form-check mb-2">') == 1
    assert html.count('<div class="form-check">') == 1
    assert 'name="pick" value="a"' in html
    assert '<label class="form-check-label" for="id_pick_0">A &amp; B</label>' in html


def test_titled_list_is_the_heading_and_its_items_only_when_there_are_some() -> None:
    source = '{% include "components/titled_list.html" with title=_("Tips") items=items level=4 size="h6" %}'
    html = _render(source, items=["Slow & steady", "Breathe"])
    assert '<h4 class="h6">Tips</h4>' in html
    assert "<li>Slow &amp; steady</li><li>Breathe</li>" in html
    assert not _render(source, items=[]).strip()


def test_fieldset_is_the_legend_and_each_fields_group_in_order() -> None:
    form = _ChoiceForm()
    html = _render(
        '{% fieldset _("Sign-in") form.pick margin="mb-3" %}',
        form=form,
    )
    assert html.split("<legend", 1)[0].strip() == '<fieldset class="mb-3">'
    assert '<legend class="h5">Sign-in</legend>' in html
    assert str(form["pick"].as_field_group()) in html
    assert _render('{% fieldset _("Sign-in") %}').count('<fieldset class="mb-4">') == 1


def test_out_of_ten_says_when_there_is_no_answer() -> None:
    assert _render("{{ 0|out_of_ten }} {{ 10|out_of_ten }} {{ none|out_of_ten }}", none=None) == (
        "0/10 10/10 not answered"
    )


def test_nav_pill_marks_the_view_the_list_shows() -> None:
    source = '{% nav_pill href _("My patients") shows=True current=current %}'
    shown = _render(source, href="?show=mine&q=a", current=True)
    assert " ".join(shown.split()) == (
        '<li class="nav-item"> <a class="nav-link active" aria-current="page"'
        ' href="?show=mine&amp;q=a">My patients</a> </li>'
    )
    other = _render(source, href="?show=mine", current=False)
    assert 'class="nav-link"' in other
    assert "aria-current" not in other
