"""One form per tablet screen. Each turns what the patient tapped into JSON-ready
answers (`answers()`), keyed by the stable codes in intake/questions.py, and reads them
back as rows in the words the patient saw (`describe()`). A questionnaire's form is named
by its entry in intake.questionnaires.

Every word a patient reads is marked for translation and shown in the active language
(the patient's on the tablet, English on staff pages): the forms' own wording lazily
(gettext_lazy), the English wording of intake.questions and intake.bodychart translated
where a field is made (`_translated`). Answers stay codes whatever the language. A pack's
wording is the pack's own (a pack per language), never looked up in the catalogue."""

import base64
import binascii
import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext
from django.utils.translation import gettext_lazy as _

from core import images
from core.languages import english_name, local_name, patient_language, patient_languages
from core.models import Clinic
from intake import questions as q
from intake.bodychart import REGION_BY_CODE, REGIONS, SENSATIONS, validate_chart
from intake.instruments import Pack, option_scores
from intake.scoring import odi, startback
from patients.models import Patient
from patients.services import EDITABLE_FIELDS

MAX_SIGNATURE_BYTES = 300 * 1024
# The pad exports at most 800 px wide, and its 200 px tall box times the devicePixelRatio
# tall (static/js/signature-pad.js): a few thousand pixels a side is ample. The largest
# allowed decodes in about 20 MB; what a header declares beyond it is never decoded.
SIGNATURE_LIMITS = images.ImageLimits(
    max_bytes=MAX_SIGNATURE_BYTES, max_width=3000, max_height=3000, max_pixels=4_000_000
)
SIGNATURE_TOO_LARGE = _("The signature is too large. Please clear it and sign again.")
SIGNATURE_UNREADABLE = _("The signature could not be read. Please sign again.")
SIGN_IN_THE_BOX = _("Please sign in the box with your finger.")
PNG_DATA_URL = "data:image/png;base64,"


@dataclass
class StepContext:
    """What a screen's form needs besides the patient's answers."""

    patient: Patient
    clinic: Clinic | None = None
    packs: dict[str, Pack] = field(default_factory=dict)
    # The form's language (intake.language): the consent wording signed is in it.
    language: str = "en"


def _translated(choices):
    """English (code, text) choices from intake.questions or intake.bodychart, with the
    text in the active language when shown (the codes as they are)."""
    return [(code, _(text)) for code, text in choices]


def _radio(choices, label, *, required=True, help_text="", coerce=None):
    kwargs = {"choices": choices, "label": label, "required": required, "help_text": help_text}
    kwargs["error_messages"] = {"required": _("Please choose an answer.")}
    kwargs["widget"] = forms.RadioSelect(attrs={"class": "btn-check"})
    if coerce:
        return forms.TypedChoiceField(coerce=coerce, **kwargs)
    return forms.ChoiceField(**kwargs)


def _multi(choices, label, *, help_text=""):
    return forms.MultipleChoiceField(
        choices=choices,
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
    )


