from uuid import UUID

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import LoginForm, StaffForm, StaffPasswordForm
from accounts.models import User
from accounts.roles import Role
from accounts.services import staff_create, staff_set_password, staff_update
from core.pagination import paginate


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _staff_with_roles():
    from django.contrib.auth.models import Group

    return User.objects.prefetch_related(
        Prefetch("groups", queryset=Group.objects.filter(name__in=[r.value for r in Role]))
    )


@require_http_methods(["GET"])
@permission_required("accounts.manage_staff", raise_exception=True)
def staff_list(request: HttpRequest) -> HttpResponse:
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
def staff_new(request: HttpRequest) -> HttpResponse:
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
            messages.success(request, f"Created the account {user.username}.")
            return redirect("accounts:staff-list")
    return render(request, "accounts/staff_form.html", {"form": form, "member": None})


@require_http_methods(["GET", "POST"])
@permission_required("accounts.manage_staff", raise_exception=True)
def staff_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    member = get_object_or_404(User, public_id=public_id)
    form = StaffForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            changed = staff_update(
                by=request.user,
                user=member,
                data=form.cleaned_data,
                roles=[Role(r) for r in form.cleaned_data["roles"]],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Saved the changes." if changed else "Nothing was changed.")
            return redirect("accounts:staff-list")
    return render(request, "accounts/staff_form.html", {"form": form, "member": member})


@require_http_methods(["GET", "POST"])
@permission_required("accounts.manage_staff", raise_exception=True)
def staff_password(request: HttpRequest, public_id: UUID) -> HttpResponse:
    member = get_object_or_404(User, public_id=public_id)
    form = StaffPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff_set_password(
                by=request.user, user=member, password=form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Set a new password for {member.username}.")
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
