"""The evaluation's sections as forms. Each section validates what the therapist entered and
turns it into plain JSON (`content()`), the stored form of `Evaluation.content[key]`; the
pure functions in `evaluations.findings` read that JSON.

Grids (repeated movements, neurodynamic tests, the neuro exam) are many small fields; each
widget carries an `aria-label` naming its row and column, because a grid cell has no visible
label of its own.
"""

from __future__ import annotations

import copy
import functools
import html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from evaluations import classification, findings, mdt, neuro, neurodynamic, plan_catalog
from intake import bodychart
from intake.scoring.odi import SECTION_IDS as ODI_SECTION_IDS

# --- Vocabulary ------------------------------------------------------------------------------

LABELS: dict[str, str] = {
    # Distal sites (§4.4).
    "NONE": "None",
    "CENTRAL_LB": "Central low back",
    "UNILAT_LB": "One side of the low back",
    "BUTTOCK": "Buttock",
    "THIGH": "Thigh",
    "BELOW_KNEE": "Below the knee",
    "FOOT": "Foot",
    # Loading and force.
    "LOADED": "Loaded (standing, sitting)",
    "UNLOADED": "Unloaded (lying)",
    "PATIENT": "Patient",
    "PATIENT_OVERPRESSURE": "Patient overpressure",
    "CLINICIAN_OVERPRESSURE": "Clinician overpressure",
    "MOBILISATION": "Mobilisation",
    "MANIPULATION": "Manipulation",
    # Responses.
    "PRODUCES": "Produces",
    "ABOLISHES": "Abolishes",
    "INCREASES": "Increases",
    "DECREASES": "Decreases",
    "NO_EFFECT": "No effect",
    "CENTRALISING": "Centralising",
    "PERIPHERALISING": "Peripheralising",
    "BETTER": "Better",
    "WORSE": "Worse",
    "NO_BETTER": "No better",
    "NO_WORSE": "No worse",
    "CENTRALISED": "Centralised",
    "PERIPHERALISED": "Peripheralised",
    "ABOLISHED": "Abolished",
    "ROM_INCREASED": "Range increased",
    "ROM_DECREASED": "Range decreased",
    # Directions.
    "EXTENSION": "Extension",
    "FLEXION": "Flexion",
    "LATERAL_RIGHT": "Lateral, right",
    "LATERAL_LEFT": "Lateral, left",
    "LATERAL_R": "Lateral, right",
    "LATERAL_L": "Lateral, left",
    "UNCLEAR": "Unclear",
    # Neurodynamic.
    "GONIOMETER": "Goniometer",
    "INCLINOMETER": "Inclinometer",
    "VISUAL": "Visual estimate",
    "NON_FAMILIAR": "Not the familiar symptoms",
    "FAMILIAR_PARTIAL": "Familiar, in part",
    "FAMILIAR_FULL": "Familiar, fully",
    "ANKLE_DF": "Ankle dorsiflexion",
    "ANKLE_PF": "Ankle plantarflexion",
    "HIP_IR": "Hip internal rotation",
    "HIP_ADD": "Hip adduction",
    "NECK_FLEX": "Neck flexion",
    "NECK_EXT": "Neck extension",
    "INCREASED": "Increased",
    "DECREASED": "Decreased",
    "NO_CHANGE": "No change",
    "NOT_DONE": "Not done",
    "POSITIVE_NEURAL": "Positive (neural)",
    "NEGATIVE": "Negative",
    "NON_NEURAL_REPRODUCTION": "Reproduces, not neural",
    "INCONCLUSIVE": "Inconclusive",
    # Neuro exam.
    "NORMAL": "Normal",
    "REDUCED": "Reduced",
    "ABSENT": "Absent",
    "FLEXOR": "Flexor (down-going)",
    "EXTENSOR": "Extensor (up-going)",
    "EQUIVOCAL": "Equivocal",
    "LIGHT_TOUCH": "Light touch",
    "PIN_PRICK": "Pin-prick",
    # Classification.
    "LEFT": "Left",
    "RIGHT": "Right",
    "BILATERAL": "Both sides",
    "POSSIBLE": "Possible",
    "PROBABLE": "Probable",
    "DEFINITE": "Definite",
    "NOT_ASSESSED": "Not assessed",
}

REFLEX_GRADE_LABELS = {
    "0": "0 absent",
    "1+": "1+ diminished",
    "2+": "2+ normal",
    "3+": "3+ brisk",
    "4+": "4+ with clonus",
}


# --- Widgets ----------------------------------------------------------------------------------
# The evaluation page shows about 400 controls. Django renders each widget (and each option
# of each select) through the template engine, which took ~90% of the page's time; these
# render the same HTML directly.


@functools.lru_cache(maxsize=1024)
def _option_html(choices: tuple) -> tuple[tuple[str, str, str], ...]:
    """Each option's escaped HTML, split where " selected" goes; the same choice lists
    repeat hundreds of times on the page."""
    return tuple(
        (
            str(key),
            str(format_html('<option value="{}"', key)),
            str(format_html(">{}</option>", text)),
        )
        for key, text in choices
    )


def _escape(value: Any) -> str:
    # conditional_escape without its lazy-string wrapper: safe strings are kept as they are.
    # A plain str (most values, on a page of ~7,000 escapes) skips the __html__ lookup; a
    # SafeString is a str subclass and so never takes this path.
    if type(value) is str:
        return html.escape(value)
    return str(value.__html__()) if hasattr(value, "__html__") else html.escape(str(value))


def fast_format_html(template: str, *args: Any) -> SafeString:
    """format_html for the page's hot paths: the same escaping (conditional_escape) without
    the lazy-string check Django wraps around every argument, which is most of its cost
    when called for each of the page's 400 controls."""
    # Every argument is escaped here; the template is the caller's literal markup.
    return mark_safe(template.format(*(_escape(a) for a in args)))  # noqa: S308


def flatatt(attrs: Mapping[str, Any]) -> SafeString:
    """The very string django.forms.utils.flatatt makes (key="value" pairs sorted, then the
    set boolean attributes sorted), without format_html_join: its lazy-aware escaping of
    every attribute was a quarter of the evaluation page's time under load (bench/load.py)."""
    pairs, flags = [], []
    for name, value in attrs.items():
        if isinstance(value, bool):
            if value:
                flags.append(name)
        elif value is not None:
            pairs.append((name, value))
    text = "".join(f' {_escape(k)}="{_escape(v)}"' for k, v in sorted(pairs))
    # Every name and value was escaped just above.
    return mark_safe(text + "".join(f" {_escape(k)}" for k in sorted(flags)))  # noqa: S308


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f"{start} selected{end}" if key in chosen else start + end
            for key, start, end in _option_html(tuple(self.choices))
        )
        # Every piece was escaped by format_html in _option_html.
        return fast_format_html("<select{}>{}</select>", flatatt(final), mark_safe(options))  # noqa: S308


class FastInputMixin:
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(
            self.attrs, {**(attrs or {}), "type": self.input_type, "name": name}
        )
        shown = self.format_value(value)
        if shown is not None:
            final["value"] = shown
        return fast_format_html("<input{}>", flatatt(final))


class FastNumberInput(FastInputMixin, forms.NumberInput):
    pass


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


class FastCheckbox(forms.CheckboxInput):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "type": "checkbox", "name": name})
        if self.check_test(value):
            final["checked"] = True
        return fast_format_html("<input{}>", flatatt(final))


