import pytest
from django.contrib.auth.models import Group

from accounts.roles import ROLE_PERMISSIONS, Role, sync_role_groups

pytestmark = pytest.mark.django_db


def test_the_migration_creates_each_role_with_exactly_its_permissions():
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        got = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert got == set(perms)


def test_syncing_again_changes_nothing():
    before = {g.name: set(g.permissions.values_list("id", flat=True)) for g in Group.objects.all()}
    sync_role_groups()
    after = {g.name: set(g.permissions.values_list("id", flat=True)) for g in Group.objects.all()}
    assert before == after


def test_only_administrators_can_read_the_audit_trail():
    assert [r for r, perms in ROLE_PERMISSIONS.items() if "audit.view_auditevent" in perms] == [
        Role.ADMINISTRATOR
    ]
