from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityLogConfig(AppConfig):
    name = "community_log"
    verbose_name = _("Community relations log")
