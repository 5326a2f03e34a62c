from django import template

from intake import questionnaires
from intake.bodychart import REGION_BY_CODE, SENSATIONS

register = template.Library()


@register.filter
def region_label(code: str) -> str:
    region = REGION_BY_CODE.get(code)
    return region.label if region else code


@register.filter
def sensation_labels(codes) -> str:
    return ", ".join(SENSATIONS.get(c, c) for c in codes or ())


# The triage level as staff read it (the stored value is the ruleset's code).
_LEVEL_WORDS = {
    "NONE": "No red flag found",
    "MONITOR": "Monitor",
    "URGENT": "Urgent",
    "EMERGENCY": "Emergency",
}


@register.filter
def triage_level(code: str) -> str:
    return _LEVEL_WORDS.get(code, code)


@register.filter
def red_flag_items(codes) -> str:
    """The red-flag items in the ruleset's own words, not their codes."""
    from intake.triage import default_ruleset

    items = default_ruleset().items
    return "; ".join(items.get(code, code) for code in codes or ())


@register.filter
def band_scheme_name(code: str) -> str:
    from intake.scoring import nprs

    schemes = {s.code: s.source for s in (nprs.BOONSTRA_2016, nprs.COMMON_1_3_4_6_7_10)}
    return schemes.get(code, code)


@register.filter
def staff_score_rows(scores) -> list:
    """The scores table of the staff summary: a row or more per questionnaire scored
    (intake.questionnaires)."""
    return questionnaires.staff_score_rows(scores or {})


@register.filter
def staff_notices(scores) -> list[str]:
    """Copyright statements the staff summary prints under its scores."""
    return questionnaires.staff_notices(scores or {})
