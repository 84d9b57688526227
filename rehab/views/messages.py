"""Message threads between a patient and their clinic.

Here rather than in ``clinic`` because the patient's page shows the red-flag advice from
``rehab.clinical``. The writes are clinic services (messages are clinic data).
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from clinic.access import (
    clinician_required,
    get_patient_for_clinician,
    patient_of,
    patient_required,
)
from clinic.forms import MessageForm
from clinic.models import Message, Patient, User
from clinic.services import messages as message_services
from core.users import signed_in_user
from rehab import clinical
from rehab.selectors import patient_page as patient_selectors

# What the patient's Messages page says when a message cannot go (static/js/messages.js).
MESSAGES_STRINGS = {
    "offline": _lazy(
        "No connection: your message has not been sent. Your words are still here: send it "
        "again when you are online. If something is wrong now, do not wait: see what to do "
        "below."
    ),
    "online": _lazy("You are online again: you can send your message now."),
}


def _send(request: HttpRequest, form: MessageForm, *, patient: Patient, from_patient: bool) -> bool:
    """Validate and send; True when sent (the caller then redirects)."""
    if not form.is_valid():
        return False
    try:
        message_services.message_send(
            patient=patient,
            author=signed_in_user(request, User),
            body=form.cleaned_data["body"],
            from_patient=from_patient,
            client_uuid=form.cleaned_data["client_uuid"],
        )
    except ValidationError as error:
        form.add_error("body", error.messages)
        return False
    flash.success(request, _("Your message has been sent."))
    return True


def _thread(
    request: HttpRequest, patient: Patient, *, from_patient: bool
) -> tuple[MessageForm, list[Message] | None]:
    """The form and the thread for a GET (then the other side's messages are marked read: they
    show as new this once) or a POST that failed; ``None`` for the thread once a POST has sent
    (the caller redirects). A thread that shows none of the other side's messages unread marks
    nothing, and writes nothing (most views of a thread: an UPDATE less); one
    that shows some marks only those (a message sent since stays unread)."""
    form = MessageForm(request.POST or None)
    if request.method == "POST" and _send(
        request, form, patient=patient, from_patient=from_patient
    ):
        return form, None
    thread = patient_selectors.message_thread(patient)
    if request.method != "POST":
        # Only those shown unread are marked: one sent since the thread was read stays new.
        message_services.messages_mark_read(
            patient=patient,
            reader=signed_in_user(request, User),
            reader_is_patient=from_patient,
            shown=thread,
        )
    return form, thread


@clinician_required
@require_http_methods(["GET", "POST"])
def patient_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """A clinician reads a patient's thread (marking it read) and replies."""
    patient = get_patient_for_clinician(request.user, pk)
    form, thread = _thread(request, patient, from_patient=False)
    if thread is None:
        return redirect("rehab:patient_messages", pk=patient.pk)
    return render(
        request,
        "rehab/messages/patient_messages.html",
        {"title": _("Messages"), "patient": patient, "thread": thread, "form": form},
    )


@patient_required
@require_http_methods(["GET", "POST"])
def my_messages(request: HttpRequest) -> HttpResponse:
    """A patient reads their thread (marking the clinic's replies read) and writes."""
    patient = patient_of(request.user)
    assert patient is not None  # patient_required
    form, thread = _thread(request, patient, from_patient=True)
    if thread is None:
        return redirect("rehab:my_messages")
    return render(
        request,
        "rehab/messages/my_messages.html",
        {
            "title": _("Messages"),
            "patient": patient,
            "thread": thread,
            "form": form,
            # The check-in's questions: the wound's only after surgery (clinical.md §4).
            "red_flags": clinical.red_flags_for(has_surgery=patient.surgery_date is not None),
            "messages_config": {
                "url": reverse("rehab:my_messages"),
                "strings": MESSAGES_STRINGS,
            },
        },
    )
