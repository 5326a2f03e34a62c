"""Tags of the PDF templates (templates/reports/pdf/): dates in the documents' one format,
and abbreviations written out at first use (reports.docs.formatting)."""

from django import template
from django.utils.safestring import mark_safe

from reports.docs import formatting

register = template.Library()
register.filter("doc_date", formatting.doc_date)
register.filter("doc_datetime", formatting.doc_datetime)


class _ExpandAbbreviations(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context) -> str:
        # Rendered (and so escaped) first: only the text between tags changes, by our own
        # constant words.
        return mark_safe(formatting.expand_abbreviations(self.nodelist.render(context)))  # noqa: S308


@register.tag("expand_abbreviations")
def expand_abbreviations(parser, token) -> _ExpandAbbreviations:
    """{% expand_abbreviations %}...{% endexpand_abbreviations %}: the enclosed document
    text with each abbreviation written out where it is first used."""
    nodelist = parser.parse(("endexpand_abbreviations",))
    parser.delete_first_token()
    return _ExpandAbbreviations(nodelist)
