"""scripts/check_translations.py (`scripts/messages.sh check`, issue 19): the project's
patient side is fully marked and translated, and the checker catches what it looks for
(unmarked text and attributes in a patient template, a catalogue behind the code, a
patient entry untranslated or fuzzy) on small templates and catalogues of its own, while
leaving alone what is not text and what only staff read."""

import importlib.util
import shutil
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from tests.worker import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "check_translations.py"


def _load_checker():
    spec = importlib.util.spec_from_file_location("check_translations", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


check = _load_checker()


def literals(template: str, hidden_blocks=()) -> list[tuple[int, str, str]]:
    return [
        (found.line, found.where, found.text)
        for found in check.untranslated_literals(dedent(template), hidden_blocks)
    ]


# --- The project itself ------------------------------------------------------------------


def test_the_project_passes_the_translation_check():
    if not (shutil.which("xgettext") and shutil.which("msgfmt")):
        skip_or_fail("gettext is not installed (scripts/bootstrap.sh installs it)")
    assert check.check_templates() == []
    for language in check.patient_languages():
        problems, _information = check.check_language(language)
        assert problems == []


def test_every_listed_patient_facing_source_exists():
    """A renamed file would silently drop out of the check."""
    for source in check.PATIENT_FACING_SOURCES:
        if source.endswith("/"):
            assert (ROOT / source).is_dir(), source
        else:
            assert list(ROOT.glob(source)), source


def test_the_patient_templates_are_found_and_staff_templates_are_not():
    templates = {path.relative_to(ROOT).as_posix() for path in check.patient_templates()}
    assert "templates/intake/kiosk/base.html" in templates
    assert "templates/reports/pdf/handout.html" in templates
    assert "templates/errors/404.html" in templates
    assert not any(path.startswith("templates/care/") for path in templates)


# --- Check 1: unmarked text in a patient template ----------------------------------------


def test_text_outside_translate_is_reported_with_its_line():
    found = literals(
        """\
        {% load i18n %}
        <h1>{% translate "Where does it hurt?" %}</h1>
        <p class="lead">
          Tap every place you feel it.
        </p>
        """
    )
    assert found == [(4, "text", "Tap every place you feel it.")]


def test_text_mixed_with_a_variable_is_reported():
    found = literals("<p>Step {{ step.number }} of {{ steps|length }}</p>")
    assert found == [(1, "text", "Step … of …")]


def test_unmarked_title_attribute_is_reported():
    found = literals(
        """\
        {% load i18n %}
        <a href="/x" title="{% translate 'Close' %}">{% translate "Close" %}</a>
        <button type="button"
                title="Close this window">&times;</button>
        """
    )
    assert found == [(4, "attribute title", "Close this window")]


@pytest.mark.parametrize(
    "template",
    [
        '<input name="q" placeholder="Type here">',
        '<img src="/a.png" alt="Front of the body">',
        '<section aria-label="Activity {{ n }}"></section>',
        '<input type="submit" value="Send">',
    ],
)
def test_other_unmarked_visible_attributes_are_reported(template):
    assert [where for _line, where, _text in literals(template)] != []


def test_a_literal_that_a_filter_shows_is_reported():
    found = literals(
        '<span>{{ clinic.name|default:"Clinic" }}{{ x|default:_("Clinic") }}</span>\n'
        '<html lang="{{ LANGUAGE_CODE|default:"en" }}">{{ ok|yesno:"yes,no" }}'
    )
    assert found == [(1, "filter literal", '"Clinic"'), (2, "filter literal", '"yes,no"')]


def test_translated_text_code_and_symbols_are_not_reported():
    found = literals(
        """\
        {% load i18n %}
        {% comment %}Notes for developers: not shown.{% endcomment %}
        {# a template comment #}
        <!-- an HTML comment -->
        <style>.kiosk { color: red; }</style>
        <script>document.title = "Not checked here";</script>
        <div class="card {% if active %}active{% endif %}" data-testid="pain-score" id="q1">
          <p>{% blocktranslate trimmed with name=patient.name %}
            Hello {{ name }}, thank you for coming.
          {% endblocktranslate %}</p>
          <span>&nbsp;&times; 0&ndash;10 &middot; 42 %</span>
          <button type="submit" name="action" value="next">{% translate "Next" %}</button>
          {{ field.label }}
        </div>
        """
    )
    assert found == []


def test_opt_out_comment_excuses_only_its_line():
    found = literals(
        """\
        <p>Stratford P, Gill C. 1995;47:258-263.</p>{# i18n: not text #}
        <p>Not excused</p>
        """
    )
    assert found == [(2, "text", "Not excused")]


def test_only_blocks_are_output_in_a_template_that_extends_another():
    found = literals(
        """\
        {% extends "base.html" %}
        Ignored by Django: outside any block.
        {% block content %}<p>Shown</p>{% endblock %}
        """
    )
    assert found == [(3, "text", "Shown")]


def test_a_block_the_parent_puts_in_a_class_attribute_is_not_text(tmp_path):
    templates = tmp_path / "templates"
    (templates / "kiosk").mkdir(parents=True)
    (templates / "base.html").write_text(
        "<title>{% block title %}{% endblock %}</title>\n"
        '<body class="{% block body_class %}{% endblock %}">{% block content %}{% endblock %}'
    )
    (templates / "kiosk" / "page.html").write_text(
        '{% extends "base.html" %}\n'
        "{% block title %}Welcome{% endblock %}\n"
        "{% block body_class %}kiosk{% endblock %}\n"
    )
    (templates / "staff.html").write_text("<p>Staff text stays English</p>")

    problems = check.check_templates(tmp_path, sources=("templates/kiosk/",))

    assert problems == ["templates/kiosk/page.html:2: untranslated text: 'Welcome'"]


# --- Checks 2 and 3: the catalogue ---------------------------------------------------


CATALOGUE = r"""# Spanish.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: templates/intake/kiosk/steps/pain.html intake/questions.py
msgid "How bad is your pain?"
msgstr "¿Qué tan fuerte es su dolor?"

#: templates/intake/kiosk/steps/where.html
msgid "Where does it hurt?"
msgstr ""

#. Translators: safety wording.
#: intake/questions.py
#, fuzzy, python-format
#| msgid "Can you pass urine?"
msgid ""
"Have you had new trouble "
"passing urine?"
msgstr "¿Ha tenido problemas nuevos para orinar?"

#: templates/care/contact_list.html evaluations/forms.py
msgid "Contacts"
msgstr ""

#: intake/questionnaires/odi.py
msgctxt "pain intensity"
msgid "None"
msgstr "Ninguno"

#: intake/summary.py
#, python-format
msgid "%(count)s answer"
msgid_plural "%(count)s answers"
msgstr[0] "%(count)s respuesta"
msgstr[1] ""

#~ msgid "An old string"
#~ msgstr ""
"""


def test_po_reader_reads_contexts_plurals_flags_and_wrapped_strings():
    entries = check.parse_po(CATALOGUE)

    assert entries[0].is_header
    by_id = {entry.msgid: entry for entry in entries}
    urine = by_id["Have you had new trouble passing urine?"]
    assert urine.fuzzy and "python-format" in urine.flags
    assert urine.references == ["intake/questions.py"]
    assert urine.line == 15
    assert by_id["None"].key == ("pain intensity", "None")
    plural = by_id["%(count)s answer"]
    assert plural.msgid_plural == "%(count)s answers"
    assert plural.msgstr == {0: "%(count)s respuesta", 1: ""}
    assert not plural.translated
    assert by_id["How bad is your pain?"].references == [
        "templates/intake/kiosk/steps/pain.html",
        "intake/questions.py",
    ]
    assert "An old string" not in by_id


def test_untranslated_and_fuzzy_patient_entries_fail():
    report = check.check_patient_entries(check.parse_po(CATALOGUE))

    assert len(report.problems) == 3
    untranslated, fuzzy, plural = report.problems
    assert "untranslated: 'Where does it hurt?'" in untranslated
    assert untranslated.startswith("django.po:11:")
    assert "fuzzy" in fuzzy and "passing urine" in fuzzy
    assert "untranslated: '%(count)s answer'" in plural


def test_an_untranslated_entry_only_staff_pages_use_is_counted_not_failed():
    report = check.check_patient_entries(check.parse_po(CATALOGUE))

    assert not any("Contacts" in problem for problem in report.problems)
    assert report.staff_only_untranslated == 1


def test_an_entry_the_code_now_shows_a_patient_counts_though_the_catalogue_says_staff():
    committed = check.parse_po(CATALOGUE)
    code = check.parse_po(
        '#: templates/care/contact_list.html templates/intake/kiosk/done.html\nmsgid "Contacts"\n'
        'msgstr ""\n'
    )

    report = check.check_patient_entries(committed, code)

    assert any("'Contacts'" in problem for problem in report.problems)
    assert report.staff_only_untranslated == 0


def test_a_catalogue_behind_the_code_is_reported_by_context_and_msgid():
    committed = check.parse_po(CATALOGUE)
    code = check.parse_po(
        dedent(
            """\
            #: intake/questions.py
            msgid "How bad is your pain?"
            msgstr ""

            #: intake/questionnaires/odi.py
            msgctxt "sleep"
            msgid "None"
            msgstr ""

            #: intake/steps.py
            msgid "Your health"
            msgstr ""
            """
        )
    )

    missing = check.missing_from_catalogue(committed, code)

    assert [entry.key for entry in missing] == [("sleep", "None"), (None, "Your health")]


def test_a_translation_that_breaks_a_placeholder_does_not_compile(tmp_path):
    if shutil.which("msgfmt") is None:
        skip_or_fail("gettext is not installed (scripts/bootstrap.sh installs it)")
    po = tmp_path / "django.po"
    po.write_text(
        CATALOGUE.split("#: templates/intake/kiosk/steps/pain.html")[0]
        + '#: intake/summary.py\n#, python-format\nmsgid "Hello %(name)s"\n'
        'msgstr "Hola %(nombre)s"\n',
        encoding="utf-8",
    )

    errors = check.compile_errors(po)
    assert len(errors) == 1 and "'name'" in errors[0]
    po.write_text(CATALOGUE.replace('msgstr[1] ""', 'msgstr[1] "%(count)s respuestas"'))
    assert check.compile_errors(po) == []


def test_a_missing_catalogue_is_reported(tmp_path):
    problems, _information = check.check_language("xx", tmp_path)

    assert problems == [
        "locale/xx/LC_MESSAGES/django.po is missing: run scripts/messages.sh update xx"
    ]
