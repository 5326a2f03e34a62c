from django import template

from intake.bodychart import REGION_BY_CODE, SENSATIONS

register = template.Library()


@register.filter
def region_label(code: str) -> str:
    region = REGION_BY_CODE.get(code)
    return region.label if region else code


@register.filter
def sensation_labels(codes) -> str:
    return ", ".join(SENSATIONS.get(c, c) for c in codes or ())
