"""Where a cited value or rule comes from, as clinicians read it.

The clinical specification tags every statement with its reference ids ("[S51]") and how
far it was checked (✅ verified, ◐ partly, ⚠ unverified). Those tags are for the people
who build and review the rules: they stay in the code, beside each value (`provenance`
fields and comments), and in the docs. Screens and documents show a short "source: …"
line in plain words, and never a developer's note.

`for_clinicians` also cleans texts stored before this was so (results and findings saved
with the older wording): a signed record keeps what it holds, and is shown without the
notes.
"""

import re

# Short, plain citations for the spec's references that a screen or document names.
REFERENCES: dict[str, str] = {
    "S1": "Schmid et al., PAIN 2023 (NeuPSIG)",
    "S8": "Finucane et al., JOSPT 2020 (IFOMPT red-flag framework)",
    "S12": "NHS Lothian RefHelp: serious lumbar spine conditions",
    "S13": "BMJ Best Practice: cauda equina syndrome",
    "S24": "Pesonen et al., BMC Musculoskelet Disord 2021",
    "S27": "AHCPR quick reference guide: red flags",
    "S28": "NHS Lothian RefHelp: foot drop",
    "S40": "PSFS scoring guide",
    "S48": "ODI scoring guides",
    "S51": "Ostelo et al., Spine 2008",
    "S54": "Childs et al., Spine 2005",
    "S56": "Boonstra et al., Front Psychol 2016",
    "S81": "Boyd & Villa, BMC Musculoskelet Disord 2012",
}


def cite(*refs: str) -> str:
    """'source: Ostelo et al., Spine 2008; Childs et al., Spine 2005'."""
    return "source: " + "; ".join(REFERENCES[ref] for ref in refs)


# Sentences of older stored texts, replaced whole by what is said now.
_LEGACY_SENTENCES = {
    "Grading follows clinical.md 1.3 ⚠ (NeuPSIG structure as recalled; verify against "
    "Schmid et al. 2023).": "Grading follows the NeuPSIG system (possible, probable, "
    "definite), as adapted for the spine by Schmid et al. 2023.",
}
_REFERENCE_IDS = re.compile(r"\s*\[S\d+[a-z]?(?:\s*[,;]\s*S?\d+[a-z]?)*\]")
_MARKS = re.compile(r"\s*[✅◐⚠]\uFE0F?")
# A parenthesis or clause that is a note about the citation, not the citation.
_NOTE_WORDS = (
    r"clinical\.md|not verified|unverified|partly verified|partly_verified|as recalled|"
    r"not stated there|transcribed|verify against"
)
_NOTE_PARENTHESIS = re.compile(rf"\s*\([^()]*(?:{_NOTE_WORDS})[^()]*\)", re.IGNORECASE)
_NOTE_CLAUSE = re.compile(rf"\s*[;,]\s*[^;,.()]*(?:{_NOTE_WORDS})[^;,.()]*", re.IGNORECASE)
_SPEC_MENTION = re.compile(r"\bclinical\.md\s*§?\s*[\d.]+\s*", re.IGNORECASE)


def for_clinicians(text: str) -> str:
    """`text` as a clinician reads it: no reference ids, verification marks, notes about
    how far a citation was checked, or mentions of the specification."""
    if not text:
        return text
    for old, new in _LEGACY_SENTENCES.items():
        text = text.replace(old, new)
    text = _REFERENCE_IDS.sub("", text)
    text = _MARKS.sub("", text)
    text = _NOTE_PARENTHESIS.sub("", text)
    text = _NOTE_CLAUSE.sub("", text)
    text = _SPEC_MENTION.sub("", text)
    text = text.replace("the spec's ", "the ")
    text = re.sub(r"\s+([.,;:)])", r"\1", text)
    text = re.sub(r"^[\s;,.]+", "", text)  # what was left of a removed first clause
    return re.sub(r"\s{2,}", " ", text).strip()
