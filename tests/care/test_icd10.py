"""care.icd10: how codes are written and how a code file is read (pure, no database)."""

from pathlib import Path

import pytest

import care
from care.icd10 import Code, CodeFileError, normalise, parse_lines


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("M54.16", "M54.16"),
        ("m5416", "M54.16"),
        (" M54.17 ", "M54.17"),
        ("m 51 16", "M51.16"),
        ("M48062", "M48.062"),
        ("M48.062", "M48.062"),
        ("G57.0", "G57.0"),
        ("M1A.0", "M1A.0"),  # a letter in the category
        ("M54", "M54"),  # a category alone
        ("M54.", "M54"),
    ],
)
def test_it_writes_a_typed_code_with_its_dot_in_capitals(typed, written):
    assert normalise(typed) == written


@pytest.mark.parametrize(
    "typed", ["", "   ", "54.16", "MM4.16", "M54.16789", "M54-16", "sciatica", "M5", None]
)
def test_it_refuses_what_is_not_shaped_like_a_code(typed):
    assert normalise(typed) is None


def test_it_reads_a_cms_code_file_without_dots():
    lines = [
        "M5416   Radiculopathy, lumbar region\n",
        "M5417   Radiculopathy, lumbosacral region\r\n",
        "M48062  Spinal stenosis, lumbar region with neurogenic claudication\n",
    ]
    assert list(parse_lines(lines)) == [
        Code("M54.16", "Radiculopathy, lumbar region"),
        Code("M54.17", "Radiculopathy, lumbosacral region"),
        Code("M48.062", "Spinal stenosis, lumbar region with neurogenic claudication"),
    ]


def test_it_reads_a_tab_separated_file_skipping_comments_and_blank_lines():
    lines = [
        "# code<TAB>title\n",
        "\n",
        "M51.16\tIntervertebral disc disorders  with radiculopathy\n",
    ]
    assert list(parse_lines(lines)) == [
        Code("M51.16", "Intervertebral disc disorders with radiculopathy")
    ]


def test_the_shipped_subset_reads_cleanly_and_holds_the_sciatica_codes():
    subset = Path(care.__file__).parent / "data" / "icd10cm_lumbar_radicular.tsv"
    with subset.open(encoding="utf-8") as lines:
        codes = {c.code for c in parse_lines(lines)}
    assert {"M54.16", "M54.17", "M51.16", "M48.062"} <= codes


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["M54.16\tRadiculopathy\n", "5416 Not a code\n"],
            "line 2: '5416' is not an ICD-10-CM code",
        ),
        (["# header\n", "M54.16\n"], "line 2: M54.16 has no title"),
        ([f"M54.16\t{'x' * 300}\n"], "line 1: M54.16's title is over 255 characters"),
    ],
)
def test_a_bad_line_is_named_in_the_error(lines, message):
    with pytest.raises(CodeFileError, match=message):
        list(parse_lines(lines))
