from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Someone tried to change or remove an audit entry: the log only ever grows."""


def _refuse(*args, **kwargs):
    raise AppendOnlyError(_("The audit log is append-only: entries cannot be changed or deleted."))


class AuditEntryQuerySet(models.QuerySet):
    """Reads and inserts only: bulk changes and deletes raise instead of touching the log.

    The database refuses them too (a trigger on PostgreSQL, see migration 0003), so raw SQL
    and other clients are stopped as well; this is the early, readable refusal.
    """

    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse

    # Django's own deletion path (a cascade from another model) bypasses delete() above.
    _raw_delete = _refuse


class AuditEntry(models.Model):
    """One thing someone did, written in the same transaction as the change it records."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    program = models.ForeignKey(
        "accounts.Program",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("program"),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The manager's audit page: one program's entries, newest first, paged by (at, id).
            models.Index(fields=["program", "-at", "-id"], name="audit_program_at_id"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        """Insert once; saving a stored entry again would rewrite history, so it raises."""
        if not self._state.adding:
            _refuse()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse()
