"""manage.py load_icd10_codes: a clinic's code list, in CMS's format or tab-separated."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from care.models import DiagnosisCode

pytestmark = pytest.mark.django_db

CMS_FILE = (
    "M5416   Radiculopathy, lumbar region\n"
    "M5417   Radiculopathy, lumbosacral region\n"
    "M48062  Spinal stenosis, lumbar region with neurogenic claudication\n"
    "S3410XA Unspecified injury to lumbar spinal cord, initial encounter\n"
)


def _load(path, *args):
    out = StringIO()
    call_command("load_icd10_codes", str(path), *args, stdout=out)
    return out.getvalue()


def test_it_loads_a_cms_code_file_adding_new_codes_and_counting(tmp_path):
    path = tmp_path / "icd10cm_codes_2026.txt"
    path.write_text(CMS_FILE, encoding="utf-8")
    before = DiagnosisCode.objects.count()
    out = _load(path, "--source", "ICD-10-CM FY2026 (CMS)")
    assert "1 added, 0 updated" in out  # the other three ship with the product
    row = DiagnosisCode.objects.get(code="S34.10XA")
    assert row.source == "ICD-10-CM FY2026 (CMS)"
    assert DiagnosisCode.objects.count() == before + 1
    assert AuditEvent.objects.filter(summary__contains="FY2026").exists()
    # Loading it again changes nothing.
    assert "0 added, 0 updated" in _load(path)


def test_it_loads_a_tab_separated_file_and_updates_changed_titles(tmp_path):
    path = tmp_path / "codes.tsv"
    path.write_text(
        "\ufeff# code<TAB>title\n"  # a byte-order mark, as spreadsheets write
        "M54.16\tRadiculopathy, lumbar region (revised)\n"
        "M79.604\tPain in right leg\n",
        encoding="utf-8",
    )
    out = _load(path)
    assert "1 added, 1 updated" in out
    row = DiagnosisCode.objects.get(code="M54.16")
    assert row.title == "Radiculopathy, lumbar region (revised)"
    assert row.source == "ICD-10-CM code file codes.tsv"


def test_a_bad_line_loads_nothing_and_is_named(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("Z0000   Encounter for general adult medical examination\nnot a code line\n")
    before = DiagnosisCode.objects.count()
    with pytest.raises(CommandError, match=r"line 2: 'not' is not an ICD-10-CM code"):
        _load(path)
    assert DiagnosisCode.objects.count() == before


@pytest.mark.parametrize("content", [None, b"M5416   Radiculopathy \xff\xfe lumbar\n"])
def test_a_missing_or_unreadable_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "codes.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=r"nothing was loaded|Cannot read"):
        _load(path)
