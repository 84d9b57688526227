"""Who the generated people are and how they behave: names, time zones, what they write in
logs and messages, how their swelling goes, how they keep to the plan (``Profile``); and the
draws from a run's seeded random generator."""

from __future__ import annotations

import random
from collections.abc import Sequence

FIRST_NAMES = (  # noqa: SIM905
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Emily Ella "
    "Poppy Evie Charlotte Aria Sienna Daisy Harper Alice Sofia Phoebe Florence Ruby Matilda "
    "Noah Oliver George Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie Jack "
    "Charlie Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy Alexander "
    "Luca Edward James Joshua Albert Max Mason Rory Hugo Reuben Sebastian Ezra Elijah Louie "
    "Priya Aisha Fatima Zara Yusuf Omar Ibrahim Hamza Kai Mateo Nina Elena Marta Jonas Lars "
    "Sanne Pieter Chloe Aoife Siobhan Ciaran Niamh Eilidh Callum Ewan Morag Rhys Cerys Dylan"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen "
    "James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
    "Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall "
    "Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray "
    "Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd "
    "Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed "
    "Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox "
    "Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton "
    "O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson "
    "Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry "
    "Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson "
    "Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson"
).split()
TIMEZONES = (
    ("Europe/London", 0.82),
    ("Europe/Dublin", 0.06),
    ("Europe/Amsterdam", 0.05),
    ("Europe/Berlin", 0.04),
    ("America/New_York", 0.02),
    ("Australia/Sydney", 0.01),
)
LOG_NOTES = (
    "Felt tight at the start, easier after a few reps.",
    "Did this one after my walk.",
    "A bit sore behind the ankle afterwards.",
    "Easier than last week.",
    "Only managed part of it, tired today.",
)
QUESTIONS = (
    "My ankle is a bit swollen in the evening after the exercises. Is that normal?",
    "Can I take the boot off to shower yet?",
    "The heel raises hurt behind the heel. Should I do fewer?",
    "When can I start driving again?",
    "I missed a few days because of work. Should I go back a step?",
    "Is it fine to walk without the crutches around the house?",
    "I felt a twinge on the stairs today, nothing since. Anything to watch for?",
)
REPLIES = (
    "That's common at this stage. Keep the leg raised in the evening and tell us if it gets worse.",
    "Good question, let's talk it through at your next appointment. Until then keep going as planned.",
    "Do fewer repetitions for a few days and let us know how it feels.",
    "Thanks for letting us know. Carry on with today's exercises and keep an eye on it.",
)
SWELLING_EARLY = ("mild", "mild", "moderate", "moderate", "none", "severe")
SWELLING_LATE = ("none", "none", "none", "mild", "mild", "moderate")


class Profile:
    """How a patient keeps to the plan."""

    DILIGENT = "diligent"  # about 90 % of sessions, all along
    LAPSING = "lapsing"  # starts well, adherence decays
    STOPPED = "stopped"  # keeps going, then stops altogether
    SPORADIC = "sporadic"  # now and then

    WEIGHTS: tuple[tuple[str, float], ...] = (
        (DILIGENT, 0.40),
        (LAPSING, 0.33),
        (STOPPED, 0.12),
        (SPORADIC, 0.15),
    )


def random_uuid(rng: random.Random) -> str:
    """A version-4 UUID (32 hex digits) from ``rng``: fast, and reproducible with ``--seed``."""
    bits = rng.getrandbits(128)
    bits = (bits & ~(0xF << 76)) | (0x4 << 76)
    bits = (bits & ~(0x3 << 62)) | (0x2 << 62)
    return f"{bits:032x}"


def weighted[T](rng: random.Random, choices: Sequence[tuple[T, float]]) -> T:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))
