"""How the documents write dates and abbreviations (reports.docs.formatting): pure."""

import datetime

from django.utils import timezone

from reports.docs.formatting import dates_in_words, doc_date, doc_datetime, expand_abbreviations

NBSP = "\u00a0"


def test_dates_are_written_one_way_and_never_break():
    on = datetime.date(2026, 11, 3)
    assert doc_date(on) == f"3{NBSP}Nov{NBSP}2026"
    assert doc_date("2026-11-03") == doc_date(on)
    assert doc_date(None) == "" and doc_date("not a date") == "not a date"
    at = datetime.datetime(2026, 11, 3, 14, 5, tzinfo=datetime.UTC)
    with timezone.override("UTC"):
        assert doc_datetime(at) == f"3{NBSP}Nov{NBSP}2026 14:05 UTC"


def test_iso_dates_in_text_are_written_as_the_documents_write_dates():
    text = "Pain education: verbal, delivered on 2026-11-10; not 2026-13-45"
    assert dates_in_words(text) == (
        f"Pain education: verbal, delivered on 10{NBSP}Nov{NBSP}2026; not 2026-13-45"
    )


def test_an_abbreviation_is_written_out_at_first_use_only_in_the_text():
    html = (
        '<p class="EIL">Centralised with EIL.</p><svg><text>EIL</text></svg>'
        "<p>EIL again; UMN-BABINSKI is a code; minimal important change (MCID), MCID</p>"
    )
    assert expand_abbreviations(html) == (
        '<p class="EIL">Centralised with extension in lying (EIL).</p><svg><text>EIL</text>'
        "</svg><p>EIL again; UMN-BABINSKI is a code; minimal important change (MCID), MCID</p>"
    )
