"""The shipped ICD-10-CM subset, so diagnoses can be recorded before a clinic loads its own
code file, and the roles' episode permissions (accounts.roles)."""

from pathlib import Path

from django.db import migrations
from django.utils import timezone

SUBSET = Path(__file__).resolve().parent.parent / "data" / "icd10cm_lumbar_radicular.tsv"
SOURCE = "ICD-10-CM FY2025 (NCHS/CMS), lumbar radicular subset shipped with the product"


def load_subset(apps, schema_editor):
    from care.icd10 import parse_lines

    DiagnosisCode = apps.get_model("care", "DiagnosisCode")
    have = set(DiagnosisCode.objects.values_list("code", flat=True))
    now = timezone.now()
    with SUBSET.open(encoding="utf-8") as lines:
        DiagnosisCode.objects.bulk_create(
            DiagnosisCode(code=c.code, title=c.title, source=SOURCE, loaded_at=now)
            for c in parse_lines(lines)
            if c.code not in have
        )


def sync_roles(apps, schema_editor):
    from accounts.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]

    operations = [
        migrations.RunPython(load_subset, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
