"""The Django admin (/django-admin/) is inside the audit trail, like the app's own pages.

ClinicAdminSite is admin.site (core.apps.ClinicAdminConfig). Its register() mixes
AuditedAdmin into every ModelAdmin registered on it, the app's own and third-party ones
(django-otp's devices, axes, auth's groups), so no model can be added to the admin
without its pages being audited:

- a list leaves a VIEW naming the patients on it (details["shown"], their MRNs);
- a change, history or delete-confirmation page a VIEW of that record, with its patient;
- an addition, change or deletion (a bulk action too) a CREATE, UPDATE, PASSWORD or
  DELETE entry naming the changed fields, never their values, written in the transaction
  that makes the change;
- any other page a model admin serves (third-party extras) a VIEW, or an UPDATE when
  something is posted to it.

Each entry's summary ends "in the Django admin" and its details carry "via".
"""

import functools
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern

from audit.models import AuditEvent
from audit.services import audit_record
from core.models import Clinic, WorkerHeartbeat
from patients.models import Patient

VIA = "django-admin"
IN_THE_ADMIN = "in the Django admin"
# Set on a request once an AuditedAdmin view or hook has dealt with its audit entry, so
# the catch-all in get_urls() does not write a second one.
_AUDITED = "_clinic_admin_audited"
# Set once a change was recorded (log_addition, log_change, log_deletions), so a bulk
# action that recorded its own changes does not also record that it ran.
_CHANGED = "_clinic_admin_changed"


def _foreign_keys(model) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def patient_path(model) -> str | None:
    """How a record of `model` reaches its patient, as an ORM path ("" for a patient
    itself): a foreign key to Patient, or one through another model (an addendum's
    evaluation's patient). None for models that bear no patient."""
    if model is Patient:
        return ""
    keys = _foreign_keys(model)
    direct = [f for f in keys if f.related_model is Patient]
    if direct:
        return next((f.name for f in direct if f.name == "patient"), direct[0].name)
    for field in keys:
        if field.related_model is model:
            continue
        inner = [f for f in _foreign_keys(field.related_model) if f.related_model is Patient]
        if inner:
            return f"{field.name}__{inner[0].name}"
    return None


def _patient_of(obj, path: str | None) -> Patient | None:
    if path is None:
        return None
    value = obj
    for name in path.split("__") if path else ():
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def _ident(obj) -> str:
    """How an entry's summary names a record: a patient by MRN (never by name), others by
    their public id or primary key."""
    if isinstance(obj, Patient):
        return obj.mrn
    return str(getattr(obj, "public_id", None) or obj.pk)


def _changed_fields(message: Any) -> list[str]:
    """The field labels in an admin change message (construct_change_message); the
    objects it names and the values are left out."""
    fields: list[str] = []
    for part in message if isinstance(message, list) else ():
        for kind, change in part.items() if isinstance(part, dict) else ():
            if not isinstance(change, dict):
                continue
            if "name" in change:  # an inline row: its model, never its text
                fields.append(f"{change['name']} ({kind})")
            else:
                fields.extend(str(f) for f in change.get("fields", ()))
    return fields


def _shown(response: HttpResponse, key: str):
    """What a rendered admin page showed, from its template context."""
    if response.status_code != 200 or not isinstance(response, TemplateResponse):
        return None
    return (response.context_data or {}).get(key)


if TYPE_CHECKING:
    # What the mixin is mixed into, so its calls to super() and self.opts are checked.
    _MixedInto = admin.ModelAdmin[Any]
else:
    _MixedInto = object