class FastTextarea(forms.Textarea):
    """Django's textarea.html without the template engine. The newline after the opening
    tag is Django's too: a browser drops it, so a value starting with one keeps it."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        shown = self.format_value(value)
        return fast_format_html("<textarea{}>\n{}</textarea>", flatatt(final), shown or "")


def label(value: str) -> str:
    return LABELS.get(value, value.replace("_", " ").capitalize())


# The clinical functions explain a refused record in their own vocabulary ("NO_EFFECT during
# testing cannot go with other responses", "(§4.2)"). A therapist reads the screen's words.
_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*\b")
_SPEC_REFERENCE = re.compile(r"\s*\((?:§|clinical\.md|table )[^)]*\)")
_TEST_PREFIX = re.compile(r"^Test (?:'[^']*'|\"[^\"]*\"|\S+?)(:\s*|\s+)")


_MOVEMENT_CODES = frozenset(c.value for c in mdt.MovementCode) - {mdt.MovementCode.OTHER.value}
_ND_CODES = frozenset(c.value for c in neurodynamic.NeurodynamicCode)


def _code_words(code: str) -> str:
    if code in LABELS:
        return f"“{LABELS[code]}”"
    if code in _MOVEMENT_CODES:
        return mdt.MOVEMENT_LABELS[mdt.MovementCode(code)]
    if code in _ND_CODES:
        return neurodynamic.display_name(code)
    return code


def plain_words(message: str) -> str:
    """A rule's message with the codes it names put as the labels on the screen, and the
    spec's section references left out."""
    text = _CODE.sub(lambda m: _code_words(m.group(0)), _SPEC_REFERENCE.sub("", message))
    text = text.strip()
    return text[:1].upper() + text[1:]


def _choices(values: Iterable[str], *, blank: str | None = "—") -> list[tuple[str, str]]:
    out = [("", blank)] if blank is not None else []
    return out + [(str(v), label(str(v))) for v in values]


class SharedChoicesMixin:
    """Every new form deep-copies its fields, and Django's choice fields deep-copy and
    re-normalise their choice list twice (field and widget): with ~400 fields that was a
    fifth of the evaluation page's time. The choice lists here are built once and never
    changed in place, so a copy shares them; attributes and messages are still copied."""

    def __deepcopy__(self, memo):
        result = copy.copy(self)
        memo[id(self)] = result
        result.widget = copy.copy(self.widget)
        result.widget.attrs = self.widget.attrs.copy()
        memo[id(self.widget)] = result.widget
        result.error_messages = self.error_messages.copy()
        result.validators = self.validators[:]
        return result


class SharedChoiceField(SharedChoicesMixin, forms.ChoiceField):
    pass


class SharedMultipleChoiceField(SharedChoicesMixin, forms.MultipleChoiceField):
    pass


def _select(choices, aria: str, *, required: bool = False, css: str = "form-select"):
    return SharedChoiceField(
        choices=choices,
        required=required,
        label=aria,
        widget=FastSelect(attrs={"class": css, "aria-label": aria}),
        error_messages={"required": "Choose one.", "invalid_choice": "Choose one of the list."},
    )


def _checks(choices, aria: str):
    return SharedMultipleChoiceField(
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label=aria,
        error_messages={"invalid_choice": "Choose from the list."},
    )


def _int(aria: str, low: int, high: int, *, unit: str = ""):
    return forms.IntegerField(
        required=False,
        label=aria,
        min_value=low,
        max_value=high,
        widget=FastNumberInput(
            attrs={"class": "form-control", "aria-label": aria, "inputmode": "numeric"}
        ),
        error_messages={
            "invalid": f"Enter a whole number from {low} to {high}{unit}.",
            "min_value": f"Enter a whole number from {low} to {high}{unit}.",
            "max_value": f"Enter a whole number from {low} to {high}{unit}.",
        },
    )


def _text(aria: str, *, max_length: int = 200, rows: int | None = None):
    attrs = {"class": "form-control", "aria-label": aria, "autocomplete": "off"}
    widget = FastTextarea(attrs={**attrs, "rows": rows}) if rows else FastTextInput(attrs)
    return forms.CharField(
        required=False,
        label=aria,
        max_length=max_length,
        widget=widget,
        error_messages={"max_length": f"Keep it under {max_length} characters."},
    )


def _bool(aria: str):
    return forms.BooleanField(
        required=False,
        label=aria,
        widget=FastCheckbox(attrs={"class": "form-check-input", "aria-label": aria}),
    )


TRI_CHOICES = [("", "—"), ("yes", "Yes"), ("no", "No")]


def _tri_to_bool(value: str) -> bool | None:
    return findings.TRI_STATE.get(value)


def _bool_to_tri(value: Any) -> str:
    return {True: "yes", False: "no"}.get(value, "")


@dataclass
class SectionContext:
    """What a section's form needs besides what was typed."""

    kind: str
    today: date
    date_of_birth: date | None = None
    psfs_activities: list[dict] = field(default_factory=list)  # [{"id", "activity"}]
    odi_licensed: bool = False
    intake_inputs: dict[str, Any] = field(default_factory=dict)


class SectionForm(forms.Form):
    """A single form section. `content()` is the JSON to store once valid."""

    key = ""
    title = ""
    short_title = ""  # the section link's words in the page's section navigation

    def __init__(self, *args, ctx: SectionContext, **kwargs):
        self.ctx = ctx
        # All six sections share one page, and two have a field called "notes": ids carry
        # the section so every <label for> finds its own control. Only ids change; the
        # posted names (and so the stored drafts) stay as they were.
        kwargs.setdefault("auto_id", f"id_{self.key}-%s")
        super().__init__(*args, **kwargs)

    def content(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    @classmethod
    def initial_from(cls, stored: Mapping[str, Any] | None, ctx: SectionContext) -> dict:
        return dict(stored or {})

    @property
    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values()) if self.is_bound else 0


# --- Visit and outcome measures --------------------------------------------------------------

NPRS_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(11)]
ODI_CHOICES = [("", "Not answered")] + [(str(n), str(n)) for n in range(6)]


