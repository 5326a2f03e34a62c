from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patients.models import Patient
from patients.search import normalise_name
from patients.services import EDITABLE_FIELDS


class PatientForm(forms.ModelForm):
    # Ticked by the front desk after being warned of a possible duplicate.
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label=_("This is a different person from the patient(s) listed above"),
    )

    class Meta:
        model = Patient
        fields = EDITABLE_FIELDS
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }
        help_texts = {"preferred_name": _("What the patient likes to be called, if different.")}
        labels = {
            "emergency_contact_name": _("Contact name"),
            "emergency_contact_relationship": _("Relationship"),
            "emergency_contact_phone": _("Contact phone"),
        }

    def __init__(self, *args, check_duplicates: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_duplicates = check_duplicates
        self.duplicates: list[Patient] = []
        today = timezone.localdate()
        self.fields["date_of_birth"].widget.attrs.update(
            {"min": "1900-01-01", "max": today.isoformat()}
        )
        if not check_duplicates:
            del self.fields["confirm_not_duplicate"]
        # Browsers must not remember patient details typed on a shared tablet.
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                gettext("Name and birth"),
                Div(
                    Div("given_name", css_class="col-md-6"),
                    Div("family_name", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("preferred_name", css_class="col-md-6"),
                    Div("date_of_birth", css_class="col-md-3"),
                    Div("sex", css_class="col-md-3"),
                    css_class="row",
                ),
            ),
            Fieldset(
                gettext("Contact"),
                Div(
                    Div("phone", css_class="col-md-6"),
                    Div("email", css_class="col-md-6"),
                    css_class="row",
                ),
                "address_line1",
                "address_line2",
                Div(
                    Div("city", css_class="col-md-4"),
                    Div("region", css_class="col-md-4"),
                    Div("postal_code", css_class="col-md-4"),
                    css_class="row",
                ),
                "country",
                Div(
                    Div("preferred_language", css_class="col-md-6"),
                    Div("interpreter_needed", css_class="col-md-6 pt-md-4"),
                    css_class="row",
                ),
            ),
            Fieldset(
                gettext("Emergency contact"),
                Div(
                    Div("emergency_contact_name", css_class="col-md-5"),
                    Div("emergency_contact_relationship", css_class="col-md-3"),
                    Div("emergency_contact_phone", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
        )
        # confirm_not_duplicate is rendered inside the duplicate warning, only when needed.

    def clean_date_of_birth(self) -> date:
        dob = self.cleaned_data["date_of_birth"]
        if dob > timezone.localdate():
            raise forms.ValidationError(gettext("Date of birth cannot be in the future."))
        if dob.year < 1900:
            raise forms.ValidationError(gettext("Enter a date of birth after 1900."))
        return dob

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not self.check_duplicates or self.errors:
            return cleaned
        self.duplicates = list(
            Patient.objects.filter(
                search_family=normalise_name(cleaned.get("family_name", "")),
                search_given=normalise_name(cleaned.get("given_name", "")),
                date_of_birth=cleaned["date_of_birth"],  # required, and no errors
            )[:5]
        )
        if self.duplicates and not cleaned.get("confirm_not_duplicate"):
            raise forms.ValidationError(
                gettext(
                    "A patient with this name and date of birth is already registered. "
                    "Open that record instead, or confirm this is a different person."
                )
            )
        return cleaned


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a patient"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, MRN or date of birth"),
                "autocomplete": "off",
                "autofocus": True,
            }
        ),
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
