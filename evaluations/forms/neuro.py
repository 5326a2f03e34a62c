"""The neurological examination: myotomes, dermatomes, reflexes and the upper motor neuron
signs, left and right, as one grid of small fields. Its record is flat, one key per cell
(named by `records.NEURO`, and the fields are named the same), and `neuro` checks the
whole exam on save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations import findings, neuro
from evaluations.forms.base import SectionForm
from evaluations.forms.fields import (
    TRI_CHOICES,
    bool_field,
    bool_to_tri,
    choice_list,
    int_field,
    lazy_text,
    select_field,
    text_field,
    tri_to_bool,
)
from evaluations.records import NEURO
from evaluations.vocabulary import REFLEX_GRADE_LABELS, label
from evaluations.wording import plain_words

MRC_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(6)]
SENSORY_CHOICES = choice_list(neuro.SensoryFinding)
REFLEX_CHOICES = [("", "—")] + [(g.value, REFLEX_GRADE_LABELS[g.value]) for g in neuro.ReflexGrade]
PLANTAR_CHOICES = choice_list(neuro.Plantar)
SIDE_WORDS = {"L": _("left"), "R": _("right")}
# Stored as True / False / None, chosen as yes / no / not recorded.
HOFFMANN = frozenset(NEURO.hoffmann(side) for side in SIDE_WORDS)


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
            grade, pain = NEURO.myotome(movement, code), NEURO.myotome_pain(movement, code)
            fields[grade] = select_field(
                MRC_CHOICES,
                lazy_text(
                    _("%(movement)s (%(roots)s), %(side)s, MRC grade"),
                    movement=info.label,
                    roots=roots,
                    side=word,
                ),
            )
            fields[pain] = bool_field(
                lazy_text(
                    _("%(movement)s, %(side)s: limited by pain"), movement=info.label, side=word
                )
            )
            cells.append((code, grade, pain))
        myotome_rows.append((movement, f"{info.label} ({info.muscle})", roots, cells))
    dermatome_rows = []
    for root in findings.DERMATOME_ROOTS:
        cells = []
        for modality in findings.DERMATOME_MODALITIES:
            for code, word in SIDE_WORDS.items():
                name = NEURO.dermatome(root, modality, code)
                fields[name] = select_field(
                    SENSORY_CHOICES,
                    lazy_text(
                        _("%(root)s %(modality)s, %(side)s"),
                        root=root,
                        modality=label(modality).lower(),
                        side=word,
                    ),
                )
                cells.append((modality, code, name))
        dermatome_rows.append((root, neuro.DERMATOME_AREAS[root], cells))
    reflex_rows = []
    for reflex in findings.REFLEXES:
        cells = []
        for code, word in SIDE_WORDS.items():
            name, reinforced = NEURO.reflex(reflex, code), NEURO.reflex_reinforced(reflex, code)
            fields[name] = select_field(
                REFLEX_CHOICES,
                lazy_text(
                    _("%(reflex)s reflex, %(side)s"), reflex=neuro.REFLEX_LABELS[reflex], side=word
                ),
            )
            fields[reinforced] = bool_field(
                lazy_text(
                    _("%(reflex)s, %(side)s: with reinforcement"),
                    reflex=neuro.REFLEX_LABELS[reflex],
                    side=word,
                )
            )
            cells.append((code, name, reinforced))
        reflex_rows.append((reflex, neuro.REFLEX_LABELS[reflex], cells))
    for code, word in SIDE_WORDS.items():
        fields[NEURO.babinski(code)] = select_field(
            PLANTAR_CHOICES, lazy_text(_("Babinski, %(side)s"), side=word)
        )
        fields[NEURO.clonus(code)] = int_field(
            lazy_text(_("Ankle clonus beats, %(side)s"), side=word), 0, 50
        )
        fields[NEURO.clonus_sustained(code)] = bool_field(
            lazy_text(_("Sustained clonus, %(side)s"), side=word)
        )
        fields[NEURO.hoffmann(code)] = select_field(
            TRI_CHOICES, lazy_text(_("Hoffmann sign, %(side)s"), side=word)
        )
        fields[NEURO.progressive(code)] = bool_field(
            lazy_text(_("Weakness getting worse, %(side)s"), side=word)
        )
    fields[NEURO.saddle] = select_field(SENSORY_CHOICES, _("Saddle sensation (S3 to S5)"))
    fields[NEURO.spasticity] = bool_field(_("Spasticity"))
    fields[NEURO.gait_ataxia] = bool_field(_("Gait ataxia"))
    fields[NEURO.notes] = text_field(_("Neuro exam notes"), max_length=4000, rows=2)
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
            findings.neuro_exam(self.record())
        except ValueError as exc:
            raise forms.ValidationError(plain_words(str(exc))) from exc
        return data

    def record(self) -> dict[str, Any]:
        # Record version 1 keeps the grid's cells under the fields' own names.
        return {
            name: tri_to_bool(value or "") if name in HOFFMANN else value
            for name, value in self.cleaned_data.items()
        }

    @classmethod
    def initial_from(cls, stored, ctx):
        initial = dict(stored or {})
        for name, value in list(initial.items()):
            if name in HOFFMANN:
                initial[name] = bool_to_tri(value)
            elif value is None:
                initial[name] = ""
        return initial


# Built once (the grid is the same for every patient) and added to the form's base fields,
# which Django copies into each new form as it does declared fields.
NeuroForm.base_fields.update(NeuroForm.grid_fields)
