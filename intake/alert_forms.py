"""The alert page's disposition form: the actions the alert's level allows (from the
versioned rules, intake.alert_actions), the note, and for safety-net advice the material
given. The rules check the choice again in the service; the form says what is wrong in
the same words, and keeps everything typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake.alert_actions import ActionRefused, AlertActions, refusal
from intake.models import RedFlagAlert

NOTE_LABEL = _("Action taken, or your reasoning for a false positive")
MONITOR_NOTE_LABEL = _("What you told the patient, and anything to review next time")


class ActionField(forms.ChoiceField):
    """The level's actions; another one is refused naming it and the ones that can."""

    rules: AlertActions
    level: str

    def validate(self, value: Any) -> None:
        if value and not self.valid_value(value):
            raise forms.ValidationError(refusal(self.rules, self.level, value))
        super().validate(value)


class DispositionForm(forms.Form):
    outcome = ActionField(widget=forms.RadioSelect, label=_("What was done?"))
    safety_net_material = forms.ChoiceField(required=False, label=_("Safety-net information given"))
    action_note = forms.CharField(
        label=NOTE_LABEL,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={
            "required": _("Write what was done, or your reasoning for a false positive."),
            "max_length": _("Keep the note under 4,000 characters (it has %(show_value)d)."),
        },
    )

    def __init__(self, *args: Any, alert: RedFlagAlert, rules: AlertActions, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.alert, self.rules = alert, rules
        allowed = rules.allowed(alert.level)
        outcome = self.fields["outcome"]
        assert isinstance(outcome, ActionField)
        outcome.rules, outcome.level = rules, alert.level
        outcome.choices = [(a.code, a.label) for a in allowed]
        outcome.error_messages = {
            **outcome.error_messages,
            "required": gettext("Choose what was done."),
        }
        if len(allowed) == 1:
            outcome.initial = allowed[0].code
        material = self.fields["safety_net_material"]
        assert isinstance(material, forms.ChoiceField)
        if rules.needs_material(alert.level):
            material.choices = [("", gettext("Choose…"))] + [
                (m.code, m.described) for m in rules.materials
            ]
            material.required = True
            material.error_messages = {
                "required": gettext("Choose the safety-net information you gave."),
                "invalid_choice": gettext(
                    "Choose the safety-net information you gave from the list."
                ),
            }
            self.fields["action_note"].label = MONITOR_NOTE_LABEL
            self.fields["action_note"].error_messages["required"] = gettext(
                "Write what you told the patient."
            )
        else:
            del self.fields["safety_net_material"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.rules.check(
                level=self.alert.level,
                action=data.get("outcome", ""),
                note=data.get("action_note", ""),
                material=data.get("safety_net_material", ""),
            )
        except ActionRefused as refused:
            field = refused.field if refused.field in self.fields else None
            self.add_error(field, refused.message)
        return data

    def refuse(self, refused: ActionRefused) -> None:
        """Show a refusal the service made (the rules changed under the form)."""
        self.add_error(refused.field if refused.field in self.fields else None, refused.message)
