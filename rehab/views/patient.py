"""The patient's pages, phone first: today, ticks, check-in, ATRS and plan (progress:
``rehab.views.progress``).

Every view: the patient's own record (``patient_required``; anyone else 404, anonymous to sign
in) → a form → one service call → a page or a redirect. Ticks here are the form path without
JavaScript; the Today page's script ticks, edits and undoes through the API
(``/api/v1/logs/``, ``rehab.api.views.logbook``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import own_patient, patient_required
from clinic.models import Patient
from core.forms import add_service_errors
from rehab import charts, clinical
from rehab.access import get_log_for_patient
from rehab.forms.logbook import (
    AtrsForm,
    CheckInForm,
    LogCreateForm,
    LogUpdateForm,
)
from rehab.models.logbook import AtrsResponse, ExerciseLog
from rehab.selectors import notices as notice_selectors
from rehab.selectors import progress as progress_selectors
from rehab.selectors import today as today_selectors
from rehab.services.logbook import atrs as atrs_services
from rehab.services.logbook import checkins as checkin_services
from rehab.services.logbook import ticks as tick_services
from rehab.services.logbook.rules import care_ended_error

# What the Today page's script (static/js/today.js and today/) says, in the page's language (lazy: translated when the page is rendered).
TODAY_STRINGS = {
    "queued_one": _lazy("1 entry waiting to be sent. It will be sent when you are online."),
    "queued_many": _lazy(
        "%(n)s entries waiting to be sent. They will be sent when you are online."
    ),
    "sent": _lazy("All entries sent."),
    "saved": _lazy("Saved."),
    "offline": _lazy("No connection: saved on this phone, will be sent later."),
    # The phone could not keep it (its storage full or closed): sent only while the page is open.
    "notKept": _lazy(
        "Not saved on this phone. Keep this page open: it will be sent when you are online."
    ),
    "refused": _lazy("Not saved: %(reason)s"),
    "setsDone": _lazy("Sets done: %(done)s of %(sets)s"),
    "sessionsDone": _lazy("Sessions today: %(done)s of %(times)s"),
    "done": _lazy("Done for today"),
    "undone": _lazy("Tick undone."),
    "undoOf": _lazy("Undo the last tick of %(name)s"),
    "undoOffline": _lazy("No connection: the tick could not be undone. Try again later."),
    "noteToClinic": _lazy(
        "Sent from my phone: I did %(sets)s set(s) of “%(name)s” on %(date)s, but it was no "
        "longer in my plan when my phone sent it."
    ),
    "keptAsNote": _lazy(
        "“%(name)s” was taken out of your plan before your tick was sent, so it was not added "
        "to your exercises. We sent it to your clinic as a message instead."
    ),
    # Today's page drawn on another day (its copy kept on the phone, or left open overnight).
    "savedDayOffline": _lazy(
        "You are offline. This is your plan as saved on %(day)s; connect to the internet to "
        "see today's."
    ),
    "savedDayOnline": _lazy(
        "This is your plan as it was on %(day)s. Reload the page to see today's."
    ),
    "noteRefused": _lazy(
        "“%(name)s” was taken out of your plan before your tick was sent, so it was not added "
        "to your exercises, and it could not be sent to your clinic as a message either: "
        "%(reason)s Please send them this message yourself: %(note)s"
    ),
    # The note above, kept on the phone until the patient sends it from there or removes it.
    "noteResend": _lazy("Send it to my clinic again"),
    "noteDismiss": _lazy("Remove this message"),
    "noteResent": _lazy("Your message was sent to your clinic."),
    "noteResendOffline": _lazy(
        "No connection: your message was not sent. Try again when you are online."
    ),
    # The card of an exercise taken out of the plan before its tick was sent.
    "removedFromPlan": _lazy(
        "This exercise is no longer in your plan. The session you ticked was not recorded as done."
    ),
    "removedNoteSent": _lazy("Your clinic got a note from you about the session you did."),
    "removedNoteNotSent": _lazy(
        "The note to your clinic could not be sent: please send them the message at the top "
        "of this page."
    ),
}

# What records.js says on the check-in and ATRS pages (their answers kept on the phone when
# there is no connection), and what the Today page's script says of them.
RECORD_STRINGS = {
    "checkin": _lazy("check-in"),
    "atrs": _lazy("Achilles questionnaire"),
    "queued": _lazy(
        "No connection: your %(what)s is saved on this phone. It will be sent to your clinic "
        "when you are online; you do not need to fill it in again."
    ),
    "waiting": _lazy("Waiting to be sent from this phone: %(n)s."),
    "notKept": _lazy(
        "No connection, and your %(what)s could not be saved on this phone. Keep this page "
        "open and send it again when you are online."
    ),
    "sent": _lazy("Your %(what)s saved on this phone has been sent. Thank you."),
    "refused": _lazy(
        "Your %(what)s of %(date)s could not be sent: %(reason)s Please send it again."
    ),
    "missing": _lazy("Some answers are missing: %(questions)s. Nothing was saved."),
}
TODAY_STRINGS["recordRefused"] = RECORD_STRINGS["refused"]


def _record_config(patient: Patient, kind: str) -> dict[str, Any]:
    """records.js's settings for the check-in (``kind`` "checkin") or the ATRS page ("atrs")."""
    return {
        "kind": kind,
        "what": RECORD_STRINGS[kind],
        "url": reverse("api:checkin-list" if kind == "checkin" else "api:atrs-list"),
        "patient": patient.pk,
        "timezone": patient.timezone,
        "today": patient.local_today().isoformat(),
        "flags": list(clinical.RED_FLAG_CODES),
        "strings": RECORD_STRINGS,
    }


