"""Photos and videos: the fields every stored media file shares, and where files go.

``ExerciseMedia`` (rehab.models.library) and ``PrescriptionMedia`` (rehab.models.plans) are the
concrete kinds; each says which folder its files go to."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.resubmit import client_uuid_field, client_uuid_once


def media_path(instance: MediaFields, filename: str) -> str:
    """Where a media file is stored: the clinic's folder and a random name. Nothing of the
    uploaded file's name reaches the path but the extension ``rehab.uploads`` chose."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in {".jpg", ".mp4", ".webm"}:
        suffix = ".bin"
    return f"{instance.storage_folder()}/{uuid.uuid4().hex}{suffix}"


class MediaFields(models.Model):
    """A photo or a short video, stored through Django's storage API and served only by the
    access-checked view (``rehab.views.media``) under its opaque ``key``."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Video")

    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    file = models.FileField(_("file"), upload_to=media_path, max_length=200)
    thumbnail = models.FileField(
        _("thumbnail or poster"), upload_to=media_path, max_length=200, blank=True
    )
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("length (seconds)"), null=True, blank=True)
    description = models.CharField(
        _("what it shows"),
        max_length=300,
        blank=True,
        help_text=_("For people who cannot see it, e.g. “Heel raise, side view”."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    # Made by the upload form once: the same form sent again, however late, finds this row
    # instead of adding a second (``rehab.services.media``). Null from a form without one (then
    # only the same file added within seconds is a repeat).
    client_uuid = client_uuid_field(
        _(
            "Made by the form once per upload: sent again, it finds this photo or video "
            "instead of adding a second."
        )
    )

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["photo", "video"]), name="%(app_label)s_%(class)s_kind"
            ),
            client_uuid_once("%(app_label)s_%(class)s_client_uuid_once"),
        ]

    def __str__(self) -> str:
        return self.description or f"{self.get_kind_display()} {self.key}"

    def storage_folder(self) -> str:
        raise NotImplementedError

    @property
    def is_video(self) -> bool:
        return self.kind == self.Kind.VIDEO
