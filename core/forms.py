from crispy_forms.helper import FormHelper
from django import forms

from core.models import Clinic

MAX_LOGO_BYTES = 1024 * 1024


class ClinicForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = (
            "name",
            "address",
            "phone",
            "email",
            "paper_size",
            "logo",
            "consent_version",
            "consent_text",
            "privacy_notice",
        )
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "paper_size": "Page size of PDF reports.",
            "logo": "PNG or JPEG, at most 1 MB. Printed on every report's letterhead.",
            "consent_version": "Each signed consent records this version. Change it whenever "
            "you change the consent or privacy wording.",
            "consent_text": "Treatment consent the patient signs on the tablet. Use wording "
            "your clinic's counsel approved.",
            "privacy_notice": "Privacy notice shown with the consent.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        wording_changed = {"consent_text", "privacy_notice"} & set(self.changed_data)
        if self.instance.pk and wording_changed and "consent_version" not in self.changed_data:
            self.add_error(
                "consent_version",
                "You changed the consent wording: give it a new version, so signatures "
                "under the old wording stay distinguishable.",
            )
        return cleaned

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > MAX_LOGO_BYTES:
            raise forms.ValidationError("The logo must be 1 MB or smaller.")
        return logo