# What the guided session (today/session.js) says.
SESSION_STRINGS = {
    "exerciseOf": _lazy("Exercise %(n)s of %(count)s"),
    "setOf": _lazy("Set %(n)s of %(sets)s"),
    "holdOf": _lazy("Hold %(n)s of %(holds)s"),
    "getReady": _lazy("Get ready"),
    "holdFor": _lazy("Hold for %(s)s seconds"),
    "keepGoing": _lazy("Keep going"),
    "doReps": _lazy("Do %(reps)s reps, then tap “Set done”."),
    "setDone": _lazy("Set done"),
    "setStored": _lazy("Set %(n)s of %(sets)s done"),
    "rest": _lazy("Rest for %(s)s seconds"),
    "skipRest": _lazy("Skip the rest"),
    "howDidItFeel": _lazy("How did %(name)s feel?"),
    "feedbackIntro": _lazy("Optional: leave it at “No answer” if you prefer."),
    "pain": _lazy("Pain (0 = none, 10 = worst imaginable)"),
    "effort": _lazy("Effort (0 = very easy, 10 = hardest possible)"),
    "noAnswer": _lazy("No answer"),
    "next": _lazy("Next exercise"),
    "finish": _lazy("Finish"),
    "finished": _lazy("Session done. Well done!"),
    "stopped": _lazy("Session stopped"),
    "summaryLine": _lazy("%(name)s – sets done: %(done)s of %(sets)s"),
    # A one-set exercise's line: done, not "sets done: 1 of 1" (as its card counts no sets).
    "summaryDone": _lazy("%(name)s – done"),
    "nothingStored": _lazy("No set was done, so nothing was saved."),
    "close": _lazy("Back to today"),
    "homeScreenHint": _lazy(
        "Tip: to open your exercises like an app, tap the Share button, then “Add to Home Screen”."
    ),
}
# The rest between two sets of the guided session (the patient may skip it).
REST_SECONDS = 30


def _saved_message(request: HttpRequest, log: ExerciseLog, text: str) -> None:
    """Pain of 7 or more: stop this exercise and contact the clinic, said at once."""
    advice = log.advice
    if advice:
        messages.warning(request, advice)
    else:
        messages.success(request, text)


