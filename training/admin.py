from django.contrib import admin

from training.models import Attendee, Certificate, TrainingSession


class AttendeeInline(admin.TabularInline):
    model = Attendee
    extra = 0
    fields = ["name", "agency", "email", "participant", "pre_test_score", "post_test_score"]
    raw_id_fields = ["participant"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    """Corrections only: a new session and its naloxone go through the training page, so the
    stock ledger moves with it."""

    list_display = ["held_on", "kind", "audience", "place", "attendee_count", "trainer", "program"]
    list_filter = ["program", "kind", "audience"]
    search_fields = ["place"]
    date_hierarchy = "held_on"
    raw_id_fields = ["trainer", "recorded_by", "location"]
    inlines = [AttendeeInline]

    def has_add_permission(self, request):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "attendee", "issued_on", "valid_until", "reminder_sent_at"]
    list_filter = ["valid_until"]
    search_fields = ["code"]
    raw_id_fields = ["attendee", "issued_by"]
    readonly_fields = ["code"]
