"""evaluations/forms.py writes its widgets' attributes itself, for speed: the HTML must be
exactly what Django's own flatatt writes, escaping included."""

from datetime import date

import pytest
from django.forms.utils import flatatt as django_flatatt
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from evaluations import forms as eval_forms

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