@patient_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    patient = own_patient(request)
    today = today_selectors.today_for_patient(patient)
    notices = notice_selectors.today_notices(patient, day=today.day)
    config = {
        "timezone": patient.timezone,
        "today": today.day.isoformat(),
        "patient": patient.pk,
        # The script ticks through the API: POST here, PATCH and DELETE at ``<id>/``.
        "logsUrl": reverse("api:log-list"),
        # A tick of an exercise taken out of the plan goes to the clinic as a message, here.
        "messagesUrl": reverse("api:message-list"),
        "strings": TODAY_STRINGS,
        "session": SESSION_STRINGS,
        "restSeconds": REST_SECONDS,
    }
    return render(
        request,
        "rehab/me/today.html",
        {
            "title": _("Today"),
            "patient": patient,
            "today": today,
            "atrs_offer": notices.atrs_offer,
            "checked_in": notices.checked_in,
            "unread_reply": notices.unread_reply,
            # A red flag's advice: the paused plan's hold (one query, only while paused); with
            # no plan in care, the red flags waiting for review (one query, only then).
            "hold_notice": notice_selectors.hold_notice(patient, today.plan, notices),
            "config": config,
        },
    )


@patient_required
@require_POST
def log_create(request: HttpRequest) -> HttpResponse:
    """Tick a set or a session without JavaScript: back to Today with a message (the same
    form sent twice stores one tick: its client UUID)."""
    patient = own_patient(request)
    form = LogCreateForm(request.POST, patient=patient)
    if form.is_valid():
        try:
            log, _created = tick_services.log_record(**form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _saved_message(
                request,
                log,
                _("Ticked: %(exercise)s.")
                % {"exercise": log.prescription.exercise.patient_display_name},
            )
            return redirect("rehab:today")
    return _form_errors(request, form.errors)


def _form_errors(request: HttpRequest, errors: Any, *, entered: str = "") -> HttpResponse:
    """Back to Today with each reason a form was refused; ``entered`` (what the patient typed,
    said back so that nothing is lost: ``_entered``) after the last one."""
    reasons = sorted({str(m) for field_errors in errors.values() for m in field_errors})
    for number, reason in enumerate(reasons, start=1):
        text = _("Not saved: %(reason)s") % {"reason": reason}
        messages.error(request, f"{text} {entered}" if entered and number == len(reasons) else text)
    return redirect("rehab:today")


def _entered(data: Any) -> str:
    """What a refused "how it felt" form held, in words ("What you entered: pain 5, note
    “Calf tight”."), or "" when it held nothing: the page goes back to Today without the
    form, and the patient can still write it down or send it to the clinic."""
    pain, effort, note = (str(data.get(name, "")).strip() for name in ("pain", "effort", "note"))
    parts = [
        *([_("pain %(score)s") % {"score": pain}] if pain else []),
        *([_("effort %(score)s") % {"score": effort}] if effort else []),
        *([_("note “%(note)s”") % {"note": note}] if note else []),
    ]
    return _("What you entered: %(entered)s.") % {"entered": ", ".join(parts)} if parts else ""


@patient_required
@require_POST
def log_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Pain, effort, note or set count for today's tick (same day only), without JavaScript."""
    log = get_log_for_patient(request.user, pk)
    form = LogUpdateForm(request.POST)
    if form.is_valid():
        try:
            log = tick_services.log_update(log=log, **form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _saved_message(request, log, _("Saved."))
            return redirect("rehab:today")
    return _form_errors(request, form.errors, entered=_entered(request.POST))


@patient_required
@require_POST
def log_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a tick made today by mistake, without JavaScript."""
    log = get_log_for_patient(request.user, pk)
    try:
        tick_services.log_undo(log=log)
    except ValidationError as error:
        return _form_errors(request, {"__all__": error.messages})
    messages.success(request, _("Tick undone."))
    return redirect("rehab:today")


@patient_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest) -> HttpResponse:
    """The daily check-in. A red flag shows its advice at once (after the redirect)."""
    patient = own_patient(request)
    day = patient.local_today()
    existing = notice_selectors.checkin_on(patient, day)
    has_surgery = patient.surgery_date is not None
    reported = notice_selectors.red_flags_waiting(patient)
    care_ended = patient.status != Patient.Status.ACTIVE
    if request.method == "POST":
        form = CheckInForm(request.POST, has_surgery=has_surgery, reported=reported)
        if care_ended:
            add_service_errors(form, care_ended_error())
        elif form.is_valid():
            try:
                checkin_services.checkin_record(patient=patient, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("rehab:checkin")
    else:
        initial: dict[str, Any] = {}
        if existing is not None:
            initial = {
                "pain_at_rest": "" if existing.pain_at_rest is None else existing.pain_at_rest,
                "swelling": existing.swelling or "",
                "note": existing.note,
            }
        form = CheckInForm(initial=initial, has_surgery=has_surgery, reported=reported)
    return render(
        request,
        "rehab/me/checkin.html",
        {
            "title": _("Daily check-in"),
            "patient": patient,
            "form": form,
            "checkin": existing,
            # A red flag keeps exercise paused until a clinician has reviewed it.
            "waiting_review": bool(reported),
            "care_ended": care_ended,
            "record_config": _record_config(patient, "checkin"),
            "high_pain": existing is not None
            and existing.pain_at_rest is not None
            and existing.pain_at_rest >= clinical.ALERT_PAIN_THRESHOLD,
        },
        status=400 if form.errors else 200,
    )


@patient_required
@require_http_methods(["GET", "POST"])
def atrs(request: HttpRequest) -> HttpResponse:
    """The ATRS questionnaire: ten items, each 0–10; the total is computed on the server."""
    patient = own_patient(request)
    care_ended = patient.status != Patient.Status.ACTIVE
    if request.method == "POST":
        form = AtrsForm(request.POST)
        if care_ended:
            add_service_errors(form, care_ended_error())
        elif form.is_valid():
            try:
                response, _created = atrs_services.atrs_record(
                    patient=patient,
                    client_uuid=form.cleaned_data["client_uuid"],
                    items=form.items(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you. Your score today: %(total)s out of 100.")
                    % {"total": response.total},
                )
                return redirect("rehab:atrs")
    else:
        form = AtrsForm()
    history = progress_selectors.atrs_series(patient)
    # Today's answer, if any: the form shows it, and sending again changes it (one a day).
    answered_today = next((a for a in history if a.date == patient.local_today()), None)
    if answered_today is not None and not form.is_bound:
        form = AtrsForm(
            initial={name: getattr(answered_today, name) for name in AtrsResponse.ITEM_FIELDS}
        )
    return render(
        request,
        "rehab/me/atrs.html",
        {
            "title": _("Achilles questionnaire"),
            "patient": patient,
            "form": form,
            "answered_today": answered_today,
            "history": history[::-1],
            "chart": charts.atrs_chart(history, for_patient=True),
            "anchor_low": clinical.ATRS_ANCHOR_LOW,
            "anchor_high": clinical.ATRS_ANCHOR_HIGH,
            "anchor_hint": f"{clinical.ATRS_ANCHOR_LOW}; {clinical.ATRS_ANCHOR_HIGH}",
            "care_ended": care_ended,
            "record_config": _record_config(patient, "atrs"),
        },
        status=400 if form.errors else 200,
    )


@patient_required
@require_GET
def my_plan(request: HttpRequest) -> HttpResponse:
    """The whole plan: past, current and future phases with dates, and their exercises."""
    patient = own_patient(request)
    reading = progress_selectors.plan_to_read(patient, day=patient.local_today())
    return render(
        request,
        "rehab/me/plan.html",
        {
            "title": _("My plan"),
            "patient": patient,
            "plan": reading.plan,
            "phases": reading.phases,
            "week": reading.week,
            # A red flag's advice, as on Today (paused plan, or red flags waiting for review
            # with no plan in care): this page must not read as "go on".
            "hold_notice": notice_selectors.hold_notice(patient, reading.plan_in_care),
        },
    )
