"""Names a program gives its own things (items, kits, locations) in each enabled language.

The name as entered (`name`) is the program's own and stays the key of exports, imports and
the audit log; `name_translations` holds the same name in the other languages of LANGUAGES
({"es": "Jeringa 1 mL 28G"}). Pages show `localized_name`: the active language's name, or the
name as entered when nobody translated it.
"""

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Collate, NullIf, Trim
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def translated_languages() -> list[tuple[str, str]]:
    """(code, name) of the enabled languages a name can be translated into: all but the
    default one, in which names are entered."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _language_code(language: str | None) -> str:
    return (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]


def localized_name(name: str, translations: dict | None, language: str | None = None) -> str:
    """The name in `language` (the active one by default), else the name as entered."""
    return ((translations or {}).get(_language_code(language)) or "").strip() or name


class _ReadersCollation(Collate):
    """The ICU collation of a language on PostgreSQL ("es-x-icu": "Ácido" with the A's, "ñ"
    after "n"), where the database's own may be bytewise; other databases, and a PostgreSQL
    built without ICU, keep their own."""

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        if not _has_collation(connection, self.collation):
            return self.as_sql(compiler, connection, **extra_context)
        return super().as_sql(compiler, connection, **extra_context)


def _has_collation(connection, collation: str) -> bool:
    """Whether the database knows `collation`, asked once per connection."""
    known = connection.__dict__.setdefault("_hrprogram_collations", {})
    if collation not in known:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [collation])
            known[collation] = cursor.fetchone() is not None
    return known[collation]


def localized_name_order(relation: str = "", *, language: str | None = None) -> Collate:
    """What to order rows of a TranslatedName by so that they read in alphabetical order: the
    localized_name in SQL (the name in `language`, the active one by default, else the name as
    entered), in that language's collation. `relation` leads to the model ("lot__item"); empty
    for the model itself. Keep an explicit order first:
    `.order_by("display_order", localized_name_order())`. Built per call, so per request: a
    class-level queryset would keep the language of import time."""
    prefix = f"{relation}__" if relation else ""
    code = _language_code(language)
    translated = NullIf(Trim(KeyTextTransform(code, f"{prefix}name_translations")), Value(""))
    name = Coalesce(translated, F(f"{prefix}name"), output_field=models.TextField())
    return _ReadersCollation(name, f"{code}-x-icu")


class TranslatedName(models.Model):
    """A `name` and its translations; `str()` is the localized name."""

    name_translations = models.JSONField(
        _("name in other languages"),
        default=dict,
        blank=True,
        help_text=_("The name in each other language of the program; empty shows the name."),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return localized_name(self.name, self.name_translations)


def name_field_label(language: str):
    return format_lazy(_("Name ({language})"), language=language)


def name_fields() -> dict[str, forms.CharField]:
    """One optional field per other language: name_es, ..."""
    return {
        f"name_{code}": forms.CharField(
            label=name_field_label(language), required=False, max_length=200
        )
        for code, language in translated_languages()
    }


class TranslatedNameForm(forms.ModelForm):
    """A model form of a TranslatedName whose name_<language> fields edit its translations.
    Make one with translated_name_form(), which declares those fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, _language in translated_languages():
            self.fields[f"name_{code}"].initial = self.instance.name_translations.get(code, "")

    def clean(self):
        cleaned = super().clean()
        translations = dict(self.instance.name_translations or {})
        for code, _language in translated_languages():
            text = (cleaned.get(f"name_{code}") or "").strip()
            if text:
                translations[code] = text
            else:
                translations.pop(code, None)
        self.instance.name_translations = translations
        return cleaned


def translated_name_form(model: type[models.Model]) -> type[TranslatedNameForm]:
    """A TranslatedNameForm of `model` (e.g. for its admin), with a field per language."""
    meta = type("Meta", (), {"model": model, "exclude": ["name_translations"]})
    return type(forms.ModelForm)(
        f"{model.__name__}NamesForm", (TranslatedNameForm,), {**name_fields(), "Meta": meta}
    )
