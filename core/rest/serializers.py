"""The base of every model serializer of the API."""

from django.db import models
from rest_framework import serializers

from core.rest.fields import SaneDateField, SaneDateTimeField


class ModelSerializer(serializers.ModelSerializer):
    """A model serializer whose date and time fields refuse what the system cannot hold (days
    outside 1900-2100, times without an offset), as the fields written by hand do."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: SaneDateField,
        models.DateTimeField: SaneDateTimeField,
    }
