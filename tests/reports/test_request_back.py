"""Asking for a document that cannot be made yet sends the browser back to the page it
came from, but only to a page of ours.

Found by tests/fuzz: the Referer header was handed to redirect(), so `Referer: 0` or
`javascript:alert(1)` answered 500 (taken for a view name) and `https://evil.example/`
sent the therapist off the site.
"""

import pytest
from django.urls import reverse

from tests.factories import EvaluationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_evaluation(therapist):
    return EvaluationFactory(therapist=therapist)  # nothing recorded: no document yet


def _ask(client, evaluation, referer):
    url = reverse("reports:request", args=["evaluation", evaluation.public_id])
    return client.post(url, HTTP_REFERER=referer)


def test_it_goes_back_to_the_page_of_ours_it_came_from(therapist_client, empty_evaluation):
    page = reverse("evaluations:detail", args=[empty_evaluation.public_id])
    response = _ask(therapist_client, empty_evaluation, f"http://testserver{page}?tab=pdf")
    assert response.status_code == 302 and response.url == f"{page}?tab=pdf"
    message = [str(m) for m in response.wsgi_request._messages]
    assert message == ["Nothing has been recorded in this evaluation yet."]


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/",
        "//evil.example/x",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "0",
        "core:home",
        "",
    ],
)
def test_a_referer_that_is_not_one_of_our_pages_goes_home(
    therapist_client, empty_evaluation, referer
):
    response = _ask(therapist_client, empty_evaluation, referer)
    assert response.status_code == 302
    assert response.url == reverse("core:home")
