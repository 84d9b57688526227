"""The line a clinician's yes/no criterion says: each a whole sentence a translator can translate,
never a translated fragment glued or re-capitalised into another."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import pytest

from rehab.models.criteria import CriterionFields, CriterionKind
from rehab.selectors import criteria
from rehab.selectors.criteria import PatientData, evaluate

NOW = dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)
EARLIER = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _criterion(judged: bool | None, earlier: bool | None) -> CriterionFields:
    """A yes/no criterion judged ``judged`` now (None: not now) and ``earlier`` before it."""
    kept: dict[str, Any] = {}
    if judged is not None:  # the last judgement kept is the one now
        kept = {"judgement_met": judged, "judgement_at": NOW}
        if earlier is not None:
            kept |= {"previous_judgement_met": earlier, "previous_judgement_at": EARLIER}
    elif earlier is not None:
        kept = {"judgement_met": earlier, "judgement_at": EARLIER}
    return cast(
        "CriterionFields",
        SimpleNamespace(
            kind=CriterionKind.CLINICIAN,
            threshold=None,
            judged_met=judged,
            judged_at=NOW if judged is not None else None,
            **kept,
        ),
    )


CASES = [
    (None, None, "Not judged yet."),
    (None, True, "Not judged now; judged met on 2 Mar 2026 before."),
    (None, False, "Not judged now; judged not met on 2 Mar 2026 before."),
    (True, None, "Judged met on 9 Mar 2026."),
    (False, None, "Judged not met on 9 Mar 2026."),
    (True, True, "Judged met on 9 Mar 2026. Judged met on 2 Mar 2026 before."),
    (True, False, "Judged met on 9 Mar 2026. Judged not met on 2 Mar 2026 before."),
    (False, True, "Judged not met on 9 Mar 2026. Judged met on 2 Mar 2026 before."),
    (False, False, "Judged not met on 9 Mar 2026. Judged not met on 2 Mar 2026 before."),
]


@pytest.mark.parametrize(("judged", "earlier", "line"), CASES)
def test_the_judgement_line_in_english(
    judged: bool | None, earlier: bool | None, line: str
) -> None:
    assert evaluate(_criterion(judged, earlier), PatientData(week=3)).evidence == line


@pytest.mark.parametrize(("judged", "earlier", "line"), CASES)
def test_the_judgement_line_is_one_whole_translated_sentence(
    monkeypatch: pytest.MonkeyPatch, judged: bool | None, earlier: bool | None, line: str
) -> None:
    # Before, "Not judged now; %(before)s." took a translated fragment ("judged met on %(date)s
    # before"), and a judgement now was followed by that fragment capitalised by slicing: no
    # language but English could say either. Each line is now one msgid, translated whole:
    # a translation that marks its msgid shows the whole line marked once, with nothing outside.
    monkeypatch.setattr(criteria, "_", lambda msgid: f"«{msgid}»")
    evidence = evaluate(_criterion(judged, earlier), PatientData(week=3)).evidence
    assert evidence == f"«{line}»"


@pytest.mark.parametrize(
    ("pain", "line"),
    [
        ((3, 1), "Highest 3/10 in the last 7 days (1 score)."),
        ((4, 5), "Highest 4/10 in the last 7 days (5 scores)."),
    ],
)
def test_the_pain_line_counts_its_scores_in_words(pain: tuple[int, int], line: str) -> None:
    """One score is "1 score", not "1 scores"."""
    rest_pain = cast(
        "CriterionFields",
        SimpleNamespace(kind=CriterionKind.REST_PAIN, threshold=Decimal("3"), judged_met=None),
    )
    assert evaluate(rest_pain, PatientData(week=3, rest_pain=pain)).evidence == line
