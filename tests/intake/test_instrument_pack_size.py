"""The licensed instrument text loader refuses a file far larger than any pack, before
reading it, and says so."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intake.models import InstrumentPack
from tests.intake.answers import odi_pack_document

pytestmark = pytest.mark.django_db


def test_a_file_larger_than_the_upload_limit_is_refused_unread(tmp_path, settings, monkeypatch):
    settings.MAX_UPLOAD_BYTES = 64 * 1024
    document = odi_pack_document()
    document["title"] = "x" * (settings.MAX_UPLOAD_BYTES + 1)  # a valid pack, just huge
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(document))

    def never(self):
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", never)
    with pytest.raises(CommandError, match=r"is 6\d KB: an instrument pack is a small JSON file"):
        call_command("load_instrument_pack", str(path))
    assert not InstrumentPack.objects.exists()


def test_a_pack_within_the_limit_loads(tmp_path):
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(odi_pack_document()))
    call_command("load_instrument_pack", str(path))
    assert InstrumentPack.objects.get().instrument == "odi_v2_1a"
