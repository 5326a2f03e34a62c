from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import images
from core.limits import human_size
from core.models import Clinic

# The letterhead prints the logo a few centimetres wide: anything larger only costs memory
# when every PDF is rendered.
MAX_LOGO_PIXELS = (4000, 4000)
LOGO_FORMATS = {"PNG", "JPEG"}


def logo_limits() -> images.ImageLimits:
    """What a clinic logo may be: the upload limit, MAX_LOGO_PIXELS, PNG or JPEG. The
    letterhead (reports.pdf) decodes the stored logo under the same limits."""
    width, height = MAX_LOGO_PIXELS
    return images.ImageLimits(
        max_bytes=settings.MAX_UPLOAD_BYTES,
        max_width=width,
        max_height=height,
        max_pixels=width * height,
        formats=frozenset(LOGO_FORMATS),
    )


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
            "emergency_number",
            "followup_lead_days",
            "followup_after_6w",
            "followup_after_3m",
            "followup_after_12m",
            "day_ends_at",
        )
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "day_ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        # Reads the logo's header before Pillow opens it, so clean_logo can say how large a
        # declared picture is even where Pillow would refuse to open it at all.
        field_classes = {"logo": images.HeaderCheckedImageField}
        help_texts = {
            "paper_size": _("Page size of PDF reports."),
            "consent_version": _(
                "Each signed consent records this version. Change it whenever "
                "you change the consent or privacy wording."
            ),
            "consent_text": _(
                "Treatment consent the patient signs on the tablet. Use wording "
                "your clinic's counsel approved."
            ),
            "privacy_notice": _("Privacy notice shown with the consent."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["logo"].help_text = gettext(
            "PNG or JPEG, at most %(size)s. Printed on every report's letterhead."
        ) % {"size": human_size(settings.MAX_UPLOAD_BYTES)}

    def clean(self):
        cleaned = super().clean()
        wording_changed = {"consent_text", "privacy_notice"} & set(self.changed_data)
        if self.instance.pk and wording_changed and "consent_version" not in self.changed_data:
            self.add_error(
                "consent_version",
                gettext(
                    "You changed the consent wording: give it a new version, so signatures "
                    "under the old wording stay distinguishable."
                ),
            )
        return cleaned

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not isinstance(logo, UploadedFile):
            return logo  # unchanged, or cleared
        limit = settings.MAX_UPLOAD_BYTES
        size = logo.size or 0  # an upload always has one; the stubs allow None
        if size > limit:
            raise forms.ValidationError(
                gettext(
                    "This file is %(size)s: the logo must be %(limit)s or smaller. Choose a "
                    "smaller image."
                )
                % {"size": human_size(size), "limit": human_size(limit)}
            )
        # The size it declares is read from its header and checked before anything decodes
        # it (core.images): a small file can declare a picture of hundreds of megabytes,
        # which the PDF letterhead would decode on every render.
        logo.seek(0)
        data = logo.read()
        logo.seek(0)
        width, height = MAX_LOGO_PIXELS
        try:
            images.check(data, logo_limits())
        except images.ImageRefused as refused:
            if refused.reason == "too_large" and refused.header is not None:
                raise forms.ValidationError(
                    gettext(
                        "This image is %(width)s by %(height)s pixels: the logo must be at "
                        "most %(max_width)s by %(max_height)s."
                    )
                    % {
                        "width": refused.header.width,
                        "height": refused.header.height,
                        "max_width": width,
                        "max_height": height,
                    }
                ) from refused
            raise forms.ValidationError(
                gettext("The logo must be a PNG or JPEG image.")
            ) from refused
        # ImageField has also opened it with Pillow (unless its header declared too many
        # pixels to open): anything renamed to .png or .jpg is refused here.
        image = getattr(logo, "image", None)
        if image is None or image.format not in LOGO_FORMATS:
            raise forms.ValidationError(gettext("The logo must be a PNG or JPEG image."))
        return logo
