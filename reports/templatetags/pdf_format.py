"""Tags of the PDF templates (templates/reports/pdf/): dates in the documents' one format,
and abbreviations written out at first use (reports.docs.formatting)."""

import re

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from reports.docs import formatting

register = template.Library()
register.filter("doc_date", formatting.doc_date)
register.filter("doc_datetime", formatting.doc_datetime)


class _ExpandAbbreviations(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context) -> str:
        # Rendered (and so escaped) first: only the text between tags changes, by our own
        # constant words. Those words are English: a document in another language (a
        # patient's handout) prints its text as it is.
        html = self.nodelist.render(context)
        if not formatting.in_english():
            return html
        return mark_safe(formatting.expand_abbreviations(html))  # noqa: S308


@register.tag("expand_abbreviations")
def expand_abbreviations(parser, token) -> _ExpandAbbreviations:
    """{% expand_abbreviations %}...{% endexpand_abbreviations %}: the enclosed document
    text with each abbreviation written out where it is first used."""
    nodelist = parser.parse(("endexpand_abbreviations",))
    parser.delete_first_token()
    return _ExpandAbbreviations(nodelist)


_PAGE_COUNTERS = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}


def _css_string(text: str) -> str:
    escaped = "".join(c if c.isalnum() or c in " .,:;-" else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


@register.simple_tag
def page_number_style() -> SafeString:
    """The page numbers of the footer ("Page 2 of 3", static/reports/print.css) in the
    language the document is rendered in, as a <style> in its head (WeasyPrint is given
    the print stylesheets as user stylesheets, which the document's own rules override);
    nothing in English, which the stylesheet prints already."""
    if formatting.in_english():
        return mark_safe("")
    words = gettext("Page %(page)s of %(pages)s")
    pieces = [p for p in re.split(r"(%\(pages?\)s)", words) if p]
    content = " ".join(_PAGE_COUNTERS.get(p) or _css_string(p) for p in pieces)
    # Every character of the translation outside letters and a few marks is a CSS escape.
    return mark_safe(f"<style>@page {{ @bottom-right {{ content: {content}; }} }}</style>")  # noqa: S308
