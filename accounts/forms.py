from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import ROLE_DESCRIPTIONS, Role

ROLE_CHOICES = [(r.value, f"{r.value}: {ROLE_DESCRIPTIONS[r]}") for r in Role]


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocapitalize": "none"})
        self.helper = FormHelper()
        self.helper.form_tag = False


class StaffForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "licence_number", "is_active")
        help_texts = {
            "is_active": _(
                "Untick to stop this person signing in. Accounts are never "
                "deleted, so the audit trail keeps who did what."
            )
        }

    def __init__(self, *args, roles_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        if self.instance.pk:
            self.fields["username"].disabled = True
            self.fields["kiosk_pin"] = forms.RegexField(
                regex=r"^\d{4,8}$",
                required=False,
                label=gettext("New kiosk PIN"),
                help_text=gettext(
                    "4 to 8 digits. Unlocks the intake tablet instead of the password. "
                    "Leave blank to keep the current PIN (one is set)."
                )
                if self.instance.kiosk_pin
                else gettext(
                    "4 to 8 digits. Unlocks the intake tablet instead of the password. "
                    "Leave blank to keep the current PIN (none is set)."
                ),
                error_messages={"invalid": gettext("Use 4 to 8 digits.")},
                widget=forms.PasswordInput(
                    attrs={"autocomplete": "new-password", "inputmode": "numeric"}
                ),
            )
            self.initial["roles"] = [
                g.name for g in self.instance.groups.all() if g.name in {r.value for r in Role}
            ]
            if roles_locked:
                # One's own roles and account are changed by another administrator.
                for name in ("roles", "is_active"):
                    self.fields[name].disabled = True
                self.fields["roles"].help_text = gettext(
                    "Another administrator changes your roles."
                )
        else:
            del self.fields["is_active"]
            self.fields["password1"] = forms.CharField(
                label=gettext("Initial password"),
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                help_text=password_validators_help_text_html(),
            )
            self.fields["password2"] = forms.CharField(
                label=gettext("Initial password again"),
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if "password1" in self.fields and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", gettext("The two passwords do not match."))
        return cleaned

    def _post_clean(self):
        # Validation of the instance happens in the service; a ModelForm would otherwise
        # mutate the user before we decide to save.
        pass


class StaffPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", gettext("The two passwords do not match."))
        return cleaned


class MfaVerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=32,
        error_messages={"required": _("Type the code your app shows, or a recovery code.")},
        # Not numeric-only: recovery codes have letters.
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
                "class": "form-control form-control-lg mfa-code",
            }
        ),
    )


class MfaSetupForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code the app shows"),
        max_length=16,
        error_messages={"required": _("Type the 6-digit code the app shows.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "form-control form-control-lg mfa-code",
            }
        ),
    )


class PasswordRecheckForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control"}
        ),
    )


class StepUpForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("A new code from your authenticator app"),
        max_length=32,
        error_messages={"required": _("Type the code your app shows now.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "form-control mfa-code",
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class OwnPasswordForm(forms.Form):
    """A person changing their own password: the current one and, for those with an
    authenticator app, a fresh code; after an administrator's reset, at sign-in, the
    new password alone (they have just given both)."""

    current_password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        error_messages={"required": _("Enter your current password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("A new code from your authenticator app"),
        max_length=32,
        error_messages={"required": _("Type the code your app shows now.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, ask_current: bool, ask_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_current:
            del self.fields["current_password"]
        if not ask_code:
            del self.fields["code"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", gettext("The two passwords do not match."))
        return cleaned
