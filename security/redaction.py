"""Keep what identifies a participant out of logs, error emails and error pages.

Three layers, so that one forgotten decorator does not leak anything:
- views and services that take code answers, aliases or notes are marked with Django's
  `sensitive_post_parameters` / `sensitive_variables`;
- `ParticipantDataReporterFilter` (settings.DEFAULT_EXCEPTION_REPORTER_FILTER) hides those
  fields by name in every error report, marked or not, and with DEBUG on too;
- `RedactParticipantData`, a logging filter on every handler, removes the values a request
  submitted in those fields from the message and traceback of any record about that request.
"""

import contextlib
import json
import logging
import re

from django.db import models
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from accounts.code_recipes import QUESTIONS, derive_code, normalise

REDACTED = SafeExceptionReporterFilter.cleansed_substitute

# Field names (of forms, query strings, JSON bodies, variables) that carry participant data;
# form prefixes are ignored ("code-birth_place" is "birth_place"). "token" is a sign-in code.
PARTICIPANT_FIELDS = frozenset(
    {
        *QUESTIONS,
        "alias",
        "note",
        "notes",
        "q",
        "query",
        "code",
        "participant_code",
        "answers",
        "profile",
        "characteristics",
        "gender_identity",
        "race_ethnicity",
        "zip3",
        "token",
    }
)
# Short values ("F", "03") are not identifying, and blanking them would blank half the report.
MIN_REDACTED_LENGTH = 3

_NAMES = "|".join(sorted((re.escape(name) for name in PARTICIPANT_FIELDS), key=len, reverse=True))
_QUERY_PARAMETER = re.compile(rf"([?&;](?:[\w.]+-)?(?:{_NAMES})=)[^&#\s'\"]*", re.IGNORECASE)
_KEY_VALUE = re.compile(
    rf"""((?<![\w-])['"]?(?:[\w.]+-)?(?:{_NAMES})['"]?\s*[:=]\s*)('[^']*'|"[^"]*"|[^\s,;&)}}\]]+)""",
    re.IGNORECASE,
)


def is_participant_field(name: object) -> bool:
    return str(name).rsplit("-", 1)[-1].lower() in PARTICIPANT_FIELDS


def _json_values(data: object) -> set[str]:
    found = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if is_participant_field(key) and not isinstance(value, dict | list):
                found.add(str(value))
            else:
                found |= _json_values(value)
    elif isinstance(data, list):
        for value in data:
            found |= _json_values(value)
    return found


def _derived_code(request) -> str | None:
    """The participant code the submitted answers make, in the user's program's recipe."""
    try:
        answers = {
            key.rsplit("-", 1)[-1]: value
            for key, value in request.POST.items()
            if key.rsplit("-", 1)[-1] in QUESTIONS
        }
        if not answers or not request.user.is_authenticated or request.user.program is None:
            return None
        return derive_code(request.user.program.code_recipe, answers)
    except Exception:
        return None  # incomplete answers make no code


def submitted_values(request) -> set[str]:
    """What `request` sent in participant fields (form, query string or JSON body)."""
    if request is None:
        return set()
    values = set()
    for source in ("GET", "POST"):
        try:
            data = getattr(request, source)
            values |= {
                value for key, items in data.lists() if is_participant_field(key) for value in items
            }
        except Exception:  # noqa: S112 -- a broken body must not stop the error report
            continue
    if "json" in (getattr(request, "content_type", "") or ""):
        # A body already read as a stream, or not JSON: nothing more to collect.
        with contextlib.suppress(Exception):
            values |= _json_values(json.loads(request.body))
    code = _derived_code(request)
    if code:
        values.add(code)
    spelled = {value.strip() for value in values if isinstance(value, str)}
    spelled |= {normalise(value) for value in spelled}
    return {value for value in spelled if len(value) >= MIN_REDACTED_LENGTH}


def redact_text(text: str, values: set[str] = frozenset(), *, key_values: bool = False) -> str:
    """`text` without participant fields in query strings, nor any of `values`.

    With `key_values`, also without `alias=...` or `'note': ...`: right for a log message,
    too eager for a traceback, whose source lines it would blank.
    """
    text = _QUERY_PARAMETER.sub(rf"\1{REDACTED}", text)
    if key_values:
        text = _KEY_VALUE.sub(rf"\1'{REDACTED}'", text)
    for value in sorted(values, key=len, reverse=True):
        text = re.sub(re.escape(value), REDACTED, text, flags=re.IGNORECASE)
    return text


def _holds_participant_rows(value: object) -> bool:
    """A model instance or queryset whose text would show an alias or a note."""
    try:
        model = value._meta.model if isinstance(value, models.Model) else None
        if model is None and isinstance(value, models.QuerySet):
            model = value.model
    except Exception:
        return False
    if model is None:
        return False
    names = {field.name for field in model._meta.get_fields()}
    return bool(names & {"alias", "note", "participant"})


class ParticipantDataReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus participant fields hidden by name, in production and in DEBUG."""

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if request is None:
            return parameters
        parameters = parameters.copy()
        for key in parameters:
            if is_participant_field(key):
                parameters[key] = REDACTED
        return parameters

    def get_safe_request_meta(self, request):
        return {
            key: redact_text(value) if isinstance(value, str) else value
            for key, value in super().get_safe_request_meta(request).items()
        }

    def get_traceback_frame_variables(self, request, tb_frame):
        cleansed = []
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if is_participant_field(name) or _holds_participant_rows(value):
                value = REDACTED
            elif isinstance(value, dict):
                value = {
                    key: REDACTED if is_participant_field(key) else item
                    for key, item in value.items()
                }
            cleansed.append((name, value))
        return cleansed


class ParticipantDataReporter(ExceptionReporter):
    """Django's error report without the participant data the failing request carried.

    The filter above covers POST, META and local variables; this also covers the query string,
    and the exception message itself (a database error can quote the row it refused).
    """

    def get_traceback_data(self):
        data = super().get_traceback_data()
        values = submitted_values(self.request)
        if self.request is not None:
            data["request_GET_items"] = [
                (key, REDACTED if is_participant_field(key) else value)
                for key, value in self.request.GET.items()
            ]
            data["request_insecure_uri"] = redact_text(data["request_insecure_uri"])
        if "exception_value" in data:
            data["exception_value"] = redact_text(data["exception_value"], values)
        return data

    def get_traceback_text(self):
        return redact_text(super().get_traceback_text(), submitted_values(self.request))

    def get_traceback_html(self):
        values = submitted_values(self.request)
        escaped = {
            value.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&quot;")
            .replace("'", "&#x27;")
            for value in values
        }
        return redact_text(super().get_traceback_html(), values | escaped)


class RedactParticipantData(logging.Filter):
    """On every handler: a record about a request loses what that request sent in participant
    fields, and any participant field written as key=value, from its message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        values = submitted_values(getattr(record, "request", None))
        try:
            message = record.getMessage()
        except Exception:
            return True  # a malformed record: logging reports that itself
        cleaned = redact_text(message, values, key_values=True)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[0] is not None:
            traceback_text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact_text(traceback_text, values)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info, values)
        return True
