"""The Content-Security-Policy and Permissions-Policy hold in the browser (issue 10, item 5).

Every browser test's pages are watched (conftest): a CSP violation, or a page without both
headers, fails the test that opened it. The journeys and the accessibility tests cover the
site's pages; these tests add what they do not open (every admin page, the API docs, an error
page), show that the one powerful feature the pages use still works (geolocation), and show
that the watch itself catches a violation and a page without the headers.
"""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PageWatch
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VANCOUVER = {"latitude": 49.28273, "longitude": -123.12074}


def sign_in_to_admin(page: Page) -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.get_by_label(re.compile("mail", re.IGNORECASE)).fill(superuser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def hrefs(page: Page, selector: str) -> list[str]:
    return page.locator(selector).evaluate_all("(links) => links.map((link) => link.href)")


def test_every_admin_list_change_and_add_page_loads_under_the_policy(
    page: Page, vancouver_practitioners, verified_physician
):
    sign_in_to_admin(page)
    changelists = hrefs(page, "#content-main th[scope=row] a")
    add_pages = hrefs(page, "#content-main a.addlink")
    assert len(changelists) >= 8, changelists

    change_pages = []
    for changelist in changelists:
        page.goto(changelist)
        expect(page.locator("#changelist")).to_be_visible()
        change_pages += hrefs(page, "#result_list tbody tr:first-child th a")
    assert change_pages, "the data gives at least one list a row to open"
    for url in change_pages + add_pages:
        page.goto(url)
        expect(page.locator("#content-main form")).to_be_visible()


def test_api_docs_render_and_try_an_operation_under_the_policy(page: Page):
    page.goto("/api/docs/")
    title = page.get_by_role("heading", name=re.compile("IMS Practitioner Directory"))
    expect(title).to_be_visible()
    operation = page.locator("#operations-v1-conditions_list")
    operation.get_by_role("button", name=re.compile("conditions")).first.click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    # The request went out from the page (connect-src) and its answer is shown.
    expect(
        operation.locator(".live-responses-table tr.response .response-col_status")
    ).to_have_text("200")


def test_error_page_loads_under_the_policy(open_page):
    # Chromium logs every 4xx document as a console error; this one is the point of the test.
    page = open_page(tolerate=re.compile(r"Failed to load resource: .* 404 \(Not Found\) .*"))
    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_use_my_location_works_under_the_permissions_policy(page: Page, live_server):
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(VANCOUVER)
    page.goto("/")
    # The policy lets this site's pages ask for the position, and no page for the camera.
    assert page.evaluate("document.featurePolicy.allowsFeature('geolocation')") is True
    assert page.evaluate("document.featurePolicy.allowsFeature('camera')") is False

    page.get_by_role("button", name="Use my location").click()

    expect(page.locator("#location-status")).to_have_text(
        "Searching near your current location. Type a city to search there instead."
    )
    expect(page.locator("#id_lat")).to_have_value("49.283")
    expect(page.locator("#id_lng")).to_have_value("-123.121")


@pytest.fixture
def own_watch(browser: Browser, live_server) -> Callable[[], tuple[Page, PageWatch]]:
    """A page with a watch of its own, outside the conftest's verdict, to test the watch."""
    contexts = []

    def _open() -> tuple[Page, PageWatch]:
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        watch = PageWatch(origin=live_server.url)
        watch.watch(context)
        return context.new_page(), watch

    yield _open
    for context in contexts:
        context.close()


def test_the_watch_reports_an_inline_script_the_policy_refused(own_watch):
    page, watch = own_watch()
    page.goto("/")
    ran = page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener(
                "securitypolicyviolation", () => resolve(window.inlineRan === true), {once: true}
            );
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
        })"""
    )

    assert ran is False
    page.evaluate("() => null")  # the binding's call arrives before this answer
    (violation,) = watch.csp_violations
    expected = rf"script-src-elem refused inline on {re.escape(page.url)} \(.+\)"
    assert re.fullmatch(expected, violation), violation
    # Chromium logs it as a console error too; the event is what names the directive.
    assert f"CSP violation: {violation}" in watch.problems()


def test_the_watch_reports_a_page_without_security_headers(own_watch, live_server):
    page, watch = own_watch()
    page.route(
        f"{live_server.url}/bare/",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>bare</p>"),
    )
    page.goto("/bare/")

    assert watch.unprotected_pages == [
        f"{live_server.url}/bare/ lacks content-security-policy, permissions-policy"
    ]


def test_the_watch_reports_a_permissions_policy_the_browser_cannot_read(own_watch, live_server):
    page, watch = own_watch()
    headers = {"Content-Security-Policy": "default-src 'none'", "Permissions-Policy": "vr=()"}
    page.route(
        f"{live_server.url}/odd-policy/",
        lambda route: route.fulfill(status=200, headers=headers, body="<p>odd</p>"),
    )
    page.goto("/odd-policy/")
    page.evaluate("() => null")

    # Chromium names no source for it: the header is the whole context.
    assert watch.console_errors == [
        "Error with Permissions-Policy header: Unrecognized feature: 'vr'. (at )"
    ]
