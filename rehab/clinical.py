"""Clinical constants from shared/clinical.md: red flags (§4), ATRS (§3), dose limits.

Kept as code, not data, because the check-in form, the alert rules and the tests all rest on
them and they change only with a clinical review.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Dose limits, shared by the models' constraints, forms and serializers.
SETS_MAX = 20
# A tick or its edit is at least one set: a log of none would count as a session done.
SETS_AT_LEAST_ONE = _("At least one set: to take a tick back, undo it.")
REPS_MAX = 100
HOLD_SECONDS_MAX = 600
DURATION_MINUTES_MAX = 180  # a dose in minutes (cardio, walking, jogging)
TIMES_PER_DAY_MAX = 10
DAYS_PER_WEEK_MAX = 7
WEEK_MAX = 104
SCORE_MAX = 10  # pain, effort, ATRS items: 0–10
ALERT_PAIN_THRESHOLD = 7  # pain ≥ 7/10 on a log or check-in raises an alert


# What to do when the clinic is closed, for advice that is not "call emergency services now".
WHEN_CLOSED = _(
    "If your clinic is closed, contact your out-of-hours service or go to an emergency "
    "department; do not wait for the clinic to open."
)


def high_pain_advice(exercise_name: str) -> str:
    """What a patient who logs pain of 7 or more on an exercise is told at once, with what to
    do when the clinic is closed (as every piece of advice says)."""
    stop = _(
        "Your pain is high. Stop %(exercise)s now and contact your clinic before you do it "
        "again. Your clinic has been told."
    ) % {"exercise": exercise_name}
    return f"{stop} {WHEN_CLOSED}"


@dataclass(frozen=True)
class RedFlag:
    """A red-flag question of the check-in.

    ``question`` and ``advice`` are the patient's words; ``clinician`` names the sign for the
    clinician (alerts, dashboard); ``emergency``: call emergency services now, whatever the
    time; ``surgical``: asked only of patients with a surgery date (the wound).
    """

    code: str
    question: Promise
    advice: Promise
    clinician: Promise
    source: str
    emergency: bool = False
    surgical: bool = False

    @property
    def when_closed(self) -> Promise | None:
        """What to do when the clinic is closed (None: the advice already says call now)."""
        return None if self.emergency else WHEN_CLOSED

    @property
    def clinician_label(self) -> Promise:
        return self.clinician


RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        code="dvt",
        question=_(
            "New pain, swelling, warmth or discoloured skin in the back of your lower leg "
            "(your calf)?"
        ),
        advice=_(
            "This could be a blood clot in the leg. Get urgent medical advice today: contact "
            "your clinic or your doctor, or go to an urgent care centre."
        ),
        clinician=_("Suspected DVT: new calf pain, swelling, warmth or discolouration"),
        source="guysandstthomas.nhs.uk",
    ),
    RedFlag(
        code="pe",
        question=_(
            "Breathlessness, chest pain that is worse when you breathe in, or coughing up blood?"
        ),
        advice=_("This could be a blood clot in the lungs. Call emergency services now."),
        clinician=_(
            "Suspected pulmonary embolism: breathlessness, pleuritic chest pain or haemoptysis"
        ),
        source="guysandstthomas.nhs.uk",
        emergency=True,
    ),
    RedFlag(
        code="wound",
        question=_(
            "Wound redness, pus, leaking for more than a day, a fever over 38\u00a0°C, "
            "or the wound edges opening?"
        ),
        advice=_("This could be an infection. Contact your surgical team today."),
        clinician=_(
            "Suspected wound infection or dehiscence: redness, pus, drainage over a day, "
            "fever over 38\u00a0°C or wound edges opening"
        ),
        source="sw.org; Mass General Brigham",
        surgical=True,
    ),
    RedFlag(
        code="circulation",
        question=_(
            "Toes blue, white or cold, pins and needles, or a boot or cast that feels too tight?"
        ),
        advice=_(
            "Loosen the boot if you have been told you may, keep the leg raised, "
            "and contact the clinic now."
        ),
        clinician=_(
            "Circulation or nerve compromise: toes blue, white or cold, paraesthesia, "
            "boot or cast too tight"
        ),
        source="ryanfootandankleclinic.com",
    ),
    RedFlag(
        code="rerupture",
        question=_(
            "A sudden pop or snap, a gap you can feel in the cord above your heel, "
            "or suddenly unable to rise on your toes?"
        ),
        advice=_(
            "The cord above your heel (your Achilles tendon) may have torn again. Stop "
            "exercising, protect the leg (boot on if you have one) and contact the clinic today."
        ),
        clinician=_("Suspected re-rupture: a pop or snap, a palpable gap, unable to heel-rise"),
        source="physio-pedia; ortho.boston",
    ),
)
RED_FLAG_CODES = tuple(flag.code for flag in RED_FLAGS)
RED_FLAGS_BY_CODE = {flag.code: flag for flag in RED_FLAGS}


def red_flags_for(*, has_surgery: bool) -> tuple[RedFlag, ...]:
    """The red flags the check-in asks: the wound questions only after surgery."""
    return tuple(flag for flag in RED_FLAGS if has_surgery or not flag.surgical)


@dataclass(frozen=True)
class AtrsItem:
    number: int
    question: Promise


# Nilsson-Helander K et al. Am J Sports Med 2007;35:421. Each item 0 (major limitation)
# to 10 (no limitation); the total is the sum, 0–100.
ATRS_SOURCE = "Nilsson-Helander K et al. Am J Sports Med 2007;35(3):421-426"
ATRS_ITEMS: tuple[AtrsItem, ...] = (
    AtrsItem(1, _("Are you limited due to decreased strength in the calf/Achilles tendon/foot?")),
    AtrsItem(2, _("Are you limited due to fatigue in the calf/Achilles tendon/foot?")),
    AtrsItem(3, _("Are you limited due to stiffness in the calf/Achilles tendon/foot?")),
    AtrsItem(4, _("Are you limited due to pain in the calf/Achilles tendon/foot?")),
    AtrsItem(5, _("Are you limited during activities of daily living?")),
    AtrsItem(6, _("Are you limited when walking on uneven surfaces?")),
    AtrsItem(7, _("Are you limited when walking quickly up the stairs or up a hill?")),
    AtrsItem(8, _("Are you limited during activities that include running?")),
    AtrsItem(9, _("Are you limited during activities that include jumping?")),
    AtrsItem(10, _("Are you limited in performing hard physical labour?")),
)
ATRS_ANCHOR_LOW = _("0 = major limitation")
ATRS_ANCHOR_HIGH = _("10 = no limitation")
# When the ATRS is offered (weeks from the surgery, else the injury): 39 weeks (9 months) is
# UKSTAR's primary time point (Costa 2020).
ATRS_OFFER_WEEKS = (6, 12, 26, 39, 52)
# An offer stays open this many weeks (or until the next offer's week), then lapses unanswered.
ATRS_OFFER_OPEN_WEEKS = 3
# An ATRS below 40 around 3 months predicts a poor return to sport: flag it to the therapist.
ATRS_LOW_THRESHOLD = 40
ATRS_LOW_WEEKS = range(10, 17)  # "around 3 months": weeks 10 to 16 after the surgery or injury


def atrs_is_low(*, total: int | None, week: int | None) -> bool:
    """Whether an ATRS total answered in ``week`` (from the surgery, else the injury) is one
    to flag to the therapist: below 40 around 3 months. The one rule, for alerts and charts."""
    if total is None or week is None:
        return False
    return week in ATRS_LOW_WEEKS and total < ATRS_LOW_THRESHOLD
