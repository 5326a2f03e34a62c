"""One form per tablet screen. Each turns what the patient tapped into JSON-ready
answers (`answers()`), keyed by the stable codes in intake/questions.py, and reads them
back as rows in the words the patient saw (`describe()`). A questionnaire's form is named
by its entry in intake.questionnaires."""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.utils import timezone

from core import images
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
SIGNATURE_TOO_LARGE = "The signature is too large. Please clear it and sign again."
PNG_DATA_URL = "data:image/png;base64,"


@dataclass
class StepContext:
    """What a screen's form needs besides the patient's answers."""

    patient: Patient
    clinic: Clinic | None = None
    packs: dict[str, Pack] = field(default_factory=dict)


def _radio(choices, label, *, required=True, help_text="", coerce=None):
    kwargs = {"choices": choices, "label": label, "required": required, "help_text": help_text}
    kwargs["error_messages"] = {"required": "Please choose an answer."}
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
    choices = dict((str(k), v) for k, v in getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(choices.get(str(v), str(v)) for v in value) or "None chosen"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value in ("", None):
        return "Not answered"
    return choices.get(str(value), str(value))


# What a patient may confirm or correct on the tablet: contact details, not identity
# (name, date of birth and sex stay with the front desk).
ABOUT_FIELDS = tuple(
    f
    for f in EDITABLE_FIELDS
    if f not in {"given_name", "family_name", "preferred_name", "date_of_birth", "sex", "country"}
)


class AboutForm(StepForm):
    details_confirmed = forms.BooleanField(
        label="My name and date of birth above are correct",
        help_text="If they are not, please tell the front desk.",
        error_messages={"required": "Please tick this box if your details are correct."},
    )

    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        model_fields = forms.fields_for_model(
            Patient,
            fields=ABOUT_FIELDS,
            labels={
                "phone": "Phone",
                "emergency_contact_name": "Emergency contact: name",
                "emergency_contact_relationship": "Emergency contact: relationship",
                "emergency_contact_phone": "Emergency contact: phone",
                "interpreter_needed": "I would like an interpreter",
            },
            widgets={
                "phone": forms.TextInput(attrs={"type": "tel"}),
                "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
                "email": forms.EmailInput(),
            },
        )
        for name, f in model_fields.items():
            f.widget.attrs["autocomplete"] = "off"
            if not isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs["class"] = (
                    "form-select form-select-lg"
                    if isinstance(f.widget, forms.Select)
                    else "form-control form-control-lg"
                )
            self.fields[name] = f
        self.fields["details_confirmed"] = self.fields.pop("details_confirmed")

    @classmethod
    def initial_for(cls, patient: Patient) -> dict:
        return {name: getattr(patient, name) for name in ABOUT_FIELDS}


def decode_signature(value: str) -> bytes:
    """A PNG data URL from the signature pad -> PNG bytes, or ValidationError. One that is
    too large, in bytes or in the pixels its header declares, is refused before it is
    decoded, with the code "too_large"."""
    if not value.startswith(PNG_DATA_URL):
        raise forms.ValidationError("Please sign in the box with your finger.")
    encoded = value[len(PNG_DATA_URL) :]
    # Base64 takes 4 characters for every 3 bytes: a longer text is refused undecoded.
    if len(encoded) > -(-MAX_SIGNATURE_BYTES // 3) * 4:
        raise forms.ValidationError(SIGNATURE_TOO_LARGE, code="too_large")
    try:
        png = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise forms.ValidationError("The signature could not be read. Please sign again.") from exc
    try:
        image = images.decode(png, SIGNATURE_LIMITS)
    except images.ImageRefused as refused:
        if refused.reason == "too_large":
            raise forms.ValidationError(SIGNATURE_TOO_LARGE, code="too_large") from refused
        raise forms.ValidationError(
            "The signature could not be read. Please sign again."
        ) from refused
    with image:
        # Blank canvases are a common accidental tap: require some ink.
        extrema = image.convert("L").getextrema()
    if extrema[0] == extrema[1]:
        raise forms.ValidationError("The signature box is empty. Please sign with your finger.")
    return png


class ConsentForm(StepForm):
    treatment_consent = forms.BooleanField(
        label="I agree to assessment and treatment",
        error_messages={"required": "Please tick this box to agree, or ask the front desk."},
    )
    privacy_ack = forms.BooleanField(
        label="I have read the privacy notice",
        error_messages={"required": "Please tick this box once you have read the notice."},
    )
    signed_name = _text("Your full name", max_length=200, required=True)
    signature = forms.CharField(
        widget=forms.HiddenInput,
        required=True,
        error_messages={"required": "Please sign in the box with your finger."},
    )

    def clean_signature(self) -> bytes:
        return decode_signature(self.cleaned_data["signature"])

    def answers(self) -> dict:
        return {
            "treatment_consent": True,
            "privacy_ack": True,
            "signed_name": self.cleaned_data["signed_name"],
            "consent_version": self.context.clinic.consent_version if self.context.clinic else "",
        }

    @classmethod
    def describe(cls, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
        return [
            ("Consent to assessment and treatment", "Given"),
            ("Privacy notice", "Read"),
            ("Signed by", answers.get("signed_name", "")),
            ("Consent version", answers.get("consent_version", "")),
        ]


class WhereForm(StepForm):
    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        for region in REGIONS:
            self.fields[f"chart_{region.code}"] = _multi(list(SENSATIONS.items()), region.label)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if not any(cleaned.get(f"chart_{r.code}") for r in REGIONS):
            raise forms.ValidationError(
                "Please mark at least one area where you feel pain or other symptoms."
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
            (REGION_BY_CODE[code].label, ", ".join(SENSATIONS[s] for s in felt))
            for code, felt in (answers.get("chart") or {}).items()
            if code in REGION_BY_CODE
        ]

    def regions(self):
        """(region, bound field) pairs for the accessible list."""
        return [(r, self[f"chart_{r.code}"]) for r in REGIONS]


class FeelsForm(StepForm):
    qualities = _multi(q.QUALITIES, "What does the pain feel like? Choose all that fit.")
    follows_path = _radio(q.FOLLOWS_PATH, "Does the leg pain follow a clear path?")
    leg_vs_back = _radio(q.LEG_VS_BACK, "Which is worse, your leg or your back?")
    attacks = _radio(q.YES_NO, "Does the pain come in sudden attacks?")
    worse_on_cough = _radio(q.YES_NO_UNSURE, "Is the pain worse when you cough, sneeze or strain?")
    weakness = _radio(
        q.YES_NO,
        "Does your leg feel weak, do you trip, or does your foot slap the ground when you walk?",
    )


class WhenForm(StepForm):
    onset_date = forms.DateField(
        label="When did this pain start?",
        help_text="An approximate date is fine.",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-lg"}, format="%Y-%m-%d"
        ),
        error_messages={
            "invalid": "Enter a date, for example 2026-10-01.",
            "required": "Please enter the date, even if approximate.",
        },
    )
    mechanism = _radio(q.MECHANISMS, "How did it start?")
    previous_episodes = _radio(q.PREVIOUS_EPISODES, "Have you had pain like this before?")
    worse_with = _multi(q.POSTURES, "What makes it worse? Choose all that fit.")
    better_with = _multi(q.POSTURES, "What makes it better? Choose all that fit.")
    pattern_24h = _radio(q.PATTERN_24H, "How does it change over the day?")
    night_pain = _radio(q.NIGHT_PAIN, "What is it like at night?")
    walking = _radio(q.WALKING, "How long can you walk before you have to stop?")
    sitting_relief = _radio(
        q.RELIEF, "Does sitting down or bending forward ease your leg pain when walking?"
    )
    cart_relief = _radio(q.RELIEF, "Is walking easier when you lean on a shopping trolley?")

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
            raise forms.ValidationError("The date cannot be in the future.")
        dob = self.context.patient.date_of_birth
        if dob and onset < dob:
            raise forms.ValidationError("The date is before your date of birth.")
        return onset


_NPRS = [(n, str(n)) for n in range(11)]


class PainForm(StepForm):
    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        for code, label in q.NPRS_ITEMS:
            self.fields[code] = _radio(
                _NPRS,
                label,
                coerce=int,
                help_text="0 means no pain, 10 the worst pain you can imagine.",
            )


NOT_ASKED = "Not asked"


def _not_asked(answers: dict, questions) -> list[tuple[str, str]]:
    """Questions added to a screen after these answers were given (red-flag ruleset
    2026.12-1 added some): listed as not asked, never read as "No"."""
    return [(question, NOT_ASKED) for code, question in questions if code not in answers]


class HistoryForm(StepForm):
    @classmethod
    def describe(cls, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
        rows = super().describe(answers, context)
        return rows + _not_asked(answers, q.HISTORY_QUESTIONS) if context else rows

    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        for code, question in q.HISTORY_QUESTIONS:
            self.fields[code] = _radio(q.YES_NO_UNSURE, question)
        self.fields["medications"] = _text(
            "Which medicines do you take? (optional)", rows=3, max_length=2000
        )
        for name, label in (
            ("imaging", "Have you had an X-ray, MRI or CT scan of your back?"),
            ("injections", "Have you had injections for your back or leg pain?"),
            ("surgery", "Have you had an operation on your back?"),
        ):
            self.fields[name] = _radio(q.YES_NO, label)
            self.fields[f"{name}_details"] = _text(
                "When, and what did it show or involve? (optional)", rows=2, max_length=1000
            )


class RedFlagsForm(StepForm):
    @classmethod
    def describe(cls, answers: dict, context: StepContext | None) -> list[tuple[str, str]]:
        rows = super().describe(answers, context)
        return rows + _not_asked(answers, q.RED_FLAG_QUESTIONS) if context else rows

    def __init__(self, *args, context: StepContext, **kwargs):
        super().__init__(*args, context=context, **kwargs)
        for code, question in q.RED_FLAG_QUESTIONS:
            self.fields[code] = _radio(q.YES_NO_UNSURE, question)


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
                "Please answer every section. You may leave out one section that does not "
                "apply to you."
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
            self.fields[f"activity_{n}"] = _text(
                f"Activity {n}" + ("" if required else " (optional)"), max_length=200
            )
            self.fields[f"score_{n}"] = _radio(
                [(s, str(s)) for s in range(11)],
                f"How well can you do activity {n} today?",
                coerce=int,
                required=False,
                help_text="0 means unable to do it, 10 means as well as before your problem.",
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
                self.add_error(f"activity_{n}", "Please name an activity you find difficult.")
            if name and score is None and f"score_{n}" not in self.errors:
                self.add_error(f"score_{n}", "Please choose a number from 0 to 10.")
            if score is not None and not name:
                self.add_error(f"activity_{n}", "Please say which activity this number is for.")
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
        return [(a["name"], f"{a['score']} out of 10") for a in answers.get("activities") or []]

    def rows(self):
        return [
            (n, self[f"activity_{n}"], self[f"score_{n}"])
            for n in range(1, q.PSFS_MAX_ACTIVITIES + 1)
        ]


class ReviewForm(StepForm):
    submission_id = forms.UUIDField(widget=forms.HiddenInput)
