"""Every response carries the security headers, and no template relies on what the CSP
forbids (inline script, inline event handlers, inline style, eval in htmx)."""

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.django_db
def test_pages_carry_a_strict_csp_and_the_framing_and_referrer_headers(therapist_client):
    for response in (
        Client().get(reverse("accounts:login")),
        therapist_client.get(reverse("core:home")),
    ):
        csp = _csp(response)
        assert csp["script-src"] == ["'self'"]
        assert csp["style-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_signed_in_pages_are_never_cached(therapist_client):
    response = therapist_client.get(reverse("core:home"))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_over_https_it_sends_hsts_and_secure_httponly_cookies(settings, therapist):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    page = client.get(reverse("accounts:login"), secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    client.force_login(therapist)
    session = client.cookies["sessionid"]
    response = client.get(reverse("core:home"), secure=True)
    session = response.cookies.get("sessionid") or session
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_htmx_is_configured_for_the_csp_and_keeps_no_history():
    base = (ROOT / "templates" / "base.html").read_text()
    config = json.loads(re.search(r'name="htmx-config" content=\'([^\']+)\'', base).group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    # No snapshots of patient pages in the tablet's localStorage.
    assert config["historyCacheSize"] == 0


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_uses_inline_script_handlers_or_styles(template):
    text = template.read_text()
    inline_scripts = [tag for tag in re.findall(r"<script\b[^>]*>", text) if "src=" not in tag]
    assert inline_scripts == [], "the CSP blocks inline <script>: move it to static/js"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handlers are blocked"
    assert not re.search(r"\shx-on[:-]", text), "hx-on handlers need eval, which is off"
    if "/pdf/" not in str(template):
        # PDFs are rendered by WeasyPrint, not a browser under the CSP.
        assert not re.search(r'\sstyle\s*=\s*"', text), "inline style attributes are blocked"
