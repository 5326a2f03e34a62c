"""What an entry of the questionnaire registry is (intake.questionnaires), and the helpers
the entries' presenters share.

A presenter (an entry's `rows`) reads a stored score (the engine's result as JSON) and
words it, once, for both the staff page's scores table and the intake summary PDF. It
reads only the stored score, never the answers, so what it prints is what was computed.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from core.sources import for_clinicians
from intake import forms as f
from intake.instruments import ItemScores, Pack
from intake.scoring.common import ChangeThreshold

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NOT_LICENSED = "not_licensed"
# Licensed here, but with no pack in the language the patient answered in (intake.packs).
NOT_IN_LANGUAGE = "not_in_language"
LOWER, HIGHER = "lower", "higher"  # which way a progress measure improves
DASH = "\N{EN DASH}"  # a value not given

Scores = Mapping[str, Any]
Baseline = Callable[[Mapping[str, Any], Scores], float | None]


class Licence(enum.StrEnum):
    """What may ship of a questionnaire's wording (clinical.md 3.0, licensing column)."""

    # Its wording ships with this project, in its form (NPRS, PSFS: "Ship").
    OPEN = "open"
    # Its wording ships as an instrument pack beside intake/instruments/; a clinic's own
    # pack replaces it (Keele STarT Back: free for non-commercial use).
    SHIPPED_PACK = "shipped_pack"
    # Restricted: only its scoring and item ids ship. Each clinic loads its licensed
    # wording with manage.py load_instrument_pack (ODI: "Do not ship item text").
    CLINIC_PACK = "clinic_pack"


class NoticeKind(enum.IntEnum):
    """Copyright statements print before citations."""

    COPYRIGHT = 0
    CITATION = 1


@dataclasses.dataclass(frozen=True)
class ScoreRow:
    """One line of a scores table, plain text, as both the staff page and the PDF print
    it: `note` under the score, `emphasis` for a band the reader must not miss (STarT
    Back's risk group), `unavailable` in place of everything after the measure's name."""

    measure: str
    score: str = ""
    band: str = ""
    mcid: str = ""
    version: str = ""
    note: str = ""
    unavailable: str = ""
    emphasis: bool = False


@dataclasses.dataclass(frozen=True)
class ProgressMeasure:
    """An outcome measure charted over visits (evaluations.progress.MeasureSpec)."""

    code: str
    title: str
    unit: str  # "points" or "%"
    scale_min: float
    scale_max: float
    better: str  # LOWER or HIGHER
    mcid: ChangeThreshold
    noun: str  # starts a sentence: "Leg pain"
    noun_mid: str  # inside a sentence: "leg pain"
    tick_step: float  # for charts
    # (the intake's answers, amendments applied; its stored scores) -> the baseline.
    baseline: Baseline = dataclasses.field(compare=False, repr=False)

    def chart_fields(self) -> dict[str, Any]:
        """Everything but `baseline`: the keyword arguments of a MeasureSpec."""
        return {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.name != "baseline"
        }


@dataclasses.dataclass(frozen=True)
class Questionnaire:
    """One questionnaire: what it is, its screen, its scoring, its licence and how its
    score is printed (the fields are described in intake.questionnaires)."""

    key: str
    code: str
    name: str
    step: str
    title: StrOrPromise  # the screen's, marked for translation (gettext_lazy)
    form: type[f.StepForm]
    after: str
    score: Callable[[Mapping[str, Any]], dict | None]
    licence: Licence
    rows: Callable[[Scores], list[ScoreRow]]
    summary_order: int = 100
    intro: StrOrPromise = ""  # the screen's, marked for translation (gettext_lazy)
    pack_items: ItemScores | None = None
    # (its stored score or None, its pack or None) -> the text to print.
    notice: Callable[[Scores | None, Pack | None], str] | None = None
    notice_kind: NoticeKind = NoticeKind.COPYRIGHT
    notice_on_staff_page: bool = False
    progress: tuple[ProgressMeasure, ...] = ()
    template: str = ""  # the screen's template, if not steps/<step>.html

    def __post_init__(self) -> None:
        # A pack-worded questionnaire needs what its pack must hold; an open one has none.
        if (self.pack_items is None) != (self.licence is Licence.OPEN):
            raise ValueError(f"{self.key}: pack_items go with a pack licence, and only with one")

    def asked_with(self, packs: Collection[str]) -> bool:
        """Whether the tablet asks it where these packs (instrument codes) are in force:
        a questionnaire worded by a pack only with its pack in the form's language."""
        return self.licence is Licence.OPEN or self.code in packs


# --- Shared by the presenters ---------------------------------------------------------------


def band_label(band: Any, default: str) -> str:
    return (band if isinstance(band, Mapping) else {}).get("label") or default


def mcid_text(threshold: Mapping | None) -> str:
    """The minimal important change, with its source: "2 points or 30% (Ostelo 2008)"."""
    if not threshold:
        return ""
    text = f"{threshold['points']:g} points" if threshold.get("points") is not None else ""
    if threshold.get("relative_percent"):
        text += f" or {threshold['relative_percent']}%"
    # Scores stored before citations were structured carry annotated source texts
    # ("[S38]; primary source not verified"): print them as a clinician reads a source.
    if source := for_clinicians(threshold.get("source") or ""):
        text += f" ({source})"
    return text


def prefixed(answers: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The answers whose ids start with `prefix`: a screen's items for its engine."""
    return {k: v for k, v in answers.items() if k.startswith(prefix)}


def scored(key: str, field: str) -> Baseline:
    """A baseline read from the intake's stored score `key`: its `field`."""

    def baseline(answers: Mapping[str, Any], scores: Scores) -> float | None:
        return (scores.get(key) or {}).get(field)

    return baseline
