from crispy_forms.helper import FormHelper
from django import forms

from core.models import Clinic

MAX_LOGO_BYTES = 1024 * 1024


class ClinicForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = ("name", "address", "phone", "email", "paper_size", "logo")
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "paper_size": "Page size of PDF reports.",
            "logo": "PNG or JPEG, at most 1 MB. Printed on every report's letterhead.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > MAX_LOGO_BYTES:
            raise forms.ValidationError("The logo must be 1 MB or smaller.")
        return logo
