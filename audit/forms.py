from typing import Any

from django import forms

from accounts.models import User
from audit.models import AuditEvent
from core.dates import BoundedDateField


class AuditFilterForm(forms.Form):
    date_from = BoundedDateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = BoundedDateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.ModelChoiceField(
        label="Staff member",
        queryset=User.objects.order_by("username"),
        to_field_name="public_id",
        required=False,
        empty_label="Anyone",
    )
    action = forms.ChoiceField(
        choices=[("", "Any action"), *AuditEvent.Action.choices], required=False
    )
    object_type = forms.ChoiceField(
        label="Record type",
        choices=[
            ("", "Any record"),
            ("patient", "Patient"),
            ("user", "Staff account"),
            ("intake", "Intake"),
            ("evaluation", "Evaluation"),
        ],
        required=False,
    )
    patient = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


class AuditPatientForm(forms.Form):
    mrn = forms.CharField(label="Patient MRN", max_length=20, required=False)
