"""The audit trail: who read or changed which patient's data, when, and from where.

Append-only for the application: a row is written once and never updated or deleted through
the ORM (``save`` of an existing row, ``delete`` and the queryset's ``update``/``delete``
raise). Erasure of a patient sets ``patient`` to NULL; ``patient_ref`` keeps the id.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.registry import PAGE_WORDS
from clinic.models import Clinician, Patient

# The words for each role the trail stores (audit.services.actor_role), as the history pages show
# them; a clinician's role in the words of Clinician.Role.
ROLE_WORDS = {
    "patient": _("The patient"),
    "superuser": _("Site administrator"),
    "staff": _("Site staff"),
    "user": _("Signed-in user"),
    "": _("Not signed in"),
}
CLINICIAN_ROLE = "clinician:"

# What a route of a namespace no app names page by page is, in words: the Django admin's pages
# and the API's (the phone app's and other clients').
NAMESPACE_WORDS = {
    "admin": _("Site administration"),
    "api": _("The app"),
}
UNNAMED_PAGE = _("The patient's record")


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit row."""


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Access events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Access events are append-only.")


class AccessEvent(models.Model):
    class Action(models.TextChoices):
        READ = "read", _("Read")
        CHANGE = "change", _("Change")
        EXPORT = "export", _("Export")
        ERASE = "erase", _("Erase")

    when = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_email = models.CharField(_("actor email"), max_length=254, blank=True)
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    actor_role = models.CharField(_("actor role"), max_length=30, blank=True)
    patient = models.ForeignKey(
        Patient,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("patient"),
    )
    patient_ref = models.BigIntegerField(_("patient id"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action)
    what = models.CharField(_("what"), max_length=200)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=200, blank=True)

    objects: ClassVar[AccessEventQuerySet] = AccessEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-when", "-pk"]
        indexes = [
            models.Index(fields=["patient", "when"], name="audit_event_patient_when"),
            # The history pages' order (events_for_patient, clinic_accesses_for_patient): a
            # page of 50 newest is read backwards off this index, however many events the
            # patient has, instead of fetching and sorting all of them.
            models.Index(fields=["patient_ref", "when", "id"], name="audit_event_ref_when_id"),
            models.Index(fields=["actor", "when"], name="audit_event_actor_when"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["read", "change", "export", "erase"]),
                name="audit_event_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.actor_email or '-'} {self.action} {self.what}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:  # written once: a stored row has its key
            raise AppendOnlyError("Access events are append-only.")
        kwargs["force_insert"] = True  # never an UPDATE
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Access events are append-only.")

    @property
    def actor_role_words(self) -> str:
        """Who the actor was, in the reader's language ("Physiotherapist", "The patient"):
        never the stored code."""
        role = self.actor_role
        if role.startswith(CLINICIAN_ROLE):
            role = role.removeprefix(CLINICIAN_ROLE)
            if role in Clinician.Role.values:
                return str(Clinician.Role(role).label)
            return str(_("Clinician"))
        return str(ROLE_WORDS.get(role, _("Unknown")))

    @property
    def view_name(self) -> str:
        """The route of what was looked at or changed ("rehab:plan_builder"), without the row's
        number."""
        return self.what.partition(" ")[0]

    @property
    def what_words(self) -> str:
        """What was looked at or changed, in the reader's language ("Plan builder", "Patient
        page — messages"), as the apps registered their pages (``register_page_words``): never
        the stored route name or a row's number."""
        view_name = self.view_name
        words = PAGE_WORDS.get(view_name)
        if words is None:
            namespace = view_name.partition(":")[0] if ":" in view_name else ""
            words = NAMESPACE_WORDS.get(namespace, UNNAMED_PAGE)
        return str(words)
