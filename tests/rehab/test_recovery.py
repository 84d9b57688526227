"""Recovery against the published reference trajectories: every shipped point has a source,
the "behind the published course" and ATRS-below-40 flags, the chart on the patient page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic.models import Clinician, Patient
from rehab import recovery
from rehab.models import AtrsResponse, ReferencePoint
from rehab.selectors import recovery as recovery_selectors
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_every_shipped_point_has_a_source() -> None:
    points = list(ReferencePoint.objects.all())
    assert len(points) == 13
    for point in points:
        assert point.source.strip(), point
        point.full_clean()  # each is a valid point


@pytest.mark.parametrize("source", ["", "   "])
def test_a_point_without_a_source_cannot_be_saved(source: str) -> None:
    point = ReferencePoint(
        measure="atrs", cohort="operative", week=12, value=Decimal(50), statistic="mean", group="x"
    )
    point.source = source
    with pytest.raises(ValidationError) as caught:
        point.full_clean()
    assert "source" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        point.save()


def _patient(pathway: str = "operative", weeks_ago: int = 40) -> Patient:
    injury = dt.date.today() - dt.timedelta(weeks=weeks_ago, days=3)
    return factories.PatientFactory.create(
        pathway=pathway,
        injury_date=injury,
        surgery_date=injury + dt.timedelta(days=3) if pathway == "operative" else None,
    )


def _atrs_on_week(patient: Patient, week: int, total: int) -> AtrsResponse:
    return factories.AtrsResponseFactory.build(
        patient=patient, date=patient.anchor_date + dt.timedelta(weeks=week, days=1), total=total
    )


@pytest.mark.parametrize(("total", "behind"), [(74, True), (75, False), (90, False)])
def test_behind_the_band_where_the_source_gives_a_spread(total: int, behind: bool) -> None:
    patient = _patient()
    result = recovery.recovery(
        patient,
        atrs=[_atrs_on_week(patient, 39, total)],
        measurements=[],
        references=recovery_selectors.references_for("operative"),
    )
    flags = [f for f in result.flags if f.code == "behind"]
    assert bool(flags) is behind
    if behind:
        assert "Carmont 2015, PMID 29264240" in flags[0].message
        assert "not a diagnosis" in flags[0].message


@pytest.mark.parametrize(("total", "behind"), [(53, True), (54, False)])
def test_behind_by_more_than_the_mdc_where_no_spread_is_given(total: int, behind: bool) -> None:
    # Non-operative, week 26: Nilsson-Helander 2010 mean 71, no SD: 71 − 17 = 54.
    patient = _patient("non_operative")
    result = recovery.recovery(
        patient,
        atrs=[_atrs_on_week(patient, 26, total)],
        measurements=[],
        references=recovery_selectors.references_for("non_operative"),
    )
    assert any(f.code == "behind" for f in result.flags) is behind


def test_height_lsi_behind_the_band() -> None:
    patient = _patient(weeks_ago=53)
    day = patient.anchor_date + dt.timedelta(weeks=52, days=1)
    low = factories.MeasurementFactory.build(
        patient=patient,
        date=day,
        heel_rise_reps_injured=None,
        heel_rise_reps_uninjured=None,
        heel_rise_height_cm_injured=Decimal(5),
        heel_rise_height_cm_uninjured=Decimal(10),
    )
    result = recovery.recovery(
        patient,
        atrs=[],
        measurements=[low],
        references=recovery_selectors.references_for("operative"),
    )
    (flag,) = result.flags
    assert "heel-rise height LSI 50 %" in flag.message
    assert "Carmont 2020, KSSTA, PMC7176605" in flag.message


@pytest.mark.parametrize(
    ("week", "total", "flagged"), [(12, 39, True), (12, 40, False), (20, 30, False)]
)
def test_atrs_below_40_around_3_months(week: int, total: int, flagged: bool) -> None:
    patient = _patient()
    result = recovery.recovery(
        patient, atrs=[_atrs_on_week(patient, week, total)], measurements=[], references=[]
    )
    assert any(f.code == "atrs_low" for f in result.flags) is flagged


def test_the_patient_page_draws_the_points_against_the_band_with_sources(
    clinician: Clinician,
) -> None:
    patient = factories.PatientFactory.create(
        clinic=clinician.clinic,
        injury_date=dt.date.today() - dt.timedelta(weeks=40),
        surgery_date=dt.date.today() - dt.timedelta(weeks=40) + dt.timedelta(days=2),
    )
    factories.AtrsResponseFactory.create(patient=patient, date=patient.local_today(), total=50)
    response = client_for(clinician.user).get(
        reverse("rehab:patient_detail", args=[patient.pk]), {"tab": "outcomes"}
    )
    html = response.content.decode()
    assert "ATRS against published cohorts" in html
    assert "Carmont 2015, PMID 29264240" in html
    assert "Behind the published course" in html
    # The table of published points names each one's measure and statistic.
    assert f'<th scope="row" class="fw-normal">{ReferencePoint.Measure.ATRS.label}</th>' in html
    assert re.search(r"<td>\s*(mean|median) \d", html)
    # As people write them: "mean 88", not the stored "88.0".
    assert not re.search(r"(mean|median) \d+\.0\b|\(SD \d+\.0\)", html)
    # The non-operative cohort is not drawn for an operative patient.
    assert "UKSTAR" not in html


def test_the_patients_chart_is_in_plain_words_without_sources(patient: Patient) -> None:
    factories.AtrsResponseFactory.create(patient=patient, date=patient.local_today())
    chart = recovery.patient_chart(
        patient,
        atrs=list(patient.atrs_responses.all()),
        references=recovery_selectors.references_for(patient.pathway),
    )
    text = f"{chart.svg} {chart.rows} {chart.summary} {chart.head}"
    for word in ("PMID", "PMC", "doi", "Carmont", "Nilsson", "UKSTAR", "Silbernagel", "SD"):
        assert word not in text
    assert "average" in text
    assert ("week 0", "50", "you") in chart.rows or any(r[2] == "you" for r in chart.rows)


def test_the_patients_chart_writes_the_averages_as_people_do(patient: Patient) -> None:
    """The averages are stored with a decimal place: the chart read "average: 88.0"."""
    chart = recovery.patient_chart(
        patient, atrs=[], references=recovery_selectors.references_for(patient.pathway)
    )
    averages = [row[1] for row in chart.rows if row[2] == "average"]
    assert averages
    assert not [value for value in averages if value.endswith(".0")]
    assert ".0," not in str(chart.svg)


@pytest.mark.parametrize("pathway", ["operative", "non_operative"])
def test_the_patients_chart_shows_one_average_a_week(pathway: str) -> None:
    """After a repair, week 52 has a mean (88, Nilsson-Helander 2010) and a median (94,
    Carmont 2020): the patient's chart showed two "averages" at week 52, one of them not an
    average at all. It shows the means of the patient's own cohort, one a week."""
    patient = _patient(pathway)
    chart = recovery.patient_chart(
        patient, atrs=[], references=recovery_selectors.references_for(pathway)
    )
    averages = [(row[0], row[1]) for row in chart.rows if row[2] == "average"]
    weeks = [week for week, _value in averages]
    assert len(weeks) == len(set(weeks)), averages
    at_52 = "88" if pathway == "operative" else "86"
    assert ("week 52", at_52) in averages
    assert "94" not in [value for _week, value in averages]  # a median is not an average
    assert str(chart.svg).count("week 52") == 1