class OutcomesForm(SectionForm):
    key = "outcomes"
    title = "Visit and outcome measures"
    short_title = "Outcomes"

    visit_date = forms.DateField(
        widget=FastDateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the visit date.", "invalid": "Enter a real date."},
    )
    back_now = _select(NPRS_CHOICES, "Back pain now, 0 to 10")
    leg_now = _select(NPRS_CHOICES, "Leg pain now, 0 to 10")
    distal_site = _select(_choices(mdt.DistalSite), "Most distal symptom today")
    notes = _text("Subjective notes", max_length=4000, rows=3)

    def __init__(self, *args, ctx: SectionContext, **kwargs):
        super().__init__(*args, ctx=ctx, **kwargs)
        today = ctx.today
        self.fields["visit_date"].widget.attrs["max"] = today.isoformat()
        self.psfs_names = []
        for activity in ctx.psfs_activities:
            name = f"psfs_{activity['id']}"
            self.fields[name] = _select(NPRS_CHOICES, f"PSFS: {activity['activity']}, 0 to 10")
            self.fields[name].label = activity["activity"]
            self.psfs_names.append(name)
        self.odi_names = []
        if ctx.odi_licensed:
            for n, sid in enumerate(ODI_SECTION_IDS, start=1):
                self.fields[sid] = _select(ODI_CHOICES, f"ODI section {n} score, 0 to 5")
                self.fields[sid].label = f"Section {n}"
                self.odi_names.append(sid)

    def clean_visit_date(self):
        value = self.cleaned_data["visit_date"]
        if value > self.ctx.today:
            raise forms.ValidationError("The visit date cannot be in the future.")
        if value < self.ctx.today - timedelta(days=366 * 5):
            raise forms.ValidationError("Enter a visit date within the last five years.")
        return value

    def content(self) -> dict[str, Any]:
        d = self.cleaned_data

        def num(value):
            return int(value) if value not in ("", None) else None

        return {
            "visit_date": d["visit_date"].isoformat(),
            "back_now": num(d["back_now"]),
            "leg_now": num(d["leg_now"]),
            "distal_site": d["distal_site"],
            "psfs": [
                {"id": a["id"], "activity": a["activity"], "score": num(d[f"psfs_{a['id']}"])}
                for a in self.ctx.psfs_activities
            ],
            "odi_sections": {sid: num(d[sid]) for sid in self.odi_names},
            "notes": d["notes"],
        }

    @classmethod
    def initial_from(cls, stored, ctx):
        stored = stored or {}
        initial = {
            "visit_date": stored.get("visit_date") or ctx.today.isoformat(),
            "back_now": _str(stored.get("back_now")),
            "leg_now": _str(stored.get("leg_now")),
            "distal_site": stored.get("distal_site", ""),
            "notes": stored.get("notes", ""),
        }
        for a in stored.get("psfs") or ():
            initial[f"psfs_{a['id']}"] = _str(a.get("score"))
        for sid, value in (stored.get("odi_sections") or {}).items():
            initial[sid] = _str(value)
        return initial


def _str(value: Any) -> str:
    return "" if value is None else str(value)


# --- Rows: repeated movements and neurodynamic tests -----------------------------------------


class RowForm(forms.Form):
    """One row of a grid. Subclasses say by `recorded` whether the row was filled in; a
    row left blank is not stored."""

    def __init__(self, *args, row_label: str, **kwargs):
        self.row_label = row_label
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            aria = f.widget.attrs.get("aria-label")
            if aria:
                f.widget.attrs["aria-label"] = f"{row_label}: {aria}"
            f.label = f.label or aria


STANDARD_MOVEMENTS = (
    mdt.MovementCode.FIS,
    mdt.MovementCode.EIS,
    mdt.MovementCode.FIL,
    mdt.MovementCode.EIL,
    mdt.MovementCode.SGIS_R,
    mdt.MovementCode.SGIS_L,
)
CUSTOM_MOVEMENT_CHOICES = [("", "Choose a test")] + [
    (c.value, mdt.MOVEMENT_LABELS[c]) for c in mdt.MovementCode if c not in STANDARD_MOVEMENTS
]
MAX_CUSTOM_ROWS = 12
FORCE_DEFAULT = mdt.ForceProgression.PATIENT.value


class MovementRowForm(RowForm):
    movement_code = forms.ChoiceField(
        choices=CUSTOM_MOVEMENT_CHOICES,
        required=False,
        widget=FastSelect(attrs={"class": "form-select", "aria-label": "test"}),
    )
    custom_label = _text("name of the test", max_length=80)
    direction = _select(_choices(mdt.Direction), "direction it loads")
    order = _int("order done", 1, 50)
    loading = _select(_choices(mdt.Loading, blank="Default for the test"), "loading")
    repetitions = _int("repetitions", 1, 200)
    force_progression = _select(_choices(mdt.ForceProgression, blank=None), "force progression")
    pre_distal_site = _select(_choices(mdt.DistalSite), "most distal symptom before")
    pre_nprs = _select(NPRS_CHOICES, "pain before, 0 to 10")
    during_responses = _checks(_choices(mdt.DuringResponse, blank=None), "during")
    after_response = _select(_choices(mdt.AfterResponse), "after")
    post_distal_site = _select(_choices(mdt.DistalSite), "most distal symptom after")
    mechanical_response = _select(_choices(mdt.MechanicalResponse), "mechanical response")
    measure_name = _text("measure (e.g. fingertip to floor)", max_length=60)
    measure_value = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=2,
        widget=FastNumberInput(
            attrs={"class": "form-control", "aria-label": "measure value", "step": "any"}
        ),
        error_messages={"invalid": "Enter a number.", "max_digits": "Enter a smaller number."},
    )
    measure_unit = _text("unit", max_length=20)

    def __init__(self, *args, standard: str | None, **kwargs):
        self.standard = standard
        super().__init__(*args, **kwargs)
        if standard:
            for name in ("movement_code", "custom_label", "direction"):
                del self.fields[name]

    def clean_measure_value(self):
        value = self.cleaned_data["measure_value"]
        if value is not None and not math.isfinite(float(value)):
            raise forms.ValidationError("Enter a number.")
        return value

    def clean(self):
        data = super().clean()
        if self.errors or not self.recorded:
            return data
        code = self.standard or data.get("movement_code")
        if not code:
            self.add_error("movement_code", "Choose which test this is.")
            return data
        if code == mdt.MovementCode.OTHER and not (data.get("custom_label") or "").strip():
            self.add_error("custom_label", "Name the test.")
        for name, what in (
            ("pre_distal_site", "Record the most distal symptom before the test."),
            ("after_response", "Record how the symptoms were after the test."),
            ("post_distal_site", "Record the most distal symptom after the test."),
        ):
            if not data.get(name):
                self.add_error(name, what)
        if code == mdt.MovementCode.OTHER and not data.get("direction"):
            self.add_error("direction", "Choose the direction this test loads.")
        if self.errors:
            return data
        try:
            findings.movement_test(self.row())
        except ValueError as exc:
            self._attach(str(exc))
        return data

    # Which field a rule from the pure function is about, by the words it uses.
    _RULE_FIELDS = (
        ("repetitions", "repetitions"),
        ("during", "during_responses"),
        ("after", "after_response"),
        ("mechanic", "mechanical_response"),
        ("loading", "loading"),
        ("force", "force_progression"),
        ("pain", "pre_nprs"),
        ("measure", "measure_value"),
    )

    def _attach(self, message: str) -> None:
        """Put a rule's message next to the field it concerns, in plain words."""
        # The row names its test already: "Test EIL: record ..." reads "Record ...", and
        # "Test EIL is done ..." reads "This test is done ...".
        text = _TEST_PREFIX.sub(
            lambda m: "" if m.group(1).startswith(":") else "This test ", message
        )
        lowered = text.lower()
        text = plain_words(text)
        for word, name in self._RULE_FIELDS:
            if word in lowered and name in self.fields:
                self.add_error(name, text)
                return
        self.add_error(None, text)

    @property
    def recorded(self) -> bool:
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return False
        d = self.cleaned_data
        keys = (
            "pre_distal_site",
            "pre_nprs",
            "during_responses",
            "after_response",
            "post_distal_site",
            "mechanical_response",
            "repetitions",
            "measure_name",
            "measure_value",
            "custom_label",
            "order",
        )
        return any(d.get(k) not in (None, "", []) for k in keys)

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        code = self.standard or d.get("movement_code")
        value = d.get("measure_value")
        return {
            "movement_code": code,
            "custom_label": (d.get("custom_label") or "").strip()
            if code == mdt.MovementCode.OTHER
            else "",
            "direction": d.get("direction") or "" if not self.standard else "",
            "order": d.get("order"),
            "loading": d.get("loading") or "",
            "repetitions": d.get("repetitions"),
            "force_progression": d.get("force_progression") or FORCE_DEFAULT,
            "pre_distal_site": d.get("pre_distal_site") or "",
            "pre_nprs": int(d["pre_nprs"]) if d.get("pre_nprs") not in ("", None) else None,
            "during_responses": list(d.get("during_responses") or ()),
            "after_response": d.get("after_response") or "",
            "post_distal_site": d.get("post_distal_site") or "",
            "mechanical_response": d.get("mechanical_response") or "",
            "measure_name": d.get("measure_name") or "",
            "measure_value": float(value) if value is not None else None,
            "measure_unit": d.get("measure_unit") or "",
        }


