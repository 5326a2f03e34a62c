from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout, mfa, stepup
from accounts.forms import (
    LoginForm,
    MfaSetupForm,
    MfaVerifyForm,
    OwnPasswordForm,
    PasswordRecheckForm,
    StaffForm,
    StaffPasswordForm,
    StepUpForm,
)
from accounts.http import StaffRequest
from accounts.models import AccountNotice, User
from accounts.roles import Role
from accounts.services import (
    ProtectedAccount,
    password_change,
    staff_create,
    staff_mfa_reset,
    staff_set_password,
    staff_unlock,
    staff_update,
)
from core.pagination import paginate

# What the browser must forget when someone signs out of a shared tablet. On one of the
# clinic's enrolled tablets the cookies stay: one of them is the enrolment itself, and
# Django's sign-out has already ended the session cookie.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'
CLEAR_SITE_DATA_ON_TABLET = '"cache", "storage"'


def _our_path(request: HttpRequest, candidate: str) -> str:
    """`candidate` if it is a path on this site, else the home page."""
    # Only a path of ours: redirect() would take a bare word ("0") for a view name and
    # fail with a server error.
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _next_url(request: HttpRequest) -> str:
    """Where to go once the sign-in is complete: the page asked for, if it is ours."""
    return _our_path(request, request.POST.get("next") or request.GET.get("next") or "")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        """The password is right. Someone who needs a second factor is signed in but not
        verified (accounts.middleware holds them on the two-factor pages) and goes on to
        the code, or to setting up an app if they have none."""
        user = form.get_user()
        auth_login(self.request, user)
        _show_notices(self.request, user)
        next_url = _our_path(self.request, self.get_success_url())
        if mfa.required_for(user):
            return redirect(_with_next(mfa.next_step(user), next_url))
        return HttpResponseRedirect(next_url)


def _show_notices(request: HttpRequest, user: User) -> None:
    """What somebody else did to this person's sign-in since they last signed in."""
    notices = list(AccountNotice.objects.filter(user=user, seen_at__isnull=True))
    for notice in notices:
        messages.warning(request, notice.message)
    if notices:
        AccountNotice.objects.filter(pk__in=[n.pk for n in notices]).update(seen_at=timezone.now())


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only) and have the browser drop everything it kept for this site:
    cached pages, cookies and storage. The sign-in page it lands on clears storage again
    from script (static/js/signed-out.js) for browsers that ignore the header."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        on_tablet = settings.TABLET_COOKIE_NAME in request.COOKIES
        response["Clear-Site-Data"] = CLEAR_SITE_DATA_ON_TABLET if on_tablet else CLEAR_SITE_DATA
        return response

    def get_default_redirect_url(self):
        return f"{resolve_url(settings.LOGOUT_REDIRECT_URL)}?signed_out=1"


@require_http_methods(["GET", "POST"])
def mfa_verify(request: StaffRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not mfa.has_two_factor(user):
        return redirect(_with_next("accounts:mfa-setup", next_url))
    form = MfaVerifyForm(request.POST or None)
    if request.method == "POST":
        if lockout.is_locked(request, user.get_username()):
            # Locked from this address by earlier failures (this session's or another's).
            return lockout.lockout_response(request, credentials={"username": user.username})
        if form.is_valid():
            check = mfa.verify(request=request, user=user, code=form.cleaned_data["code"])
            if check.passed:
                if check.recovery_codes_left is not None:
                    messages.warning(
                        request,
                        gettext(
                            "You used a recovery code; %(count)s left. Each works once. Make "
                            "new ones under Two-factor sign-in if you run low."
                        )
                        % {"count": check.recovery_codes_left},
                    )
                return redirect(next_url)
            if check.wait_seconds:
                form.add_error(
                    "code",
                    ngettext(
                        "Too soon after a wrong code: wait %(count)s second, then type the "
                        "code your app shows at that moment.",
                        "Too soon after a wrong code: wait %(count)s seconds, then type the "
                        "code your app shows at that moment.",
                        check.wait_seconds,
                    )
                    % {"count": check.wait_seconds},
                )
            else:
                form.add_error(
                    "code",
                    gettext(
                        "That code is not right. Type the 6-digit code your app shows now, or "
                        "one of your recovery codes."
                    ),
                )
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def mfa_setup(request: StaffRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    if mfa.has_two_factor(user):
        if not user.is_verified():
            # Replacing the app takes the current one first (or an administrator's reset).
            return redirect(_with_next("accounts:mfa-verify", next_url))
        return render(
            request,
            "accounts/mfa_setup.html",
            {"enrolled": True, "codes_left": mfa.recovery_codes_left(user), "next": next_url},
        )
    form = MfaSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.enrol(request=request, user=user, code=form.cleaned_data["code"])
        if codes is not None:
            request.session[mfa.SESSION_FRESH_CODES] = codes
            messages.success(request, gettext("Two-factor sign-in is set up."))
            return redirect(_with_next("accounts:mfa-recovery-codes", next_url))
        form.add_error(
            "code",
            gettext(
                "That code did not match. Check that the phone's clock is right, wait for the "
                "app to show a new code, and type that one."
            ),
        )
    device = mfa.pending_app_device(user)
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "enrolled": False,
            "form": form,
            "qr": mfa.qr_data_uri(device),
            "secret": mfa.secret_text(device),
            "required": mfa.required_for(user),
            "next": next_url,
        },
    )


