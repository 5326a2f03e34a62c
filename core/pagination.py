from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def paginate(queryset: QuerySet, page_number, *, per_page: int | None = None) -> Page:
    """A page of results; out-of-range or junk page numbers give the nearest real page."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(page_number)
