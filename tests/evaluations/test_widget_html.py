"""evaluations/forms.py writes its widgets' attributes itself, for speed: the HTML must be
exactly what Django's own flatatt writes, escaping included."""

from datetime import date
from html.parser import HTMLParser

import pytest
from django import forms
from django.forms.utils import flatatt as django_flatatt
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from evaluations import forms as eval_forms
from evaluations.templatetags import eval_tags

ATTRIBUTE_SETS = [
    {},
    {"name": "leg_now", "id": "id_leg_now", "class": "form-select"},
    {"type": "number", "min": 0, "max": 50, "value": 0, "required": True, "disabled": False},
    {"aria-label": 'Pain "now" <b> & later', "data-x": "it's", "title": None},
    {"checked": True, "autofocus": True, "name": "i_hep", "type": "checkbox"},
    {"aria-label": lazy(lambda: "Lazy <label>", str)(), "placeholder": mark_safe("&amp;")},
]


@pytest.mark.parametrize("attrs", ATTRIBUTE_SETS)
def test_it_writes_the_same_attributes_as_django(attrs):
    assert eval_forms.flatatt(attrs) == django_flatatt(attrs)


def test_it_escapes_markup_and_quotes_in_values():
    written = eval_forms.flatatt({"aria-label": 'Say "hi" <b> & more'})
    assert written == ' aria-label="Say &quot;hi&quot; &lt;b&gt; &amp; more"'


@pytest.mark.parametrize("key", list(eval_forms.SECTIONS))
def test_every_section_widget_renders_as_with_djangos_flatatt(key, monkeypatch):
    ctx = eval_forms.SectionContext(
        kind="initial",
        today=date(2026, 11, 21),
        date_of_birth=date(1970, 3, 5),
        psfs_activities=[{"id": "a1", "activity": "Walking <the> dog"}],
    )
    ours = widgets_html(eval_forms.build(key, ctx))
    monkeypatch.setattr(eval_forms, "flatatt", django_flatatt)
    theirs = widgets_html(eval_forms.build(key, ctx))
    assert ours == theirs
    assert len(ours) > 0


def widgets_html(section) -> list[str]:
    # Grid sections (movements, neurodynamic tests) are a form per row.
    forms = getattr(section, "rows", None) or [section]
    return [str(form[name]) for form in forms for name in form.fields]


def test_forms_built_from_one_section_do_not_share_widget_attributes_or_messages():
    ctx = eval_forms.SectionContext(kind="initial", today=date(2026, 11, 21))
    first = eval_forms.build("classification", ctx)
    second = eval_forms.build("classification", ctx)
    first.fields["side"].widget.attrs["class"] = "changed"
    first.fields["side"].error_messages["required"] = "Changed."
    assert second.fields["side"].widget.attrs["class"] == "form-select"
    assert second.fields["side"].error_messages["required"] == "Choose one."
    assert first.fields["side"].widget is not second.fields["side"].widget
    assert first.fields["side"].choices == second.fields["side"].choices


@pytest.mark.parametrize("key", list(eval_forms.SECTIONS))
def test_every_section_renders_and_validates_as_with_djangos_field_copies(key, monkeypatch):
    ctx = eval_forms.SectionContext(kind="initial", today=date(2026, 11, 21))
    data = {"side": "LEFT", "category": "not-a-category", "leg_now": "7", "back_now": "11"}
    ours = eval_forms.build(key, ctx, data=data)
    ours_valid = ours.is_valid()
    monkeypatch.delattr(eval_forms.SharedChoicesMixin, "__deepcopy__")
    theirs = eval_forms.build(key, ctx, data=data)
    assert widgets_html(ours) == widgets_html(theirs)
    assert ours_valid == theirs.is_valid()
    assert errors(ours) == errors(theirs)


def errors(section) -> list:
    return [form.errors for form in getattr(section, "rows", None) or [section]]


class _Elements(HTMLParser):
    """Tags with their attributes as sets (order aside), and the text between them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items = []

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, frozenset(attrs)))

    def handle_endtag(self, tag):
        self.items.append(("/" + tag,))

    def handle_data(self, data):
        self.items.append(("text", data))


def elements(markup: str) -> list:
    parser = _Elements()
    parser.feed(str(markup))
    return parser.items


@pytest.mark.parametrize("value", [None, "", "Plain", 'A <b>"quoted"</b> & note', "\nstarts"])
def test_its_text_areas_are_djangos_text_areas(value):
    ours = eval_forms.FastTextarea(attrs={"rows": 2, "class": "form-control", "aria-label": "N"})
    theirs = forms.Textarea(attrs={"rows": 2, "class": "form-control", "aria-label": "N"})
    attrs = {"id": "id_notes"}
    assert elements(ours.render("notes", value, attrs)) == elements(
        theirs.render("notes", value, attrs)
    )


def djangos_checks(field) -> list:
    """What the `checks` tag wrote when it went through Django's subwidgets."""
    return [
        (sub.data["name"], str(sub.data["value"]), sub.id_for_label, sub.data["selected"])
        for sub in field.subwidgets
    ]


def checks_written(field) -> list:
    written = elements(eval_tags.checks(field))
    inputs = [dict(item[1]) for item in written if item[0] == "input"]
    return [(i["name"], i["value"], i["id"], "checked" in i) for i in inputs]


@pytest.mark.parametrize(
    "data", [None, {"suspected_levels": ["L5", "S1"]}, {"suspected_levels": "L4"}, {}]
)
def test_its_toggle_buttons_match_djangos_check_boxes(data):
    ctx = eval_forms.SectionContext(kind="initial", today=date(2026, 11, 21))
    form = eval_forms.build("classification", ctx, data=data)
    field = form["suspected_levels"]
    assert checks_written(field) == djangos_checks(field)
    assert len(checks_written(field)) == len(field.field.choices)


def test_its_toggle_buttons_show_stored_choices_and_escape_labels():
    ctx = eval_forms.SectionContext(kind="initial", today=date(2026, 11, 21))
    form = eval_forms.build("classification", ctx, stored={"suspected_levels": ["S1"]})
    field = form["suspected_levels"]
    field.field.choices = [*field.field.choices, ("X<1>", 'Odd <b>"label"</b>')]
    assert checks_written(field) == djangos_checks(field)
    assert "&lt;b&gt;" in str(eval_tags.checks(field))
    s1 = [value for value, _ in field.field.choices].index("S1")
    assert [c for c in checks_written(field) if c[3]] == [
        # Ids carry the section: the page holds six sections' forms.
        ("suspected_levels", "S1", f"id_classification-suspected_levels_{s1}", True)
    ]


def test_forms_copy_the_neuro_grid_and_plan_catalog_fields_rather_than_share_them():
    ctx = eval_forms.SectionContext(kind="initial", today=date(2026, 11, 21))
    myotome = next(n for n in eval_forms.NeuroForm.grid_fields if n.startswith("myo_"))
    for key, name in (("neuro", myotome), ("plan", "goal_1_measure")):
        first, second = eval_forms.build(key, ctx), eval_forms.build(key, ctx)
        assert first.fields[name] is not second.fields[name]
        first.fields[name].widget.attrs["class"] = "changed"
        first.fields[name].error_messages["invalid_choice"] = "Changed."
        assert second.fields[name].widget.attrs["class"] == "form-select"
        assert second.fields[name].error_messages["invalid_choice"] == "Choose one of the list."
