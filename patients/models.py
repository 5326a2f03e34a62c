import uuid
from typing import TYPE_CHECKING

from django.conf import global_settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from patients.search import PatientQuery, normalise_name

if TYPE_CHECKING:
    from accounts.models import User

phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-.]{6,25}$",
    "Enter a phone number of digits, spaces and + ( ) - only, for example +44 20 7946 0000.",
)


class PatientQuerySet(models.QuerySet["Patient"]):
    LIST_ORDER = ("search_family", "search_given", "id")

    def matching(self, query: PatientQuery) -> "PatientQuerySet":
        """Patients matching a parsed search, in list order. Every branch is a prefix or
        exact match on an indexed column, so it stays fast at 100,000 patients. Call it
        last: a one-name search returns a union, which cannot be filtered further."""
        qs = self
        if query.mrn:
            qs = qs.filter(mrn__startswith=query.mrn)
        if query.date_of_birth:
            qs = qs.filter(date_of_birth=query.date_of_birth)
        names = query.names
        if len(names) == 1:
            # Family OR given name, as two disjoint index range scans joined by UNION ALL.
            # With a plain OR, PostgreSQL walks the whole list index filtering rows
            # (bench/search.py: 70 ms at 100,000 patients; 7 ms like this).
            base = qs.order_by()
            family = Q(search_family__startswith=names[0])
            given_only = Q(search_given__startswith=names[0]) & ~family
            return (
                base.filter(family)
                .union(base.filter(given_only), all=True)
                .order_by(*self.LIST_ORDER)
            )
        if names:
            # "Smith Mary Ann" (family first) or "Mary Ann Smith" (family last).
            family_first = Q(search_family__startswith=names[0]) & Q(
                search_given__startswith="".join(names[1:])
            )
            family_last = Q(search_given__startswith="".join(names[:-1])) & Q(
                search_family__startswith=names[-1]
            )
            qs = qs.filter(family_first if query.family_first else family_first | family_last)
        return qs

    def in_list_order(self) -> "PatientQuerySet":
        return self.order_by(*self.LIST_ORDER)


class Patient(models.Model):
    """A person registered at the clinic. Identified in URLs by public_id, to staff by MRN."""

    class Sex(models.TextChoices):
        # FHIR administrative-gender, as used on clinical records.
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Not known / prefer not to say"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mrn = models.CharField("MRN", max_length=12, unique=True, editable=False)

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(db_index=True)
    sex = models.CharField(max_length=10, choices=Sex)

    phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField("town or city", max_length=100, blank=True)
    region = models.CharField("county, state or region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)

    preferred_language = models.CharField(
        max_length=10, choices=global_settings.LANGUAGES, default="en"
    )
    interpreter_needed = models.BooleanField(default=False)

    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    emergency_contact_phone = models.CharField(
        max_length=30, blank=True, validators=[phone_validator]
    )

    # Case- and accent-free copies of the names for indexed prefix search. On PostgreSQL
    # db_index adds a varchar_pattern_ops index, which LIKE 'abc%' uses.
    search_family = models.CharField(max_length=100, db_index=True, editable=False)
    search_given = models.CharField(max_length=100, db_index=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_family", "search_given", "updated_at"])

    objects = PatientQuerySet.as_manager()

    if TYPE_CHECKING:
        # Who is making this change: simple_history reads it when it writes the history row.
        _history_user: User | None

    class Meta:
        ordering = ["search_family", "search_given", "id"]
        indexes = [
            # The unfiltered list is read in this order, one page at a time.
            models.Index(fields=["search_family", "search_given", "id"], name="patient_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    def save(self, *args, **kwargs):
        self.search_family = normalise_name(self.family_name)[:100]
        self.search_given = normalise_name(self.given_name)[:100]
        super().save(*args, **kwargs)

    @classmethod
    def field_label(cls, name: str) -> str:
        """How staff read the name of one of the record's own fields."""
        field = cls._meta.get_field(name)
        # Only the record's own columns have a label; a relation pointing here has none.
        return str(field.verbose_name) if isinstance(field, models.Field) else name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"