def _text(label, *, max_length=500, rows=None, required=False, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    widget.attrs.update({"autocomplete": "off", "class": "form-control form-control-lg"})
    return forms.CharField(
        label=label, max_length=max_length, required=required, help_text=help_text, widget=widget
    )


class StepForm(forms.Form):
    # Tells the template to lay the screen out as large button groups.
    def __init__(self, *args, context: StepContext, **kwargs):
        self.context = context
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        # BaseForm has this hook (it is ModelForm's); django-stubs does not declare it.
        super()._post_clean()  # type: ignore[misc]
        # Text boxes with a problem are outlined, and say so to a screen reader.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                    widget.attrs["aria-describedby"] = f"id_{name}_error"

    def answers(self) -> dict:
        """The cleaned data as JSON-ready values (dates as ISO strings)."""
        out = {}
        for name, value in self.cleaned_data.items():
            out[name] = value.isoformat() if isinstance(value, date) else value
        return out

    @classmethod
    def initial_from(cls, answers: dict) -> dict:
        return dict(answers)

    @classmethod
    def describe(cls, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
        """Stored answers as (question, answer) rows in the words the patient saw, for
        the review screen and the staff summary. Without a context to build the form
        with, the stored codes themselves."""
        if context is None:
            return [(k, str(v)) for k, v in answers.items()]
        form = cls(context=context)
        return [
            (str(form.fields[name].label), _answer_text(form.fields[name], value))
            for name, value in cls.initial_from(answers).items()
            if name in form.fields
        ]


def _answer_text(field, value) -> str:
    """A stored answer in the words of its choice, in the active language."""
    choices = {str(k): str(v) for k, v in getattr(field, "choices", []) or []}
    if isinstance(value, list):
        return ", ".join(choices.get(str(v), str(v)) for v in value) or gettext("None chosen")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if value in ("", None):
        return gettext("Not answered")
    return choices.get(str(value), str(value))


# What a patient may confirm or correct on the tablet: contact details, not identity
# (name, date of birth and sex stay with the front desk).
ABOUT_FIELDS = tuple(
    f
    for f in EDITABLE_FIELDS
    if f not in {"given_name", "family_name", "preferred_name", "date_of_birth", "sex", "country"}
)


# The tablet's own labels for some of them (the others are the record's).
ABOUT_LABELS = {
    "phone": _("Phone"),
    # The record's own labels, in the patient's language on the tablet.
    "email": _("Email"),
    "address_line1": _("Address"),
    "address_line2": _("Address line 2"),
    "city": _("Town or city"),
    "region": _("County, state or region"),
    "postal_code": _("Postal code"),
    "preferred_language": _("Preferred language"),
    "emergency_contact_name": _("Emergency contact: name"),
    "emergency_contact_relationship": _("Emergency contact: relationship"),
    "emergency_contact_phone": _("Emergency contact: phone"),
    "interpreter_needed": _("I would like an interpreter"),
}


def _language_choices(choices) -> list[tuple[str, str]]:
    """Each language named in itself; on an English page (staff read the summary in
    English) with its English name too: "Español (Spanish)"."""
    codes = [code for code, _label in choices if code]
    first = [code for code in patient_languages() if code in codes]
    rest = sorted((c for c in codes if c not in first), key=lambda c: local_name(c).casefold())
    english = patient_language(get_language()) == "en"

    def name(code: str) -> str:
        own = local_name(code)
        return f"{own} ({english_name(code)})" if english and own != english_name(code) else own

    return [(code, name(code)) for code in (*first, *rest)]


class AboutForm(StepForm):
    details_confirmed = forms.BooleanField(
        label=_("My name and date of birth above are correct"),
        help_text=_("If they are not, please tell the front desk."),
        error_messages={"required": _("Please tick this box if your details are correct.")},
    )

    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        model_fields = forms.fields_for_model(
            Patient,
            fields=ABOUT_FIELDS,
            widgets={
                "phone": forms.TextInput(attrs={"type": "tel"}),
                "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
                "email": forms.EmailInput(),
            },
        )
        for name, f in model_fields.items():
            f.label = ABOUT_LABELS.get(name, f.label)
            f.widget.attrs["autocomplete"] = "off"
            if not isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs["class"] = (
                    "form-select form-select-lg"
                    if isinstance(f.widget, forms.Select)
                    else "form-control form-control-lg"
                )
            self.fields[name] = f
        if "preferred_language" in self.fields:
            # Each language named in itself, so a patient finds their own; the ones the
            # tablet speaks first. The stored codes are the record's.
            choice = cast(forms.TypedChoiceField, self.fields["preferred_language"])
            choice.choices = _language_choices(choice.choices)
        self.fields["details_confirmed"] = self.fields.pop("details_confirmed")

    @classmethod
    def initial_for(cls, patient: Patient) -> dict:
        return {name: getattr(patient, name) for name in ABOUT_FIELDS}


def decode_signature(value: str) -> bytes:
    """A PNG data URL from the signature pad -> PNG bytes, or ValidationError. One that is
    too large, in bytes or in the pixels its header declares, is refused before it is
    decoded, with the code "too_large"."""
    if not value.startswith(PNG_DATA_URL):
        raise forms.ValidationError(SIGN_IN_THE_BOX)
    encoded = value[len(PNG_DATA_URL) :]
    # Base64 takes 4 characters for every 3 bytes: a longer text is refused undecoded.
    if len(encoded) > -(-MAX_SIGNATURE_BYTES // 3) * 4:
        raise forms.ValidationError(SIGNATURE_TOO_LARGE, code="too_large")
    try:
        png = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise forms.ValidationError(SIGNATURE_UNREADABLE) from exc
    try:
        image = images.decode(png, SIGNATURE_LIMITS)
    except images.ImageRefused as refused:
        if refused.reason == "too_large":
            raise forms.ValidationError(SIGNATURE_TOO_LARGE, code="too_large") from refused
        raise forms.ValidationError(SIGNATURE_UNREADABLE) from refused
    with image:
        # Blank canvases are a common accidental tap: require some ink.
        extrema = image.convert("L").getextrema()
    if extrema[0] == extrema[1]:
        raise forms.ValidationError(_("The signature box is empty. Please sign with your finger."))
    return png


class ConsentForm(StepForm):
    treatment_consent = forms.BooleanField(
        label=_("I agree to assessment and treatment"),
        error_messages={"required": _("Please tick this box to agree, or ask the front desk.")},
    )
    privacy_ack = forms.BooleanField(
        label=_("I have read the privacy notice"),
        error_messages={"required": _("Please tick this box once you have read the notice.")},
    )
    signed_name = _text(_("Your full name"), max_length=200, required=True)
    signature = forms.CharField(
        widget=forms.HiddenInput,
        required=True,
        error_messages={"required": SIGN_IN_THE_BOX},
    )

    def clean_signature(self) -> bytes:
        return decode_signature(self.cleaned_data["signature"])

    def answers(self) -> dict:
        return {
            "treatment_consent": True,
            "privacy_ack": True,
            "signed_name": self.cleaned_data["signed_name"],
            "consent_version": (
                self.context.clinic.wording(self.context.language).consent_version
                if self.context.clinic
                else ""
            ),
        }

    @classmethod
    def describe(cls, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
        return [
            (gettext("Consent to assessment and treatment"), pgettext("consent", "Given")),
            (gettext("Privacy notice"), pgettext("privacy notice", "Read")),
            (gettext("Signed by"), answers.get("signed_name", "")),
            (gettext("Consent version"), answers.get("consent_version", "")),
        ]


class WhereForm(StepForm):
    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        for region in REGIONS:
            self.fields[f"chart_{region.code}"] = _multi(
                _translated(SENSATIONS.items()), _(region.label)
            )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if not any(cleaned.get(f"chart_{r.code}") for r in REGIONS):
            raise forms.ValidationError(
                _("Please mark at least one area where you feel pain or other symptoms.")
            )
        return cleaned

    def answers(self) -> dict:
        marks = {r.code: self.cleaned_data.get(f"chart_{r.code}") or [] for r in REGIONS}
        return {"chart": validate_chart(marks)}

    @classmethod
    def initial_from(cls, answers: dict) -> dict:
        return {f"chart_{code}": felt for code, felt in (answers.get("chart") or {}).items()}

    @classmethod
    def describe(cls, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
        return [
            (
                gettext(REGION_BY_CODE[code].label),
                ", ".join(gettext(SENSATIONS[s]) for s in felt),
            )
            for code, felt in (answers.get("chart") or {}).items()
            if code in REGION_BY_CODE
        ]

    def regions(self):
        """(region, bound field) pairs for the accessible list, each region labelled in
        the active language."""
        return [
            (dataclasses.replace(r, label=gettext(r.label)), self[f"chart_{r.code}"])
            for r in REGIONS
        ]


class FeelsForm(StepForm):
    qualities = _multi(
        _translated(q.QUALITIES), _("What does the pain feel like? Choose all that fit.")
    )
    follows_path = _radio(_translated(q.FOLLOWS_PATH), _("Does the leg pain follow a clear path?"))
    leg_vs_back = _radio(_translated(q.LEG_VS_BACK), _("Which is worse, your leg or your back?"))
    attacks = _radio(_translated(q.YES_NO), _("Does the pain come in sudden attacks?"))
    worse_on_cough = _radio(
        _translated(q.YES_NO_UNSURE), _("Is the pain worse when you cough, sneeze or strain?")
    )
    weakness = _radio(
        _translated(q.YES_NO),
        # Translators: safety wording; product translation, to be reviewed by a qualified
        # medical translator and a clinician before use.
        _("Does your leg feel weak, do you trip, or does your foot slap the ground when you walk?"),
    )


class WhenForm(StepForm):
    onset_date = forms.DateField(
        label=_("When did this pain start?"),
        help_text=_("An approximate date is fine."),
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-lg"}, format="%Y-%m-%d"
        ),
        error_messages={
            "invalid": _("Enter a date, for example 2026-10-01."),
            "required": _("Please enter the date, even if approximate."),
        },
    )
    mechanism = _radio(_translated(q.MECHANISMS), _("How did it start?"))
    previous_episodes = _radio(
        _translated(q.PREVIOUS_EPISODES), _("Have you had pain like this before?")
    )
    worse_with = _multi(_translated(q.POSTURES), _("What makes it worse? Choose all that fit."))
    better_with = _multi(_translated(q.POSTURES), _("What makes it better? Choose all that fit."))
    pattern_24h = _radio(_translated(q.PATTERN_24H), _("How does it change over the day?"))
    night_pain = _radio(_translated(q.NIGHT_PAIN), _("What is it like at night?"))
    walking = _radio(_translated(q.WALKING), _("How long can you walk before you have to stop?"))
    sitting_relief = _radio(
        _translated(q.RELIEF),
        _("Does sitting down or bending forward ease your leg pain when walking?"),
    )
    cart_relief = _radio(
        _translated(q.RELIEF), _("Is walking easier when you lean on a shopping trolley?")
    )

    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        today = timezone.localdate()
        attrs = self.fields["onset_date"].widget.attrs
        attrs["max"] = today.isoformat()
        if context.patient.date_of_birth:
            attrs["min"] = context.patient.date_of_birth.isoformat()

    def clean_onset_date(self):
        onset = self.cleaned_data["onset_date"]
        if onset > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        dob = self.context.patient.date_of_birth
        if dob and onset < dob:
            raise forms.ValidationError(_("The date is before your date of birth."))
        return onset


_NPRS = [(n, str(n)) for n in range(11)]
# The pain scale's anchors, under each pain question (the follow-up's too).
NPRS_HELP = _("0 means no pain, 10 the worst pain you can imagine.")


class PainForm(StepForm):
    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        for code, label in q.NPRS_ITEMS:
            self.fields[code] = _radio(_NPRS, _(label), coerce=int, help_text=NPRS_HELP)


NOT_ASKED = _("Not asked")


def _not_asked(answers: dict, questions) -> list[tuple[str, str]]:
    """Questions added to a screen after these answers were given (red-flag ruleset
    2026.12-1 added some): listed as not asked, never read as "No"."""
    return [
        (gettext(question), str(NOT_ASKED)) for code, question in questions if code not in answers
    ]


class HistoryForm(StepForm):
    @classmethod
    def describe(cls, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
        rows = super().describe(answers, context)
        return rows + _not_asked(answers, q.HISTORY_QUESTIONS) if context else rows

    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        for code, question in q.HISTORY_QUESTIONS:
            self.fields[code] = _radio(_translated(q.YES_NO_UNSURE), _(question))
        self.fields["medications"] = _text(
            _("Which medicines do you take? (optional)"), rows=3, max_length=2000
        )
        for name, label in (
            ("imaging", _("Have you had an X-ray, MRI or CT scan of your back?")),
            ("injections", _("Have you had injections for your back or leg pain?")),
            ("surgery", _("Have you had an operation on your back?")),
        ):
            self.fields[name] = _radio(_translated(q.YES_NO), label)
            self.fields[f"{name}_details"] = _text(
                _("When, and what did it show or involve? (optional)"), rows=2, max_length=1000
            )


class RedFlagsForm(StepForm):
    @classmethod
    def describe(cls, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
        rows = super().describe(answers, context)
        return rows + _not_asked(answers, q.RED_FLAG_QUESTIONS) if context else rows

    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        for code, question in q.RED_FLAG_QUESTIONS:
            self.fields[code] = _radio(_translated(q.YES_NO_UNSURE), _(question))


class PackForm(StepForm):
    """Questions whose wording comes from an instrument pack."""

    instrument = ""
    required_items = True

    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        self.pack = context.packs.get(self.instrument)
        if self.pack is None:
            return
        for item in self.pack.items:
            self.fields[item["id"]] = _radio(
                [(o["id"], o["text"]) for o in item["options"]],
                item.get("text") or item.get("title"),
                required=self.required_items,
            )


class StartBackForm(PackForm):
    instrument = startback.INSTRUMENT_CODE


class OdiForm(PackForm):
    instrument = odi.INSTRUMENT_CODE
    required_items = False
    MIN_ANSWERED = 9

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        answered = [k for k, v in cleaned.items() if v]
        if self.pack and len(answered) < self.MIN_ANSWERED:
            raise forms.ValidationError(
                _(
                    "Please answer every section. You may leave out one section that does not "
                    "apply to you."
                )
            )
        return cleaned

    def answers(self) -> dict:
        # Only a form with its pack has the questions whose answers these are.
        assert self.pack is not None
        scores = option_scores(self.pack)
        chosen = {k: v for k, v in self.cleaned_data.items() if v}
        return {
            "choices": chosen,
            "sections": {k: scores[k][chosen[k]] if k in chosen else None for k in scores},
            "pack_version": self.pack.version,
        }

    @classmethod
    def initial_from(cls, answers: dict) -> dict:
        return dict(answers.get("choices") or {})


class PsfsForm(StepForm):
    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        for n in range(1, q.PSFS_MAX_ACTIVITIES + 1):
            required = n <= q.PSFS_MIN_ACTIVITIES
            label = (
                gettext("Activity %(number)s")
                if required
                else gettext("Activity %(number)s (optional)")
            )
            self.fields[f"activity_{n}"] = _text(label % {"number": n}, max_length=200)
            self.fields[f"score_{n}"] = _radio(
                [(s, str(s)) for s in range(11)],
                gettext("How well can you do activity %(number)s today?") % {"number": n},
                coerce=int,
                required=False,
                help_text=_("0 means unable to do it, 10 means as well as before your problem."),
            )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        for n in range(1, q.PSFS_MAX_ACTIVITIES + 1):
            name = (cleaned.get(f"activity_{n}") or "").strip()
            score = cleaned.get(f"score_{n}")
            if score in ("", None):
                score = None
            if n <= q.PSFS_MIN_ACTIVITIES and not name:
                self.add_error(f"activity_{n}", _("Please name an activity you find difficult."))
            if name and score is None and f"score_{n}" not in self.errors:
                self.add_error(f"score_{n}", _("Please choose a number from 0 to 10."))
            if score is not None and not name:
                self.add_error(f"activity_{n}", _("Please say which activity this number is for."))
        return cleaned

    def answers(self) -> dict:
        activities = []
        for n in range(1, q.PSFS_MAX_ACTIVITIES + 1):
            name = (self.cleaned_data.get(f"activity_{n}") or "").strip()
            if name:
                activities.append(
                    {"id": f"a{n}", "name": name, "score": self.cleaned_data[f"score_{n}"]}
                )
        return {"activities": activities}

    @classmethod
    def initial_from(cls, answers: dict) -> dict:
        initial = {}
        for activity in answers.get("activities") or []:
            n = activity["id"][1:]
            initial[f"activity_{n}"] = activity["name"]
            initial[f"score_{n}"] = activity["score"]
        return initial

    @classmethod
    def describe(cls, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
        return [(a["name"], out_of_10(a["score"])) for a in answers.get("activities") or []]

    def rows(self):
        return [
            (n, self[f"activity_{n}"], self[f"score_{n}"])
            for n in range(1, q.PSFS_MAX_ACTIVITIES + 1)
        ]


def out_of_10(score) -> str:
    """An activity's rating as the review screen reads it: "7 out of 10"."""
    return gettext("%(score)s out of 10") % {"score": score}


class ReviewForm(StepForm):
    submission_id = forms.UUIDField(widget=forms.HiddenInput)