NEURODYNAMIC_STANDARD = (
    neurodynamic.NeurodynamicCode.SLR,
    neurodynamic.NeurodynamicCode.CROSSED_SLR,
    neurodynamic.NeurodynamicCode.SLUMP,
    neurodynamic.NeurodynamicCode.PKB,
    neurodynamic.NeurodynamicCode.FEMORAL_SLUMP,
)
ND_SIDES = (("L", "left"), ("R", "right"))
CHANGE_CHOICES = _choices(
    sorted(neurodynamic.Change, key=lambda c: c != neurodynamic.Change.NOT_DONE), blank=None
)
ND_CUSTOM_CHOICES = [("", "Choose a test")] + [
    (c.value, neurodynamic.TEST_LABELS[c])
    for c in neurodynamic.NeurodynamicCode
    if c not in NEURODYNAMIC_STANDARD
]


REGION_CHOICES = [(r.code, r.label) for r in bodychart.REGIONS]
_REGION_ORDER = {code: n for n, (_area, codes) in enumerate(bodychart.AREAS) for code in codes}


def region_codes(value: Any) -> list[str]:
    """The region codes in a stored "where felt" ("code, code"), a posted list of codes, or
    an older draft's typed text; pieces that name no region are left out."""
    values = [value] if isinstance(value, str) else list(value or ())
    codes = [c for v in values for c in bodychart.parse_regions(str(v))[0]]
    return sorted(dict.fromkeys(codes), key=lambda c: _REGION_ORDER.get(c, len(_REGION_ORDER)))


def region_text(value: Any) -> str:
    """A stored "where felt" in words: "Back of thigh, left; Calf and shin, left". Labels
    hold commas, so regions are separated by semicolons. Unknown pieces are shown as they
    were stored rather than hidden."""
    values = [value] if isinstance(value, str) else list(value or ())
    codes, unknown = [], []
    for v in values:
        found, rest = bodychart.parse_regions(str(v))
        codes += found
        unknown += rest
    return "; ".join([bodychart.region_label(c) for c in region_codes(codes)] + unknown)


def _region_areas() -> tuple[tuple[str, tuple[tuple[int, str, str, str], ...]], ...]:
    """Each area, escaped, with its regions as (n, code, escaped code, escaped label); the
    boxes are numbered down the page as Django numbers a multiple choice's (id_<name>_<n>)."""
    numbered = iter(range(len(bodychart.REGIONS)))
    return tuple(
        (
            html.escape(area),
            tuple(
                (next(numbered), r.code, html.escape(r.code), html.escape(r.label)) for r in regions
            ),
        )
        for area, regions in bodychart.regions_by_area()
    )


_REGION_AREAS = _region_areas()


