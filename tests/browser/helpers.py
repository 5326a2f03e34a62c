"""Shared steps and checks for the browser tests."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD, confirmed_totp_device, totp_code

AXE_JS = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")

# Interactive elements a finger must hit, in the visible page.
TOUCH_TARGETS_JS = """
() => [...document.querySelectorAll(
    'button, .btn, select, textarea, .nav-link, .page-link, .list-group-item-action, ' +
    'input:not([type=hidden]):not([type=checkbox]):not([type=radio])')]
  .filter(el => el.offsetParent !== null)
  .map(el => ({tag: el.tagName, text: (el.innerText || el.name || el.id || '').trim().slice(0, 40),
               h: el.getBoundingClientRect().height}))
  .filter(t => t.h < 44)
"""

UNLABELLED_JS = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)
"""


def sign_in(page: Page, live_server, username: str) -> None:
    """The real sign-in: the password, then, for a role that needs it, the 6-digit code
    the person's authenticator app would show (an app is set up for them if they have
    none, as if they had enrolled before)."""
    from accounts import mfa
    from accounts.models import User

    user = User.objects.get(username=username)
    device = confirmed_totp_device(user) if mfa.required_for(user) else None
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        expect(page.get_by_role("heading", name="Two-factor check")).to_be_visible()
        page.get_by_label("Code from your authenticator app").fill(totp_code(device))
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(f"{live_server.url}/")


def open_menu_item(page: Page, name: str) -> None:
    """Follow a main-menu link, opening the collapsed menu first on a narrow screen."""
    toggler = page.get_by_role("button", name="Show menu")
    if toggler.is_visible():
        toggler.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def check_tablet_rules(page: Page) -> None:
    # Measure the page as the patient sees it: after its stylesheets have loaded.
    page.wait_for_load_state("load")
    small = page.evaluate(TOUCH_TARGETS_JS)
    assert small == [], small
    unlabelled = page.evaluate(UNLABELLED_JS)
    assert unlabelled == [], unlabelled
    # Nothing wider than the screen: no sideways scrolling on a tablet.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def axe_violations(page: Page, impacts=("critical", "serious")) -> list[dict]:
    """Run axe-core (vendored from npm) on the page; the serious and critical findings.
    Evaluated through the DevTools protocol, so the page's CSP need not allow it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS)
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' ' +
                    n.html.slice(0, 120) + ' ' + (n.any[0] ? n.any[0].message : ''))}));
        }"""
    )
    remove_tool_styles(page)
    return [v for v in found if v["impact"] in impacts]


def remove_tool_styles(page: Page) -> None:
    """axe and Playwright's full-page screenshots leave empty style="" attributes on the
    elements they touched; htmx copies them onto swapped content, which the page's CSP
    (rightly) refuses. Remove them so a later swap in the same page is tested as users
    see it."""
    page.evaluate(
        "() => document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))"
    )
