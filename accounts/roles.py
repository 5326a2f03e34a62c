"""Staff roles: Django groups and the permissions each one carries.

The table below is the single statement of who may do what. Migrations call
sync_role_groups() so every installation has the groups; views check the
permissions (never group names), so an administrator may also give a person
several roles.
"""

from enum import StrEnum


class Role(StrEnum):
    FRONT_DESK = "Front desk"
    THERAPIST = "Physical therapist"
    ADMINISTRATOR = "Clinic administrator"


ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.FRONT_DESK: (
        "patients.view_patient",
        "patients.add_patient",
        "patients.change_patient",
        "intake.view_intake",
        "intake.add_intake",
        # Enrol this device as one of the clinic's intake tablets (kiosk mode needs one).
        "intake.add_clinictablet",
        # Episodes of care: open them, record the referral and the certification dates.
        "care.view_episode",
        "care.add_episode",
        "care.change_episode",
        "care.view_referralcontact",
        "care.add_referralcontact",
        "care.change_referralcontact",
    ),
    Role.THERAPIST: (
        "patients.view_patient",
        "intake.view_intake",
        "intake.view_intake_clinical",
        "intake.change_intake",
        "intake.acknowledge_redflagalert",
        "evaluations.view_evaluation",
        "evaluations.add_evaluation",
        "evaluations.change_evaluation",
        # Daily treatment notes: write, sign and add addenda to them.
        "evaluations.view_treatmentnote",
        "evaluations.add_treatmentnote",
        "evaluations.change_treatmentnote",
        "care.view_episode",
        "care.add_episode",
        "care.change_episode",
        "care.change_episode_clinical",
        "care.view_referralcontact",
        "care.add_referralcontact",
        "care.change_referralcontact",
        # Referral letters: write them from a signed evaluation, read them.
        "reports.add_referralletter",
        "reports.view_referralletter",
    ),
    Role.ADMINISTRATOR: (
        "patients.view_patient",
        "patients.add_patient",
        "patients.change_patient",
        "intake.view_intake",
        "intake.view_intake_clinical",
        "evaluations.view_evaluation",
        "evaluations.view_treatmentnote",
        "audit.view_auditevent",
        "accounts.manage_staff",
        "core.change_clinic",
        "reports.view_reportjob",
        "reports.run_export",
        "reports.view_referralletter",
        # The clinic's enrolled intake tablets: list, enrol and revoke.
        "intake.view_clinictablet",
        "intake.add_clinictablet",
        "intake.change_clinictablet",
        "care.view_episode",
        "care.view_referralcontact",
    ),
}

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.FRONT_DESK: "Registers patients and runs tablet intakes.",
    Role.THERAPIST: "Reads and corrects intakes, acknowledges red-flag alerts, and records, "
    "signs and amends evaluations and treatment notes.",
    Role.ADMINISTRATOR: "Manages staff, clinic settings and reports; reads the audit trail.",
}


def sync_role_groups(apps=None) -> None:
    """Create the role groups and set exactly their permissions. Idempotent."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            # An early migration runs before later models define their permissions; the
            # migration that adds them calls this again.
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


def roles_of(user) -> list[Role]:
    """The user's roles, cached on the user object for the request."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_roles_cache", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = [role for role in Role if role.value in names]
        user._roles_cache = cached
    return cached


def forget_cached_roles(user) -> None:
    """After a change of the user's groups: roles_of() reads them again."""
    user._roles_cache = None


def has_role(user, role: Role) -> bool:
    return role in roles_of(user)