class RegionChecks(forms.CheckboxSelectMultiple):
    """Where the symptoms were felt: the body chart's labelled regions as finger-sized
    toggles (real check boxes underneath), grouped by area, in a fold whose heading lists
    the regions chosen in words, so a row shows them without opening. Each box has its own
    label; the fieldset's legend names the row and question for screen readers."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=REGION_CHOICES)

    def format_value(self, value):
        return region_codes(value)

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        base = final.get("id") or f"id_{name}"
        chosen = set(self.format_value(value))
        disabled = " disabled" if final.get("disabled") else ""
        invalid = "is-invalid" in final.get("class", "")
        described = final.get("aria-describedby")
        # ~20 toggles in each of a dozen rows: escape the row's name and id once, and each
        # region's code and label once per process (_REGION_AREAS).
        name, base_id = html.escape(name), html.escape(base)
        areas = []
        for area, regions in _REGION_AREAS:
            toggles = "".join(
                f'<input type="checkbox" class="btn-check" name="{name}" value="{code}" '
                f'id="{base_id}_{n}"{" checked" if raw in chosen else ""}{disabled}>'
                f'<label class="btn btn-outline-secondary" for="{base_id}_{n}">{text}</label>'
                for n, raw, code, text in regions
            )
            areas.append(
                '<fieldset class="region-area"><legend class="form-label small mb-1">'
                f'{area}</legend><div class="d-flex flex-wrap gap-1">{toggles}</div></fieldset>'
            )
        words = region_text(sorted(chosen)) or "none chosen"
        # Open when there is something to fix, so the message sits beside the choices.
        details = flatatt(
            {"class": "region-picker is-invalid" if invalid else "region-picker", "open": invalid}
        )
        fieldset = flatatt(
            {"class": "touch-checks region-areas", "id": base, "aria-describedby": described}
        )
        return fast_format_html(
            "<details{} data-region-picker><summary>"
            '<span class="fw-semibold">Where felt:</span> <span data-region-chosen>{}</span>'
            '</summary><fieldset{}><legend class="visually-hidden">{}</legend>{}</fieldset>'
            "</details>",
            details,
            words,
            fieldset,
            final.get("aria-label") or "Where the symptoms were felt",
            mark_safe("".join(areas)),  # noqa: S308  (every piece escaped above)
        )


class RegionField(SharedMultipleChoiceField):
    """Body chart regions, cleaned to their codes (stored as today: "code, code"). Takes
    what a draft saved before the chooser may hold too: one value of comma-separated codes
    or labels, as a therapist typed them."""

    def to_python(self, value):
        if value in self.empty_values:
            return []
        values = [value] if isinstance(value, str) else list(value)
        unknown = [w for v in values for w in bodychart.parse_regions(str(v))[1]]
        if unknown:
            named = ", ".join(f"“{w[:40]}{'…' if len(w) > 40 else ''}”" for w in unknown[:3])
            raise forms.ValidationError(
                f"Not a body chart region: {named}. Choose the regions from the list."
            )
        return region_codes(values)


class NeurodynamicRowForm(RowForm):
    code = forms.ChoiceField(
        choices=ND_CUSTOM_CHOICES,
        required=False,
        widget=FastSelect(attrs={"class": "form-select", "aria-label": "test"}),
    )
    side = _select([("", "—"), ("L", "Left"), ("R", "Right")], "side tested")
    custom_label = _text("name of the test", max_length=80)
    onset_angle_deg = _int("onset angle, degrees", 0, 180, unit="°")
    measured_by = _select(_choices(neurodynamic.MeasuredBy), "measured by")
    symptoms_reproduced = _select(_choices(neurodynamic.Reproduction), "symptoms reproduced")
    symptom_location = RegionField(
        choices=REGION_CHOICES,
        required=False,
        label="where the symptoms were felt",
        widget=RegionChecks(attrs={"aria-label": "where the symptoms were felt"}),
    )
    below_knee = _select(TRI_CHOICES, "symptoms below the knee")
    sd_manoeuvres = _checks(_choices(neurodynamic.SdManoeuvre, blank=None), "differentiation")
    # "Not done" first: it is what a browser sends for a test row left alone.
    sd_changed_symptoms = _select(CHANGE_CHOICES, "differentiation changed the symptoms")
    resistance_rom_change = _select(CHANGE_CHOICES, "resistance or range change")
    interpretation = _select(
        _choices(neurodynamic.Interpretation, blank="Your interpretation"), "interpretation"
    )

    def __init__(self, *args, standard: tuple[str, str] | None, **kwargs):
        self.standard = standard
        super().__init__(*args, **kwargs)
        if standard:
            for name in ("code", "side", "custom_label"):
                del self.fields[name]

    @property
    def recorded(self) -> bool:
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return False
        d = self.cleaned_data
        keys = (
            "onset_angle_deg",
            "measured_by",
            "symptoms_reproduced",
            "symptom_location",
            "below_knee",
            "sd_manoeuvres",
            "interpretation",
            "custom_label",
        )
        changed = any(
            d.get(k) not in (None, "", neurodynamic.Change.NOT_DONE)
            for k in ("sd_changed_symptoms", "resistance_rom_change")
        )
        return changed or any(d.get(k) not in (None, "", []) for k in keys)

    def clean(self):
        data = super().clean()
        if self.errors or not self.recorded:
            return data
        if not self.standard:
            if not data.get("code"):
                self.add_error("code", "Choose which test this is.")
            if not data.get("side"):
                self.add_error("side", "Choose the side tested.")
            if (
                data.get("code") == neurodynamic.NeurodynamicCode.OTHER
                and not (data.get("custom_label") or "").strip()
            ):
                self.add_error("custom_label", "Name the test.")
        if not data.get("symptoms_reproduced"):
            self.add_error(
                "symptoms_reproduced", "Record whether the test reproduced the symptoms."
            )
        if data.get("onset_angle_deg") is not None and not data.get("measured_by"):
            self.add_error("measured_by", "Say how the angle was measured.")
        self._check_in_words(data)
        if self.errors:
            return data
        row = self.row()
        try:
            findings.neurodynamic_test(row)
        except ValueError as exc:
            # The row names its test already: drop the rule's "SLR L: " and put its codes
            # in words.
            prefix = f"{row['custom_label'] or row['code']} {row['side']}:"
            raise forms.ValidationError(plain_words(str(exc).removeprefix(prefix))) from exc
        return data

    def _check_in_words(self, data: Mapping[str, Any]) -> None:
        """The rules whose messages from neurodynamic.py name fields and region codes
        ("below_knee=False contradicts the regions calf_shin_l"), said here in the words
        on the screen."""
        code = (self.standard or (data.get("code"), None))[0]
        angle = data.get("onset_angle_deg")
        if angle is None and data.get("measured_by"):
            self.add_error("onset_angle_deg", "Give the onset angle, or leave “Measured by” blank.")
        if angle is not None and code and code not in neurodynamic.ANGLE_MEASURE:
            self.add_error("onset_angle_deg", "This test records no onset angle: leave it blank.")
        regions = [bodychart.REGION_BY_CODE[c] for c in data.get("symptom_location") or ()]
        if regions and data.get("symptoms_reproduced") == neurodynamic.Reproduction.NONE:
            self.add_error(
                "symptom_location", "No symptoms were reproduced, so leave “Where felt” empty."
            )
            return
        below = _tri_to_bool(data.get("below_knee") or "")
        lower = [r.label for r in regions if r.below_knee]
        if regions and below is False and lower:
            self.add_error(
                "below_knee", f"“No” does not fit where the symptoms were felt: {lower[0]}."
            )
        elif regions and below is True and not lower:
            self.add_error(
                "below_knee",
                "“Yes” does not fit where the symptoms were felt: none is below the knee.",
            )

    def row(self) -> dict[str, Any]:
        d = self.cleaned_data
        code, side = self.standard or (d.get("code"), d.get("side"))
        return {
            "code": code,
            "side": side,
            "custom_label": (d.get("custom_label") or "").strip()
            if code == neurodynamic.NeurodynamicCode.OTHER
            else "",
            "onset_angle_deg": d.get("onset_angle_deg"),
            "measured_by": d.get("measured_by") or "",
            "symptoms_reproduced": d.get("symptoms_reproduced") or "",
            "symptom_location": ", ".join(d.get("symptom_location") or ()),
            "below_knee": _tri_to_bool(d.get("below_knee") or ""),
            "sd_manoeuvres": list(d.get("sd_manoeuvres") or ()),
            "sd_changed_symptoms": d.get("sd_changed_symptoms") or "NOT_DONE",
            "resistance_rom_change": d.get("resistance_rom_change") or "NOT_DONE",
            "interpretation": d.get("interpretation") or "",
        }


class GridSection:
    """A section made of rows: standard rows always shown, plus custom rows."""

    key = ""
    title = ""
    short_title = ""
    row_form: type[RowForm]

    def __init__(self, data=None, *, ctx: SectionContext, initial=None):
        self.ctx = ctx
        self.is_bound = data is not None
        stored = initial or {}
        if data is not None:
            custom_count = _bounded_int(data.get("custom_count"), 1, 0, MAX_CUSTOM_ROWS)
            if data.get("add_row"):
                custom_count = min(custom_count + 1, MAX_CUSTOM_ROWS)
        else:
            custom_count = max(1, int(stored.get("custom_count") or 1))
        self.custom_count = custom_count
        self.rows: list[RowForm] = []
        by_key = {r.get("key"): r for r in stored.get("rows") or ()}
        for key, standard, row_label in self.layout(custom_count):
            prefix = f"{self.key}-{key}".replace(":", "-")
            kwargs = {"prefix": prefix, "row_label": row_label, "standard": standard}
            if data is not None:
                form = self.row_form(data, **kwargs)
            else:
                form = self.row_form(initial=self.row_initial(by_key.get(key)), **kwargs)
            form.row_key = key
            self.rows.append(form)

    def layout(self, custom_count: int) -> list[tuple[str, Any, str]]:
        raise NotImplementedError

    @staticmethod
    def row_initial(row: Mapping | None) -> dict:
        if not row:
            return {}
        initial = {k: ("" if v is None else v) for k, v in row.items()}
        if "below_knee" in row:
            initial["below_knee"] = _bool_to_tri(row["below_knee"])
        if row.get("pre_nprs") is not None:
            initial["pre_nprs"] = str(row["pre_nprs"])
        if "symptom_location" in row:
            initial["symptom_location"] = region_codes(row["symptom_location"] or "")
        return initial

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.rows])  # every row, for its errors

    @property
    def error_count(self) -> int:
        return sum(sum(len(v) for v in form.errors.values()) for form in self.rows if form.is_bound)

    def content(self) -> dict[str, Any]:
        rows = []
        for form in self.rows:
            if form.recorded:
                rows.append({"key": form.row_key, **form.row()})
        return {"rows": rows, "custom_count": self.custom_count}

    @classmethod
    def initial_from(cls, stored, ctx):
        return dict(stored or {})


def _bounded_int(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


class MovementsSection(GridSection):
    key = "movements"
    title = "Repeated movements"
    short_title = "Movements"
    row_form = MovementRowForm

    def layout(self, custom_count):
        rows = [(f"std:{c}", c.value, mdt.MOVEMENT_LABELS[c]) for c in STANDARD_MOVEMENTS]
        rows += [(f"custom:{n}", None, f"Other test {n}") for n in range(1, custom_count + 1)]
        return rows


class NeurodynamicSection(GridSection):
    key = "neurodynamic"
    title = "Neurodynamic tests"
    short_title = "Neurodynamic"
    row_form = NeurodynamicRowForm

    def layout(self, custom_count):
        rows = []
        for code in NEURODYNAMIC_STANDARD:
            for side, side_word in ND_SIDES:
                rows.append(
                    (
                        f"std:{code}:{side}",
                        (code.value, side),
                        f"{neurodynamic.TEST_LABELS[code]}, {side_word}",
                    )
                )
        rows += [(f"custom:{n}", None, f"Other test {n}") for n in range(1, custom_count + 1)]
        return rows

    def is_valid(self) -> bool:
        valid = super().is_valid()
        # The summary takes one record per test and side (neurodynamic.summarise refuses a
        # second, which failed the save): say so beside the repeated row, in words.
        seen: set[tuple[str, str, str]] = set()
        for form in self.rows:
            if not (form.is_valid() and form.recorded):
                continue
            row = form.row()
            test = (row["code"], row["custom_label"].casefold(), row["side"])
            if test in seen:
                form.add_error(None, "This test is recorded above for this side already.")
                valid = False
            seen.add(test)
        return valid


# --- Neuro exam --------------------------------------------------------------------------------

MRC_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(6)]
SENSORY_CHOICES = _choices(neuro.SensoryFinding)
REFLEX_CHOICES = [("", "—")] + [(g.value, REFLEX_GRADE_LABELS[g.value]) for g in neuro.ReflexGrade]
PLANTAR_CHOICES = _choices(neuro.Plantar)
SIDE_WORDS = {"L": "left", "R": "right"}


def _neuro_grid() -> tuple[dict[str, forms.Field], list, list, list]:
    """The neuro exam's fields and the rows the template lays them out in. The grid is the
    same for every patient, so it is built once; each form copies the fields, as Django
    copies declared fields (building them anew was a third of a neuro save's time)."""
    fields: dict[str, forms.Field] = {}
    myotome_rows = []
    for movement in findings.MYOTOME_MOVEMENTS:
        info = neuro.MOVEMENTS[movement]
        roots = "/".join(r.value for r in info.roots)
        cells = []
        for code, word in SIDE_WORDS.items():
            grade = f"myo_{movement}_{code}"
            pain = f"{grade}_pi"
            fields[grade] = _select(MRC_CHOICES, f"{info.label} ({roots}), {word}, MRC grade")
            fields[pain] = _bool(f"{info.label}, {word}: limited by pain")
            cells.append((code, grade, pain))
        myotome_rows.append((movement, f"{info.label} ({info.muscle})", roots, cells))
    dermatome_rows = []
    for root in findings.DERMATOME_ROOTS:
        cells = []
        for modality in findings.DERMATOME_MODALITIES:
            for code, word in SIDE_WORDS.items():
                name = f"derm_{root}_{modality}_{code}"
                fields[name] = _select(SENSORY_CHOICES, f"{root} {label(modality).lower()}, {word}")
                cells.append((modality, code, name))
        dermatome_rows.append((root, neuro.DERMATOME_AREAS[root], cells))
    reflex_rows = []
    for reflex in findings.REFLEXES:
        cells = []
        for code, word in SIDE_WORDS.items():
            name = f"reflex_{reflex}_{code}"
            fields[name] = _select(REFLEX_CHOICES, f"{neuro.REFLEX_LABELS[reflex]} reflex, {word}")
            fields[f"{name}_reinforced"] = _bool(
                f"{neuro.REFLEX_LABELS[reflex]}, {word}: with reinforcement"
            )
            cells.append((code, name, f"{name}_reinforced"))
        reflex_rows.append((reflex, neuro.REFLEX_LABELS[reflex], cells))
    for code, word in SIDE_WORDS.items():
        fields[f"babinski_{code}"] = _select(PLANTAR_CHOICES, f"Babinski, {word}")
        fields[f"clonus_{code}"] = _int(f"Ankle clonus beats, {word}", 0, 50)
        fields[f"clonus_sustained_{code}"] = _bool(f"Sustained clonus, {word}")
        fields[f"hoffmann_{code}"] = _select(TRI_CHOICES, f"Hoffmann sign, {word}")
        fields[f"progressive_{code}"] = _bool(f"Weakness getting worse, {word}")
    fields["saddle"] = _select(SENSORY_CHOICES, "Saddle sensation (S3 to S5)")
    fields["spasticity"] = _bool("Spasticity")
    fields["gait_ataxia"] = _bool("Gait ataxia")
    fields["notes"] = _text("Neuro exam notes", max_length=4000, rows=2)
    return fields, myotome_rows, dermatome_rows, reflex_rows


class NeuroForm(SectionForm):
    key = "neuro"
    title = "Neurological examination"
    short_title = "Neuro exam"

    grid_fields, myotome_rows, dermatome_rows, reflex_rows = _neuro_grid()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            findings.neuro_exam(self.content())
        except ValueError as exc:
            raise forms.ValidationError(plain_words(str(exc))) from exc
        return data

    def content(self) -> dict[str, Any]:
        return {
            name: _tri_to_bool(value or "") if name.startswith("hoffmann_") else value
            for name, value in self.cleaned_data.items()
        }

    @classmethod
    def initial_from(cls, stored, ctx):
        initial = dict(stored or {})
        for name, value in list(initial.items()):
            if name.startswith("hoffmann_"):
                initial[name] = _bool_to_tri(value)
            elif value is None:
                initial[name] = ""
        return initial


# --- Classification ---------------------------------------------------------------------------

CATEGORY_CHOICES = [("", "Choose a category")] + [
    (c.value, classification.CATEGORY_LABELS[c]) for c in classification.Category
]
LEVEL_CHOICES = [(r.value, r.value) for r in neuro.Root]


class ClassificationForm(SectionForm):
    key = "classification"
    title = "Classification"
    short_title = "Classification"

    category = _select(CATEGORY_CHOICES, "Category")
    side = _select(_choices(classification.Side), "Side")
    suspected_levels = _checks(LEVEL_CHOICES, "Suspected levels")
    neuropathic_grade = _select(_choices(classification.NeuropathicGrade), "Neuropathic pain grade")
    nociplastic_grade = _select(_choices(classification.NociplasticGrade), "Nociplastic pain grade")
    rationale = _text("Your rationale", max_length=4000, rows=4)

    def __init__(self, *args, ctx: SectionContext, **kwargs):
        super().__init__(*args, ctx=ctx, **kwargs)
        self.input_names = []
        for name, text in findings.EXTRA_INPUTS:
            fname = f"in_{name}"
            from_intake = _bool_to_tri(ctx.intake_inputs.get(name))
            hint = f" (intake: {dict(TRI_CHOICES).get(from_intake)})" if from_intake else ""
            self.fields[fname] = _select(
                [
                    ("", f"Not recorded{hint}" if not from_intake else f"As the intake{hint}"),
                    ("yes", "Yes"),
                    ("no", "No"),
                ],
                text,
            )
            self.fields[fname].label = text
            self.input_names.append(fname)

    def content(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "category": d["category"],
            "side": d["side"],
            "suspected_levels": list(d["suspected_levels"]),
            "neuropathic_grade": d["neuropathic_grade"],
            "nociplastic_grade": d["nociplastic_grade"],
            "rationale": d["rationale"].strip(),
            "inputs": {name.removeprefix("in_"): d[name] for name in self.input_names if d[name]},
        }

    @classmethod
    def initial_from(cls, stored, ctx):
        stored = dict(stored or {})
        initial = {k: v for k, v in stored.items() if k != "inputs"}
        for name, value in (stored.get("inputs") or {}).items():
            initial[f"in_{name}"] = value
        return initial


# --- Plan of care ------------------------------------------------------------------------------

GOAL_ROWS = 4
GOAL_MEASURES = [
    ("", "—"),
    ("leg_pain", "Leg pain (NPRS)"),
    ("back_pain", "Back pain (NPRS)"),
    ("odi", "Oswestry Disability Index"),
    ("psfs", "PSFS"),
    ("walking", "Walking tolerance"),
    ("sitting", "Sitting tolerance"),
    ("work", "Return to work"),
    ("other", "Other"),
]
REFERRAL_TO = [
    ("", "—"),
    ("spinal_surgeon", "Spinal surgeon"),
    ("physician", "Physician or GP"),
    ("pain_medicine", "Pain medicine"),
    ("rheumatology", "Rheumatology"),
    ("other", "Other"),
]
# Matching the red-flag levels (clinical.md 2.1a): an emergency is same-hours hospital, an
# urgent referral is seen the same day; routine is anything else (a surgical opinion for a
# stable deficit, persistent radicular pain). "soon" is kept for drafts and signed records
# made before these (shown as written, never offered again).
REFERRAL_URGENCY = [
    ("", "—"),
    ("emergency", "Emergency: hospital within hours"),
    ("urgent", "Urgent: seen the same day"),
    ("routine", "Routine"),
]
REFERRAL_URGENCY_LABELS = {**dict(REFERRAL_URGENCY[1:]), "soon": "Soon"}


def _catalog_field(param: plan_catalog.Param, aria: str) -> forms.Field:
    kind = param.kind
    if kind == plan_catalog.Kind.CHOICE:
        return _select([("", "—"), *param.choices], aria)
    if kind == plan_catalog.Kind.MULTI:
        return _checks(list(param.choices), aria)
    if kind == plan_catalog.Kind.BOOL:
        return _bool(aria)
    if kind == plan_catalog.Kind.DATE:
        return forms.CharField(
            required=False,
            widget=FastDateInput(
                attrs={"type": "date", "class": "form-control", "aria-label": aria}
            ),
        )
    if kind == plan_catalog.Kind.TEXT:
        return _text(aria, max_length=500)
    attrs = {"class": "form-control", "aria-label": aria, "inputmode": "decimal"}
    if param.min is not None:
        attrs["min"] = param.min
    if param.max is not None:
        attrs["max"] = param.max
    attrs["step"] = "1" if kind == plan_catalog.Kind.INT else "any"
    # Validated by plan_catalog.validate_item, which explains the range in words.
    return forms.CharField(required=False, max_length=40, widget=FastNumberInput(attrs=attrs))


def _plan_catalog_fields() -> tuple[list, dict[str, forms.Field]]:
    """The plan's fields from the intervention catalog, grouped by family for the template,
    and the goal rows."""
    fields: dict[str, forms.Field] = {}
    families = []
    for family, family_label in plan_catalog.FAMILIES:
        items = []
        for item in plan_catalog.interventions(family):
            on = f"i_{item.code}"
            fields[on] = _bool(f"Include {item.label}")
            fields[on].label = item.label
            params = []
            for param in item.params:
                name = f"i_{item.code}__{param.name}"
                unit = f" ({param.unit})" if param.unit else ""
                fields[name] = _catalog_field(param, f"{item.label}: {param.label}{unit}")
                fields[name].label = param.label + unit
                fields[name].help_text = param.help
                params.append((param, name))
            items.append((item, on, params))
        families.append((family, family_label, items))
    for n in range(1, GOAL_ROWS + 1):
        fields[f"goal_{n}_measure"] = _select(GOAL_MEASURES, f"Goal {n}: measure")
        fields[f"goal_{n}_target"] = _text(f"Goal {n}: target", max_length=200)
        fields[f"goal_{n}_by"] = forms.DateField(
            required=False,
            widget=FastDateInput(
                attrs={"type": "date", "class": "form-control", "aria-label": f"Goal {n}: by"},
                format="%Y-%m-%d",
            ),
            error_messages={"invalid": "Enter a real date."},
        )
    return families, fields


class PlanForm(SectionForm):
    key = "plan"
    title = "Plan of care"
    short_title = "Plan"

    frequency_per_week = _int("Visits per week", 1, 7)
    weeks = _int("For how many weeks", 1, 52)
    hep = _text("Home exercise programme", max_length=4000, rows=3)
    reeval_date = forms.DateField(
        label="Re-evaluation date",
        required=False,
        widget=FastDateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date."},
    )
    referral = _bool("Refer for a surgical or medical opinion")
    referral_to = _select(REFERRAL_TO, "Refer to")
    referral_urgency = _select(REFERRAL_URGENCY, "Urgency")
    referral_reason = _text("Reason for referral", max_length=1000, rows=2)

    families, catalog_fields = _plan_catalog_fields()

    def clean(self):
        data = super().clean()
        self.plan_items: list[dict[str, Any]] = []
        for _family, _label, items in self.families:
            for item, on, params in items:
                if not data.get(on):
                    continue
                raw = {p.name: data.get(name) for p, name in params}
                values, errors = plan_catalog.validate_item(item.code, raw)
                for pname, message in errors.items():
                    target = f"i_{item.code}__{pname}"
                    self.add_error(target if target in self.fields else on, message)
                self.plan_items.append({"code": item.code, "values": values})
        for n in range(1, GOAL_ROWS + 1):
            measure, target, by = (
                data.get(f"goal_{n}_measure"),
                (data.get(f"goal_{n}_target") or "").strip(),
                data.get(f"goal_{n}_by"),
            )
            if any((measure, target, by)):
                if not measure:
                    self.add_error(f"goal_{n}_measure", "Choose what the goal measures.")
                if not target:
                    self.add_error(f"goal_{n}_target", "Say what the target is.")
                if not by:
                    self.add_error(f"goal_{n}_by", "Give a date for the goal.")
                elif by < self.ctx.today:
                    self.add_error(f"goal_{n}_by", "A goal date cannot be in the past.")
        reeval = data.get("reeval_date")
        if reeval and reeval < self.ctx.today:
            self.add_error("reeval_date", "The re-evaluation date cannot be in the past.")
        if data.get("referral"):
            if not data.get("referral_to"):
                self.add_error("referral_to", "Say who the referral is to.")
            if not data.get("referral_urgency"):
                self.add_error("referral_urgency", "Say how urgent the referral is.")
            if not (data.get("referral_reason") or "").strip():
                self.add_error("referral_reason", "Give the reason for the referral.")
        return data

    def content(self) -> dict[str, Any]:
        d = self.cleaned_data
        goals = []
        for n in range(1, GOAL_ROWS + 1):
            if d.get(f"goal_{n}_measure"):
                goals.append(
                    {
                        "measure": d[f"goal_{n}_measure"],
                        "target": d[f"goal_{n}_target"].strip(),
                        "by": d[f"goal_{n}_by"].isoformat() if d.get(f"goal_{n}_by") else "",
                    }
                )
        return {
            "catalog_version": plan_catalog.CATALOG_VERSION,
            "items": self.plan_items,  # plan_catalog.validate_item returns JSON-ready values
            "frequency_per_week": d.get("frequency_per_week"),
            "weeks": d.get("weeks"),
            "goals": goals,
            "hep": d.get("hep", "").strip(),
            "reeval_date": d["reeval_date"].isoformat() if d.get("reeval_date") else "",
            "referral": bool(d.get("referral")),
            "referral_to": d.get("referral_to", "") if d.get("referral") else "",
            "referral_urgency": d.get("referral_urgency", "") if d.get("referral") else "",
            "referral_reason": d.get("referral_reason", "").strip() if d.get("referral") else "",
        }

    @classmethod
    def initial_from(cls, stored, ctx):
        stored = stored or {}
        initial: dict[str, Any] = {
            k: stored.get(k)
            for k in (
                "frequency_per_week",
                "weeks",
                "hep",
                "reeval_date",
                "referral",
                "referral_to",
                "referral_urgency",
                "referral_reason",
            )
            if stored.get(k) not in (None, "")
        }
        for item in stored.get("items") or ():
            initial[f"i_{item['code']}"] = True
            for pname, value in (item.get("values") or {}).items():
                initial[f"i_{item['code']}__{pname}"] = value
        for n, goal in enumerate(stored.get("goals") or (), start=1):
            initial[f"goal_{n}_measure"] = goal.get("measure", "")
            initial[f"goal_{n}_target"] = goal.get("target", "")
            initial[f"goal_{n}_by"] = goal.get("by", "")
        return initial


# Built once (the grid and the catalog are the same for every patient) and added to the
# forms' base fields, which Django copies into each new form as it does declared fields.
NeuroForm.base_fields.update(NeuroForm.grid_fields)
PlanForm.base_fields.update(PlanForm.catalog_fields)


SECTIONS: dict[str, type] = {
    "outcomes": OutcomesForm,
    "movements": MovementsSection,
    "neurodynamic": NeurodynamicSection,
    "neuro": NeuroForm,
    "classification": ClassificationForm,
    "plan": PlanForm,
}
SECTION_TITLES = {key: cls.title for key, cls in SECTIONS.items()}
SECTION_SHORT_TITLES = {key: cls.short_title for key, cls in SECTIONS.items()}


def build(key: str, ctx: SectionContext, *, data=None, stored=None):
    """The section's form: bound to `data` (a POST) or showing what was `stored`."""
    cls = SECTIONS[key]
    if data is not None:
        return cls(data, ctx=ctx)
    return cls(ctx=ctx, initial=cls.initial_from(stored, ctx))


# --- Findings as shown to people ---------------------------------------------------------------
# The derived findings are stored as the clinical functions return them, codes and all, and
# a signed record's findings are frozen under its hash. So codes become words here, when the
# page shows them, for records old and new alike.

PREFERENCE_LABELS = {mdt.NO_PREFERENCE: "No preference", mdt.UNCLEAR: "Unclear"}
_MOVEMENT_RUN = re.compile(
    r"\b(?:{code})\b(?:, \b(?:{code})\b)*".format(
        code="|".join(sorted(map(re.escape, _MOVEMENT_CODES), key=len, reverse=True))
    )
)
_ND_CODE = re.compile(
    r"\b(?:{})\b".format("|".join(sorted(map(re.escape, _ND_CODES), key=len, reverse=True)))
)


def movement_name(label: str) -> str:
    """A repeated-movement result's `label`: a listed test's code, or the therapist's name
    for another test (kept as typed)."""
    return mdt.MOVEMENT_LABELS[mdt.MovementCode(label)] if label in _MOVEMENT_CODES else label


def _names(labels: Iterable[str]) -> str:
    names = [movement_name(label) for label in labels]
    # Some names hold a comma ("Side-gliding in standing, right").
    return ("; " if any("," in n for n in names) else ", ").join(names)


def movements_text(text: str) -> str:
    """A stored movements summary with its test codes as names ("improved: EIL")."""
    return _MOVEMENT_RUN.sub(lambda m: _names(m.group(0).split(", ")), text)


def neurodynamic_text(text: str, found: Iterable[Mapping[str, Any]]) -> str:
    """A stored neurodynamic summary with its tests named: "SLR L" reads "left straight-leg
    raise" (the therapist's own name of another test is kept as typed), a bare "SLR" reads
    "Straight-leg raise"."""
    tests = {(f.get("label") or "", f.get("side") or "") for f in found}
    for name, side in sorted(tests, key=lambda t: len(t[0]), reverse=True):
        shown = neurodynamic.display_name(name)
        if shown != name:
            shown = shown.lower()  # a listed test's label is a common noun mid-sentence
        words = f"{neurodynamic.SIDE_WORDS.get(side, side)} {shown}"
        text = re.sub(rf"(?<![\w-]){re.escape(f'{name} {side}')}(?!\w)", words, text)
    return _ND_CODE.sub(lambda m: neurodynamic.display_name(m.group(0)), text)


def shown_findings(findings: Mapping[str, Any], content: Mapping[str, Any]) -> dict[str, Any]:
    """What the findings boxes print, in words, beside what they read from `findings`."""
    out: dict[str, Any] = {}
    m = findings.get("movements")
    if m:
        preference = m.get("directional_preference") or ""
        out["movements"] = {
            "centralised": _names(m.get("centralised_tests") or ()),
            "abolished": _names(m.get("abolished_tests") or ()),
            "peripheralised": _names(m.get("peripheralised_tests") or ()),
            "preference": PREFERENCE_LABELS.get(preference) or label(preference),
            "summary": movements_text(m.get("summary") or ""),
        }
    n = findings.get("neurodynamic")
    if n:
        found = n.get("findings") or ()
        out["neurodynamic"] = {
            "comparisons": [
                {**c, "name": neurodynamic.display_name(c.get("label") or "")}
                for c in n.get("angle_comparisons") or ()
            ],
            "summary": neurodynamic_text(n.get("summary") or "", found),
        }
    plan = content.get("plan") or {}
    if plan:
        urgency = plan.get("referral_urgency") or "routine"
        try:
            reeval = date.fromisoformat(plan.get("reeval_date") or "")
        except ValueError:
            reeval = None
        out["plan"] = {
            "referral_to": dict(REFERRAL_TO).get(plan.get("referral_to") or "")
            or label(plan.get("referral_to") or ""),
            "referral_urgency": REFERRAL_URGENCY_LABELS.get(urgency) or label(urgency),
            "reeval_date": reeval,
        }
    return out


def show_suggestions(section: Any, content: Mapping[str, Any], findings: Mapping[str, Any]) -> None:
    """Give each neurodynamic row the software's reading of it (`row.suggestion`, in
    words), matched through the stored rows: the findings list them in the same order."""
    rows = (content.get("neurodynamic") or {}).get("rows") or ()
    found = (findings.get("neurodynamic") or {}).get("findings") or ()
    by_key = {
        row.get("key"): label(f.get("suggestion"))
        for row, f in zip(rows, found, strict=False)
        if f.get("suggestion")
    }
    for row in getattr(section, "rows", ()):
        row.suggestion = by_key.get(getattr(row, "row_key", None), "")
