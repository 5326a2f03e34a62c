"""The patient's language switch: the languages other than the page's, each named in its
own language ("Español" on an English page, "English" on a Spanish one)."""

from django import template
from django.utils import translation

from core.languages import english_name, local_name, patient_language, patient_languages

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """A language as staff pages name it: "Spanish"."""
    return english_name(code)


@register.simple_tag
def patient_language_choices() -> list[dict[str, str]]:
    current = patient_language(translation.get_language())
    return [
        {"code": code, "name": local_name(code)} for code in patient_languages() if code != current
    ]
