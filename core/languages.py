"""The languages the patient's side speaks (settings.PATIENT_LANGUAGES), their names, and
the product translation each ships with.

Staff pages are English; what a patient reads (the tablet, the links, the handout) is in
the patient's language where the project has its catalogue (locale/<code>/). A product
translation of the safety wording (red-flag questions, the stop and emergency screens, the
handout's warning signs) must be reviewed by a qualified medical translator and a clinician
before use: the clinic records that review (core.models.TranslationApproval) against the
version below, and until it has, staff pages show TRANSLATION_REVIEW_NOTICE.
"""

from django.conf import settings
from django.conf.locale import LANG_INFO

ENGLISH = "en"

# The catalogue version of each shipped translation. Change it whenever the wording of the
# safety strings changes, so an earlier approval no longer covers it.
PRODUCT_TRANSLATION_VERSIONS: dict[str, str] = {"es": "es-2026.12-1"}

TRANSLATION_REVIEW_NOTICE = (
    "Product translation: to be reviewed by a qualified medical translator and a clinician "
    "before use."
)


def patient_languages() -> list[str]:
    return list(settings.PATIENT_LANGUAGES)


def patient_language(code: str | None) -> str:
    """The language a patient with this preference is served in: theirs where there is a
    catalogue (a regional variant such as es-mx served by es), else English."""
    if not code:
        return ENGLISH
    code = code.lower()
    languages = patient_languages()
    if code in languages:
        return code
    base = code.split("-")[0]
    return base if base in languages else ENGLISH


def english_name(code: str) -> str:
    """ "Spanish": how staff pages name a language."""
    return str(LANG_INFO.get(code, {}).get("name", code))


def local_name(code: str) -> str:
    """ "Español": how the language switch names a language, in that language."""
    name = str(LANG_INFO.get(code, {}).get("name_local", code))
    return name[:1].upper() + name[1:]


def needs_review(code: str) -> bool:
    """Whether this language is a product translation (English is the source text)."""
    return code in PRODUCT_TRANSLATION_VERSIONS


def review_outstanding(code: str) -> bool:
    """Whether patients answering in this language see a product translation no approval
    covers yet (one query; English never)."""
    from core.models import TranslationApproval

    version = PRODUCT_TRANSLATION_VERSIONS.get(code)
    if version is None:
        return False
    return TranslationApproval.objects.covering(code, version) is None


def locale_for(code: str) -> str:
    """The locale a patient language is served in: English as the staff pages are (British
    dates and times), any other language as itself."""
    return settings.LANGUAGE_CODE if code == ENGLISH else code
