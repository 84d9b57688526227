"""Messages between a patient and the clinic."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.models.patients import Patient


class MessageQuerySet(models.QuerySet["Message"]):
    def unread(self, *, by_patient: bool) -> MessageQuerySet:
        """The messages the patient (``by_patient``), or else the clinic, has not read yet: those
        the other side sent, not yet marked read."""
        return self.filter(from_patient=not by_patient, read_at__isnull=True)


class Message(models.Model):
    """One message in the thread between a patient and their clinic."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_patient = models.BooleanField(_("from the patient"))
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Who read it: the signed-in user whose page, phone or API client marked it read
    # (``messages_mark_read``). Null while unread, and for a message read before who read it
    # was kept (or marked read by the patient's erasure, which nobody read).
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("read by"),
    )
    # Made by the sender's page, phone or API client once per message: the same message sent
    # again (its answer lost) is found by it (``message_send``). Null from a client that sends
    # none (then only the same text within seconds is taken for a repeat).
    client_uuid = models.UUIDField(_("client id"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["patient", "created_at"], name="clinic_msg_patient_created"),
            models.Index(
                fields=["patient"],
                condition=Q(from_patient=True, read_at__isnull=True),
                name="clinic_msg_unread_from_patient",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="clinic_message_body_not_empty"),
            models.UniqueConstraint(
                fields=["patient", "client_uuid"],
                condition=Q(client_uuid__isnull=False),
                name="clinic_message_client_uuid_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient}: {self.body[:40]}"
