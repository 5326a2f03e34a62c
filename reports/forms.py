from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import BoundedDateField
from reports.exports import EXPORT_KINDS, ExportRequest

if TYPE_CHECKING:
    from accounts.models import User
    from care.models import ReferralContact
    from intake.models import RedFlagAlert

KIND_LABELS = {
    "evaluation": _("Evaluation and plan of care"),
    "progress": _("Progress or discharge report (latest visit per patient)"),
    "handout": _("Patient handout"),
    "intake_summary": _("Intake summary"),
}
MAX_RANGE_DAYS = 366


def _therapists():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename="add_evaluation")
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class ExportForm(forms.Form):
    date_from = BoundedDateField(
        label=_("Visits from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the first visit date."),
            "invalid": _("Enter a real date."),
        },
    )
    date_to = BoundedDateField(
        label=_("Visits to"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the last visit date."),
            "invalid": _("Enter a real date."),
        },
    )
    therapists: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("Therapists"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every therapist."),
        error_messages={"invalid_choice": _("Choose therapists from the list.")},
    )
    kinds = forms.MultipleChoiceField(
        label=_("Documents"),
        choices=[(k, KIND_LABELS[k]) for k in EXPORT_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=["evaluation"],
    )
    include_csv = forms.BooleanField(
        label=_("Add a CSV of outcome data (one row per evaluation)"), required=False
    )
    include_drafts = forms.BooleanField(
        label=_("Include unsigned draft evaluations (marked DRAFT)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        therapists = self.fields["therapists"]
        assert isinstance(therapists, forms.ModelMultipleChoiceField)  # declared above
        therapists.queryset = _therapists()
        today = timezone.localdate()
        self.fields["date_from"].initial = today - timedelta(days=30)
        self.fields["date_to"].initial = today

    def clean(self):
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", gettext("The last date is before the first."))
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("date_to", gettext("Choose a range of at most a year."))
        if not data.get("kinds") and not data.get("include_csv"):
            raise forms.ValidationError(
                gettext("Choose at least one kind of document, or the CSV.")
            )
        return data

    def export_request(self) -> ExportRequest:
        d = self.cleaned_data
        return ExportRequest(
            date_from=d["date_from"],
            date_to=d["date_to"],
            therapist_ids=tuple(u.pk for u in d["therapists"]),
            kinds=tuple(k for k in EXPORT_KINDS if k in d["kinds"]),
            include_csv=d["include_csv"],
            include_drafts=d["include_drafts"],
        )


_ANY_STATUS = ("", _("Any status"))
_ANY_KIND = ("", _("Any kind"))


class JobFilterForm(forms.Form):
    # The statuses and kinds follow the "any" choice, added when the form is made.
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[_ANY_STATUS])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[_ANY_KIND])

    def __init__(self, *args, **kwargs):
        from reports.models import ReportJob

        super().__init__(*args, **kwargs)
        status, kind = self.fields["status"], self.fields["kind"]
        assert isinstance(status, forms.ChoiceField)  # declared above
        assert isinstance(kind, forms.ChoiceField)
        status.choices = [_ANY_STATUS, *ReportJob.Status.choices]
        kind.choices = [_ANY_KIND, *ReportJob.Kind.choices]


class _AlertChoiceField(forms.ModelChoiceField):
    """A red-flag alert by its summary, what was done and when it was raised."""

    def label_from_instance(self, obj: RedFlagAlert) -> str:
        raised = timezone.localtime(obj.raised_at)
        return f"{obj.summary} ({obj.get_outcome_display()}, {raised:%d %b %Y})"


class ReferralLetterForm(forms.Form):
    """Who the letter is to, how urgent it is and why; the red-flag alert it follows when
    one of the evaluation's (or its intake's) alerts ended in a referral. The choices and
    starting values come from reports.letters."""

    addressed_to: forms.ModelChoiceField[ReferralContact] = forms.ModelChoiceField(
        label=_("Addressed to"),
        queryset=None,
        empty_label=_("Choose a clinician"),
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
        error_messages={
            "required": _("Choose the clinician the letter is addressed to."),
            "invalid_choice": _("Choose a clinician from the list."),
        },
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=[],
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
        error_messages={
            "required": _("Choose the urgency: emergency, urgent or routine."),
            "invalid_choice": _("Choose the urgency: emergency, urgent or routine."),
        },
    )
    reason = forms.CharField(
        label=_("Reason for referral"),
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
        error_messages={
            "required": _("Give the reason for the referral."),
            "max_length": _("Keep the reason to 4,000 characters."),
        },
    )
    alert: _AlertChoiceField = _AlertChoiceField(
        label=_("Follows the red-flag alert"),
        queryset=None,
        required=False,
        empty_label=_("None: the plan of care's referral"),
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
        error_messages={"invalid_choice": _("Choose an alert from the list.")},
    )

    def __init__(self, *args, evaluation, alerts, defaults, **kwargs):
        from care.models import ReferralContact
        from intake.models import RedFlagAlert
        from reports.models import ReferralLetter

        super().__init__(*args, **kwargs)
        self.evaluation = evaluation
        contact, urgency, alert = (
            self.fields["addressed_to"],
            self.fields["urgency"],
            self.fields["alert"],
        )
        assert isinstance(contact, forms.ModelChoiceField)  # declared above
        assert isinstance(urgency, forms.ChoiceField)
        assert isinstance(alert, forms.ModelChoiceField)
        contact.queryset = ReferralContact.objects.order_by("name", "organisation", "id")
        contact.help_text = gettext("The episode's referring clinician is chosen to start with.")
        urgency.choices = ReferralLetter.Urgency.choices
        alert.queryset = RedFlagAlert.objects.filter(pk__in=[a.pk for a in alerts])
        if not alerts:
            del self.fields["alert"]
        self.initial.setdefault("addressed_to", defaults.addressed_to)
        self.initial.setdefault("urgency", defaults.urgency)
        self.initial.setdefault("reason", defaults.reason)
        if alerts:
            self.initial.setdefault("alert", defaults.alert)