class AuditedAdmin(_MixedInto):
    """Mixed into every ModelAdmin by ClinicAdminSite.register()."""

    @functools.cached_property
    def _patient_path(self) -> str | None:
        return patient_path(self.model)

    def _audit(
        self,
        request: HttpRequest,
        action: AuditEvent.Action,
        summary: str,
        *,
        obj=None,
        details: dict | None = None,
    ) -> AuditEvent:
        setattr(request, _AUDITED, True)
        return audit_record(
            actor=request.user,
            action=action,
            obj=obj,
            patient=_patient_of(obj, self._patient_path) if obj is not None else None,
            summary=f"{summary} {IN_THE_ADMIN}",
            details={"via": VIA, "model": self.opts.label_lower, **(details or {})},
        )

    def _audit_record_view(self, request: HttpRequest, obj, what: str) -> None:
        self._audit(
            request,
            AuditEvent.Action.VIEW,
            f"{what} {self.opts.verbose_name} {_ident(obj)}",
            obj=obj,
        )

    def _mrns(self, pks: list) -> list[str]:
        """The MRNs of the patients of these records, in one query."""
        path = self._patient_path
        lookup = f"{path}__mrn" if path else "mrn"
        found = self.model._base_manager.filter(pk__in=pks)
        return sorted({mrn for mrn in found.values_list(lookup, flat=True) if mrn})

    # --- Pages -------------------------------------------------------------------------

    def changelist_view(self, request: HttpRequest, extra_context=None):
        setattr(request, _AUDITED, True)
        response = super().changelist_view(request, extra_context)
        changelist = _shown(response, "cl")
        if changelist is not None:
            rows = list(changelist.result_list)  # the page's rows, cached for the template
            details = {
                "count": len(rows),
                "found": changelist.result_count,
                "filters": dict(request.GET.items()),
            }
            if self._patient_path is not None:
                details["shown"] = self._mrns([r.pk for r in rows])
            self._audit(
                request,
                AuditEvent.Action.VIEW,
                f"Viewed the list of {self.opts.verbose_name_plural} ({len(rows)} shown)",
                details=details,
            )
        return response

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        # An empty form shows no record; a saved one is audited by log_addition.
        setattr(request, _AUDITED, True)
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        # A saved change is audited by log_change; a page shown (also again with errors)
        # is a view of the record.
        setattr(request, _AUDITED, True)
        response = super().change_view(request, object_id, form_url, extra_context)
        if (obj := _shown(response, "original")) is not None:
            self._audit_record_view(request, obj, "Viewed")
        return response

    def history_view(self, request: HttpRequest, object_id, extra_context=None):
        setattr(request, _AUDITED, True)
        response = super().history_view(request, object_id, extra_context)
        if (obj := _shown(response, "object")) is not None:
            self._audit_record_view(request, obj, "Viewed the change history of")
        return response

    def delete_view(self, request: HttpRequest, object_id, extra_context=None):
        # The confirmation lists the record and what goes with it; the deletion itself is
        # audited by log_deletions.
        setattr(request, _AUDITED, True)
        response = super().delete_view(request, object_id, extra_context)
        if (obj := _shown(response, "object")) is not None:
            self._audit_record_view(request, obj, "Opened for deletion")
        return response

    def response_action(self, request: HttpRequest, queryset):
        setattr(request, _AUDITED, True)
        name = request.POST.get("action", "")
        # As the action form reads its hidden "select_across" (a BooleanField).
        across = request.POST.get("select_across", "") not in ("", "0", "false", "False")
        try:
            chosen = (
                queryset
                if across
                else queryset.filter(pk__in=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
            )
            pks = list(chosen.values_list("pk", flat=True))  # before the action deletes them
        except (ValueError, ValidationError):
            pks = []  # not ids: Django's own handling refuses them
        details: dict[str, Any] = {"action": name, "count": len(pks)}
        if self._patient_path is not None:
            details["shown"] = self._mrns(pks)
        # An action and its audit entry commit together (bulk deletion is not atomic).
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().response_action(request, queryset)
            plural = f"{len(pks)} {self.opts.verbose_name_plural}"
            if response is None or getattr(request, _CHANGED, False):
                pass  # nothing was done, or the changes are recorded one by one
            elif isinstance(response, TemplateResponse):
                summary = f"Viewed {plural} to confirm the action “{name}”"
                self._audit(request, AuditEvent.Action.VIEW, summary, details=details)
            else:
                summary = f"Ran the action “{name}” on {plural}"
                self._audit(request, AuditEvent.Action.UPDATE, summary, details=details)
        return response

    # --- Changes: Django's admin calls these once a change is made, inside its
    # transaction (a bulk action's one is opened above) --------------------------------

    def log_addition(self, request: HttpRequest, obj, message):
        setattr(request, _CHANGED, True)
        entry = super().log_addition(request, obj, message)
        self._audit(
            request,
            AuditEvent.Action.CREATE,
            f"Created {self.opts.verbose_name} {_ident(obj)}",
            obj=obj,
            details={"fields": _changed_fields(message)},
        )
        return entry

    def log_change(self, request: HttpRequest, obj, message):
        setattr(request, _CHANGED, True)
        entry = super().log_change(request, obj, message)
        fields = _changed_fields(message)
        if isinstance(obj, get_user_model()) and fields == ["password"]:
            action = AuditEvent.Action.PASSWORD
            summary = f"Set the password of {self.opts.verbose_name} {_ident(obj)}"
        else:
            action = AuditEvent.Action.UPDATE
            summary = f"Changed {self.opts.verbose_name} {_ident(obj)}"
        self._audit(request, action, summary, obj=obj, details={"fields": fields})
        return entry

    def log_deletions(self, request: HttpRequest, queryset):
        setattr(request, _CHANGED, True)
        # Called before the deletion, while the records still have their ids.
        for obj in queryset:
            summary = f"Deleted {self.opts.verbose_name} {_ident(obj)}"
            self._audit(request, AuditEvent.Action.DELETE, summary, obj=obj)
        return super().log_deletions(request, queryset)

    # --- Every other page the model admin serves ---------------------------------------

    def get_urls(self) -> list:
        return [
            URLPattern(p.pattern, self._audited(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in super().get_urls()
        ]

    def _audited(self, view):
        """The catch-all: a page no view above dealt with (a third-party admin's extra
        page, such as a password form) is audited as a view of its record, or as a change
        when something was posted to it."""

        @functools.wraps(view)
        def audited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if getattr(request, _AUDITED, False) or not self.admin_site.has_permission(request):
                return response
            posted = request.method not in ("GET", "HEAD", "OPTIONS")
            if posted and response.status_code < 400:
                action, verb = AuditEvent.Action.UPDATE, "Sent a form for"
            elif not posted and response.status_code == 200:
                action, verb = AuditEvent.Action.VIEW, "Viewed"
            else:
                return response
            object_id = next((kwargs[k] for k in ("object_id", "id", "pk") if k in kwargs), None)
            obj = self.get_object(request, unquote(str(object_id))) if object_id else None
            what = (
                f"{self.opts.verbose_name} {_ident(obj)}"
                if obj is not None
                else str(self.opts.verbose_name_plural)
            )
            view_name = request.resolver_match.url_name if request.resolver_match else ""
            self._audit(
                request,
                action,
                f"{verb} {what} ({view_name})",
                obj=obj,
                details={"view": view_name, "method": request.method},
            )
            return response

        return audited


class ClinicAdminSite(admin.AdminSite):
    site_header = "Clinic records: Django admin"
    site_title = "Clinic records admin"
    index_title = "Superuser's window (every page is audited)"

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        """Every ModelAdmin registered here is audited, whoever registers it."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        # Only a session past the second factor (accounts.mfa), whatever middleware runs.
        is_verified = getattr(request.user, "is_verified", None)
        return super().has_permission(request) and bool(is_verified and is_verified())

    def password_change(self, request: HttpRequest, extra_context=None):
        """The admin's own "change my password" page: audited like the app's."""
        with transaction.atomic():
            response = super().password_change(request, extra_context)
            if request.method == "POST" and response.status_code == 302:
                user = request.user  # signed in: has_permission() let them this far
                audit_record(
                    actor=user,
                    action=AuditEvent.Action.PASSWORD,
                    obj=user if isinstance(user, models.Model) else None,
                    summary=f"Changed their own password {IN_THE_ADMIN}",
                    details={"via": VIA},
                )
        return response

    def autocomplete_view(self, request: HttpRequest):
        """Records found for an autocomplete box (none is set up today)."""
        response = super().autocomplete_view(request)
        if response.status_code == 200:
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.SEARCH,
                summary=f"Looked up records to choose from {IN_THE_ADMIN}",
                details={
                    "via": VIA,
                    "model": f"{request.GET.get('app_label')}.{request.GET.get('model_name')}",
                    "query": request.GET.get("term", ""),
                },
            )
        return response


class ReadOnlyAdmin(admin.ModelAdmin):
    """Clinical and audit data changes only through the app, where every change is
    audited. The Django admin is a superuser's read-only window."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(Clinic, ReadOnlyAdmin)
admin.site.register(WorkerHeartbeat, ReadOnlyAdmin)