@require_http_methods(["GET", "POST"])
def mfa_recovery_codes(request: StaffRequest) -> HttpResponse:
    """Shows new recovery codes once, right after they are made; otherwise how many are
    left and a form to make new ones (password again, through the lockout)."""
    user = request.user
    next_url = _next_url(request)
    if not mfa.has_two_factor(user):
        return redirect(_with_next("accounts:mfa-setup", next_url))
    if not user.is_verified():
        return redirect(_with_next("accounts:mfa-verify", next_url))
    fresh = request.session.pop(mfa.SESSION_FRESH_CODES, None) if request.method == "GET" else None
    form = PasswordRecheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if lockout.recheck_password(
            request=request,
            user=user,
            password=form.cleaned_data["password"],
            stage="password for new recovery codes",
        ):
            request.session[mfa.SESSION_FRESH_CODES] = mfa.regenerate_recovery_codes(user=user)
            return redirect(_with_next("accounts:mfa-recovery-codes", next_url))
        form.add_error("password", gettext("That password is not right."))
    return render(
        request,
        "accounts/mfa_recovery_codes.html",
        {
            "codes": [mfa.format_recovery_code(c) for c in fresh] if fresh else None,
            "codes_left": mfa.recovery_codes_left(user),
            "form": form,
            "next": next_url,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("accounts.manage_staff", raise_exception=True)
def step_up(request: StaffRequest) -> HttpResponse:
    """Confirm it is you (password and a fresh code) before changing staff sign-ins or
    roles; it holds for a few minutes."""
    next_url = _next_url(request)
    form = StepUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if lockout.is_locked(request, request.user.get_username()):
            return lockout.lockout_response(
                request, credentials={"username": request.user.get_username()}
            )
        errors = stepup.confirm(
            request=request,
            user=request.user,
            password=form.cleaned_data["password"],
            code=form.cleaned_data["code"],
        )
        if not errors:
            return redirect(next_url)
        for field, error in errors.items():
            form.add_error(field, error)
    return render(
        request,
        "accounts/step_up.html",
        {"form": form, "next": next_url, "minutes": settings.STEP_UP_MINUTES},
    )


@require_http_methods(["GET", "POST"])
def own_password(request: StaffRequest) -> HttpResponse:
    """Change your own password: the current one and a fresh code (for those with an
    authenticator app). Right after signing in with a password an administrator reset,
    the new password alone: the person has just given both."""
    user = request.user
    forced = user.must_change_password
    ask_code = not forced and mfa.has_two_factor(user)
    form = OwnPasswordForm(request.POST or None, ask_current=not forced, ask_code=ask_code)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if lockout.is_locked(request, user.get_username()):
            return lockout.lockout_response(request, credentials={"username": user.username})
        ok = forced or lockout.recheck_password(
            request=request,
            user=user,
            password=data["current_password"],
            stage="current password (changing it)",
        )
        if not ok:
            form.add_error("current_password", gettext("That password is not right."))
        elif ask_code:
            check = mfa.confirm(
                request=request, user=user, code=data["code"], purpose="changing their password"
            )
            if not check.passed:
                form.add_error(
                    "code",
                    gettext(
                        "That code is not right, or was already used. Type the code your app "
                        "shows now."
                    ),
                )
        if not form.errors:
            try:
                password_change(user=user, password=data["password1"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                user.refresh_from_db()
                # Stay signed in here; every other session of this person ends.
                update_session_auth_hash(request, user)
                messages.success(request, gettext("Your password is changed."))
                return redirect(_next_url(request))
    return render(
        request,
        "accounts/own_password.html",
        {"form": form, "forced": forced, "next": _next_url(request)},
    )


def _changeable(member: User) -> None:
    """Superusers are managed on the server, never through these pages."""
    if member.is_superuser:
        raise PermissionDenied


def _staff_with_roles():
    from django.contrib.auth.models import Group

    two_factor = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return lockout.with_locked(
        User.objects.prefetch_related(
            Prefetch("groups", queryset=Group.objects.filter(name__in=[r.value for r in Role]))
        ).annotate(has_two_factor=Exists(two_factor))
    )


@require_http_methods(["GET"])
@permission_required("accounts.manage_staff", raise_exception=True)
def staff_list(request: StaffRequest) -> HttpResponse:
    staff = _staff_with_roles().order_by("-is_active", "last_name", "first_name", "username")
    role = request.GET.get("role", "")
    if role in {r.value for r in Role}:
        staff = staff.filter(groups__name=role)
    text = request.GET.get("q", "").strip()[:100]
    if text:
        staff = staff.filter(
            Q(username__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
        )
    page = paginate(staff, request.GET.get("page"))
    return render(
        request,
        "accounts/staff_list.html",
        {"page": page, "roles": list(Role), "role": role, "q": text},
    )


@require_http_methods(["GET", "POST"])
@permission_required("accounts.manage_staff", raise_exception=True)
@stepup.required()
def staff_new(request: StaffRequest) -> HttpResponse:
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = staff_create(
                by=request.user,
                username=data["username"],
                password=data["password1"],
                roles=[Role(r) for r in data["roles"]],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                licence_number=data["licence_number"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Created the account %(username)s.") % {"username": user.username},
            )
            return redirect("accounts:staff-list")
    return render(request, "accounts/staff_form.html", {"form": form, "member": None})


@require_http_methods(["GET", "POST"])
@permission_required("accounts.manage_staff", raise_exception=True)
def staff_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    member = get_object_or_404(User, public_id=public_id)
    _changeable(member)
    is_self = member == request.user
    stepped_up = stepup.is_fresh(request)
    form = StaffForm(request.POST or None, instance=member, roles_locked=is_self)
    if request.method == "POST" and form.is_valid():
        roles = [Role(r) for r in form.cleaned_data["roles"]]
        # Roles and a kiosk PIN (which signs its owner in on a clinic tablet) are changes to
        # how someone gets in. Nothing is saved without a step-up: the person confirms it is
        # them and sends the form again, with what they typed still in it.
        needs_step_up = [
            name
            for name in ("roles", "kiosk_pin")
            if name in form.changed_data and form.cleaned_data.get(name)
        ]
        if needs_step_up and not stepped_up:
            for name in needs_step_up:
                form.add_error(name, gettext("This change needs you to confirm it is you first."))
        else:
            try:
                changed = staff_update(
                    by=request.user, user=member, data=form.cleaned_data, roles=roles
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except ProtectedAccount as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    gettext("Saved the changes.") if changed else gettext("Nothing was changed."),
                )
                return redirect("accounts:staff-list")
    return render(
        request,
        "accounts/staff_form.html",
        {
            "form": form,
            "member": member,
            "is_self": is_self,
            "stepped_up": stepped_up,
            "step_up_url": stepup.url(request.path),
            "locked": lockout.is_user_locked(member),
            "has_two_factor": mfa.has_two_factor(member),
        },
    )


@require_POST
@permission_required("accounts.manage_staff", raise_exception=True)
def staff_unlock_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    member = get_object_or_404(User, public_id=public_id)
    _changeable(member)
    staff_unlock(by=request.user, user=member)
    messages.success(
        request,
        gettext("Unlocked %(username)s: they can sign in again now.")
        % {"username": member.username},
    )
    return redirect("accounts:staff-edit", public_id=member.public_id)


@require_POST
@permission_required("accounts.manage_staff", raise_exception=True)
@stepup.required(back="accounts:staff-edit")
def staff_mfa_reset_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    member = get_object_or_404(User, public_id=public_id)
    _changeable(member)
    if member == request.user:
        messages.error(
            request, gettext("Another administrator resets your own two-factor sign-in.")
        )
        return redirect("accounts:staff-edit", public_id=member.public_id)
    if staff_mfa_reset(by=request.user, user=member):
        messages.success(
            request,
            gettext(
                "Reset two-factor sign-in for %(username)s. They set up their "
                "authenticator app again when they next sign in."
            )
            % {"username": member.username},
        )
    else:
        messages.info(
            request,
            gettext("%(username)s had no two-factor sign-in to reset.")
            % {"username": member.username},
        )
    return redirect("accounts:staff-edit", public_id=member.public_id)


@require_http_methods(["GET", "POST"])
@permission_required("accounts.manage_staff", raise_exception=True)
@stepup.required()
def staff_password(request: StaffRequest, public_id: UUID) -> HttpResponse:
    member = get_object_or_404(User, public_id=public_id)
    _changeable(member)
    if member == request.user:
        return redirect("accounts:password")
    form = StaffPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff_set_password(
                by=request.user, user=member, password=form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                gettext(
                    "Set a new password for %(username)s. They choose their own when they "
                    "next sign in, and are told you reset it."
                )
                % {"username": member.username},
            )
            return redirect("accounts:staff-list")
    return render(request, "accounts/staff_password.html", {"form": form, "member": member})


def _add_errors(form, exc: ValidationError) -> None:
    """Attach a service's errors to the form fields they name, the rest to the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = "password1" if field == "password" else field
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
