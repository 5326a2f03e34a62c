"""Load a clinic's licensed questionnaire text (an instrument pack, JSON).

    python manage.py load_instrument_pack /secure/path/odi_v2_1a.en.json

The file stays outside the repository; its contents are stored in the database. Loading
a pack again for the same instrument and language replaces it.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.limits import human_size
from intake.instruments import PackError
from intake.services import instrument_pack_load


class Command(BaseCommand):
    help = "Load a licensed questionnaire text pack (JSON) for this clinic."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--loaded-by", default="", help="Who is loading it, for the audit trail."
        )

    def handle(self, *args, path: Path, loaded_by: str, **options):
        try:
            size = path.stat().st_size
            # A pack is a few kilobytes of JSON: anything near the upload limit is the
            # wrong file, and is not read into memory to find that out.
            if size > settings.MAX_UPLOAD_BYTES:
                raise CommandError(
                    f"{path} is {human_size(size)}: an instrument pack is a small JSON file "
                    f"(at most {human_size(settings.MAX_UPLOAD_BYTES)}). Is this the right file?"
                )
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            row = instrument_pack_load(raw=raw, loaded_by=loaded_by)
        except PackError as exc:
            raise CommandError(f"{path} is not a valid instrument pack: {exc}") from exc
        expiry = f", licence expires {row.expires_on}" if row.expires_on else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {row.instrument} {row.version} ({row.language}){expiry}. "
                f"SHA-256 {row.sha256[:12]}…"
            )
        )
