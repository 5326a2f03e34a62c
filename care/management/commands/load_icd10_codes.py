"""Load the ICD-10-CM code list the clinic bills with.

    python manage.py load_icd10_codes icd10cm_codes_2025.txt --source "ICD-10-CM FY2025 (CMS)"

Reads CMS's code file ("M5416   Radiculopathy, lumbar region": code without its dot,
spaces, title) or a tab-separated file of code and title (as care/data ships). New codes
are added and changed titles updated; codes already recorded on episodes are never
removed. A file with a line that is not a code and title loads nothing, and the error
names the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from care import icd10
from care.services import diagnosis_codes_load


class Command(BaseCommand):
    help = "Load an ICD-10-CM code list (CMS code file or code<TAB>title) for diagnoses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--source",
            default="",
            help="Where the list comes from, kept with each code (default: the file's name).",
        )
        parser.add_argument(
            "--loaded-by", default="", help="Who is loading it, for the audit trail."
        )

    def handle(self, *args: Any, path: Path, source: str, loaded_by: str, **options: Any) -> None:
        source = source.strip() or f"ICD-10-CM code file {path.name}"
        try:
            with path.open(encoding="utf-8-sig") as lines:
                added, updated = diagnosis_codes_load(
                    codes=icd10.parse_lines(lines), source=source, loaded_by=loaded_by
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{path} is not a UTF-8 text file (byte {exc.start}): nothing was loaded."
            ) from exc
        except icd10.CodeFileError as exc:
            raise CommandError(f"{path}, {exc}: nothing was loaded.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded ICD-10-CM codes from {source}: {added} added, {updated} updated."
            )
        )