@pytest.mark.parametrize(
    ("pathway", "week", "total", "behind"),
    [
        # UKSTAR's mean 38 is at 8 weeks: 20 at week 5 is three weeks earlier on a score that
        # rises week by week, not behind it; at week 8 or later, 20 is (38 − 17 = 21).
        ("non_operative", 5, 20, False),
        ("non_operative", 8, 20, True),
        ("non_operative", 12, 20, True),
        # Nilsson-Helander 2010's mean 72 is at 26 weeks: 50 at week 22 is not behind it.
        ("operative", 22, 50, False),
        ("operative", 26, 50, True),
    ],
)
def test_behind_only_a_published_point_at_or_before_the_patients_week(
    pathway: str, week: int, total: int, behind: bool
) -> None:
    """A patient's latest score is set against a published figure of the same time or an
    earlier one, never against a later one (which would call a patient on course "behind")."""
    patient = _patient(pathway)
    result = recovery.recovery(
        patient,
        atrs=[_atrs_on_week(patient, week, total)],
        measurements=[],
        references=recovery_selectors.references_for(pathway),
    )
    assert any(f.code == "behind" for f in result.flags) is behind


def test_the_lsi_charts_published_points_say_which_lsi_they_are() -> None:
    """After a repair, week 52 has Carmont 2020's height LSI 74 % (SD 14) and repetitions LSI
    71 % (SD 20), both "operative, acute", both from the same source: the chart's table and
    its markers gave the value, group and source, not which of the two indices each is (LSI
    = injured ÷ uninjured × 100 of the heel-rise height, or of the repetitions)."""
    patient = _patient(weeks_ago=53)
    result = recovery.recovery(
        patient,
        atrs=[],
        measurements=[],
        references=recovery_selectors.references_for("operative"),
    )
    lsi = result.charts[1]
    at_52 = {row[1]: row[2] for row in lsi.rows if row[0] == "week 52"}
    assert "height" in at_52["mean 74 (SD 14) %"]
    assert "repetitions" in at_52["mean 71 (SD 20) %"]
    assert "repetitions" in at_52["mean 95 %"]
    svg = str(lsi.svg)
    assert "Heel-rise height LSI (%): mean 74 (SD 14) %" in svg
    # The ATRS chart has one measure: its points need no such word.
    assert not any("ATRS (0–100)" in row[2] for row in result.charts[0].rows)


def test_an_lsi_above_the_charts_top_is_drawn_where_it_is() -> None:
    """An LSI can pass 100 % (up to ``measures.LSI_MAX``): 150 % was drawn at the chart's top,
    120 %, a point in the wrong place (only its tooltip said 150). The scale grows to hold it."""
    patient = _patient(weeks_ago=30)
    high = factories.MeasurementFactory.build(
        patient=patient,
        date=patient.anchor_date + dt.timedelta(weeks=26, days=1),
        heel_rise_reps_injured=30,
        heel_rise_reps_uninjured=20,
        heel_rise_height_cm_injured=None,
        heel_rise_height_cm_uninjured=None,
    )
    result = recovery.recovery(patient, atrs=[], measurements=[high], references=[])
    svg = str(result.charts[1].svg)
    assert "repetitions LSI: 150 %" in svg
    assert ">160</text>" in svg  # the value axis reaches past 150


def test_the_atrs_charts_top_stays_100() -> None:
    """The scale grows only for a value above the top: an ATRS of 90 keeps the 0–100 axis."""
    patient = _patient()
    result = recovery.recovery(
        patient, atrs=[_atrs_on_week(patient, 26, 90)], measurements=[], references=[]
    )
    svg = str(result.charts[0].svg)
    assert ">100</text>" in svg
    assert ">120</text>" not in svg
