"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

One browser per pytest process (each xdist worker has its own) and a fresh browser context
per page a test opens, so tests share no cookies. Every context is watched: a console
error, an uncaught page error, a 5xx response or a request to any host other than the live
server fails the test that caused it (SPEC §6: pages load no asset from another host), and
so does a Content-Security-Policy violation (the `securitypolicyviolation` event, reported
whether or not the browser also logs it) or a page that arrives without its CSP and
Permissions-Policy headers (issue 10: every page, the admin and the API docs send both).

Chromium is Debian's (`apt-get install chromium`), never a `playwright install` download.
"""

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from directory.models import (
    Condition,
    PhysicianProfile,
    PractitionerProfile,
    Profession,
    ReferralOutcome,
    Role,
)
from directory.services.invitations import invitation_issue
from directory.services.referrals import referral_accept, referral_complete, referral_create
from directory.services.reviews import review_submit
from tests.factories import (
    PASSWORD,
    CredentialFactory,
    ExperienceFactory,
    LocationFactory,
    PhysicianFactory,
    UserFactory,
    qualified_practitioner,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
SCREENSHOT_WIDTHS = (1280, 390)
VIEWPORT = {"width": 1280, "height": 900}
# Long enough for a loaded two-worker run, short enough that a missing element fails fast.
TIMEOUT_MS = 10_000
# URLs that never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about"}
# Headers every page (every document response from the live server) carries.
PAGE_SECURITY_HEADERS = ("content-security-policy", "permissions-policy")
PERMISSIONS_POLICY_ERROR = "Error with Permissions-Policy header"
# Runs in every page before its own scripts: hands each CSP violation to the test process.
# Playwright adds it outside the page's policy, so the policy cannot block the reporter.
CSP_VIOLATION_BINDING = "__reportCspViolation"
CSP_VIOLATION_LISTENER = f"""
document.addEventListener("securitypolicyviolation", (event) => {{
  window.{CSP_VIOLATION_BINDING}(
    `${{event.effectiveDirective}} refused ${{event.blockedURI}}`
    + ` on ${{event.documentURI}} (${{event.sourceFile || "the page"}}:${{event.lineNumber}})`
  );
}});
"""

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session", autouse=True)
def _city_index_loaded() -> None:
    """The offline city index loads once per process, in seconds on a busy machine: load it
    before any test, not inside the first search click's timeout."""
    from directory.gazetteer import resolve_city

    resolve_city("Vancouver", "CA")


@pytest.fixture(scope="session", autouse=True)
def _chromium_present() -> None:
    """Skips the browser tests where Chromium is missing, except in CI, which fails instead
    so that it never passes by silently skipping them."""
    if CHROMIUM.exists():
        return
    reason = (
        f"Browser tests need Debian's Chromium at {CHROMIUM}: apt-get install -y chromium "
        "(.ci/run installs it)."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} CI=true, so this fails instead of skipping.", pytrace=False)
    pytest.skip(reason)


# Where Django's test database creation keeps the data serialized_rollback restores.
SERIALIZED = "_test_serialized_contents"


class BrowserSession:
    """Playwright and one Chromium for a run of browser tests in this process (each xdist
    worker has its own), started by the first and stopped after the last.

    While Playwright's sync API is started, it keeps an asyncio event loop running in the
    main thread, which changes two things for Django in that thread:

    - Its async-safety check refuses every ORM call the tests make (factories,
      assertions). Only this thread talks to the ORM while the loop idles (the live
      server's threads have their own connections), so the check's concern cannot arise:
      DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly that span and restored afterwards, so
      that later tests, and the processes they start (`manage.py check --deploy` refuses
      the variable), never see it.
    - `django.db.connections` hands out another set of connection objects (asgiref's
      Local keeps them apart while a loop runs). Those lack the data serialized when the
      test database was created, which `serialized_rollback` restores before each test
      (the conditions seeded by migration 0002): it is carried over to them. They are
      closed before the loop stops, so that nothing holds the test database open when
      pytest-django drops it.
    """

    ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

    def __init__(self) -> None:
        self._driver: Playwright | None = None
        self._browser: Browser | None = None
        self._saved_env: str | None = None

    def browser(self) -> Browser:
        if self._browser is None:
            serialized = {
                alias: getattr(connections[alias], SERIALIZED, None) for alias in connections
            }
            self._saved_env = os.environ.get(self.ASYNC_UNSAFE)
            os.environ[self.ASYNC_UNSAFE] = "true"
            self._driver = sync_playwright().start()
            for alias, contents in serialized.items():
                if contents is not None:
                    setattr(connections[alias], SERIALIZED, contents)
            self._browser = self._driver.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
        return self._browser

    def stop(self) -> None:
        if self._driver is None:
            return
        try:
            connections.close_all()
            if self._browser is not None:
                self._browser.close()
            self._driver.stop()
        finally:
            self._driver = self._browser = None
            if self._saved_env is None:
                os.environ.pop(self.ASYNC_UNSAFE, None)
            else:
                os.environ[self.ASYNC_UNSAFE] = self._saved_env


BROWSER_SESSION = BrowserSession()
BROWSER_TESTS = Path(__file__).resolve().parent


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    # pytest-django runs transactional tests (these) after the others, and xdist hands each
    # worker its tests in that order, so a worker's browser tests come in one run: stop the
    # browser once the next test is not one of them (after this test's contexts closed).
    try:
        return (yield)
    finally:
        if nextitem is None or BROWSER_TESTS not in nextitem.path.parents:
            BROWSER_SESSION.stop()


def pytest_sessionfinish() -> None:
    BROWSER_SESSION.stop()  # after an interrupted run


@pytest.fixture
def browser(_chromium_present: None) -> Browser:
    return BROWSER_SESSION.browser()


# --- Watching what the pages do --------------------------------------------------------------


@dataclass
class PageWatch:
    """What one browser context did that a clean page never does."""

    origin: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    unprotected_pages: list[str] = field(default_factory=list)
    # Console errors a test knowingly accepts (a known page bug, reported), matched in full.
    tolerated: re.Pattern | None = None
    reported: int = 0

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            return True
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def problems(self) -> list[str]:
        foreign = [url for url in self.requests if not self.is_local(url)]
        return [
            *(f"request to another host: {url}" for url in foreign),
            *(f"console error: {text}" for text in self.console_errors),
            *(f"page error: {text}" for text in self.page_errors),
            *(f"server error: {text}" for text in self.server_errors),
            *(f"CSP violation: {text}" for text in self.csp_violations),
            *(f"page without security headers: {text}" for text in self.unprotected_pages),
        ]

    def watch(self, context: BrowserContext) -> None:
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("response", self._on_response)
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))
        context.expose_binding(
            CSP_VIOLATION_BINDING, lambda _source, text: self.csp_violations.append(text)
        )
        context.add_init_script(CSP_VIOLATION_LISTENER)

    def _on_response(self, response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")
        if response.request.resource_type == "document" and self.is_local(response.url):
            missing = [name for name in PAGE_SECURITY_HEADERS if name not in response.headers]
            if missing:
                self.unprotected_pages.append(f"{response.url} lacks {', '.join(missing)}")

    def _on_console(self, message) -> None:
        # Chromium only warns about a Permissions-Policy it cannot parse (an unknown feature):
        # that policy is then not what the settings say, so it counts as an error.
        policy_error = message.text.startswith(PERMISSIONS_POLICY_ERROR)
        if message.type != "error" and not policy_error:
            return
        text = f"{message.text} (at {message.location.get('url')})"
        if self.tolerated is None or not self.tolerated.fullmatch(text):
            self.console_errors.append(text)


def _unreported_problems(watches: list[PageWatch]) -> list[str]:
    problems = []
    for watch in watches:
        found = watch.problems()
        problems += found[watch.reported :]
        watch.reported = len(found)
    return problems


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    # What the pages did is part of the verdict: the test itself fails (not merely its
    # teardown) on a console error or a request to another host.
    try:
        result = yield
    except BaseException:
        # Already failing: the pages' problems may explain why, so show them with it.
        problems = _unreported_problems(getattr(item, "browser_watches", []))
        if problems:
            item.add_report_section("call", "browser", "\n".join(problems))
        raise
    problems = _unreported_problems(getattr(item, "browser_watches", []))
    assert not problems, "The pages were not clean:\n" + "\n".join(problems)
    return result


@pytest.fixture
def open_page(browser: Browser, live_server, request) -> Iterator[Callable[..., Page]]:
    """Opens a page in a new browser context (its own cookies: one signed-in user each).
    `tolerate` is a pattern of console errors to accept: only for a known, reported bug."""
    contexts: list[BrowserContext] = []
    watches: list[PageWatch] = []
    request.node.browser_watches = watches

    def _open(*, tolerate: re.Pattern | None = None) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORT,
            locale="en-CA",
            timezone_id="America/Vancouver",
        )
        context.set_default_timeout(TIMEOUT_MS)
        watch = PageWatch(origin=live_server.url, tolerated=tolerate)
        watch.watch(context)
        contexts.append(context)
        watches.append(watch)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()
    # Anything that arrived after the test body's check (a late request) still fails it.
    late = _unreported_problems(watches)
    assert not late, "The pages were not clean after the test:\n" + "\n".join(late)


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    return open_page()


# --- Helpers the journeys share --------------------------------------------------------------


@pytest.fixture
def sign_in() -> Callable[[Page, str], None]:
    """Signs in through the sign-in page, as a user would (factories' users share PASSWORD)."""

    def _sign_in(page: Page, email: str) -> None:
        page.goto("/signin/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    return _sign_in


@pytest.fixture
def screenshot() -> Callable[[Page, str], list[Path]]:
    """Saves full-page screenshots of the current page at each width in SCREENSHOT_WIDTHS
    (screenshots/<name>-<width>.png, git-ignored) and checks that no width needs sideways
    scrolling (SPEC §6: usable from 360 px)."""

    def _screenshot(page: Page, name: str) -> list[Path]:
        SCREENSHOTS.mkdir(exist_ok=True)
        original = page.viewport_size
        paths = []
        for width in SCREENSHOT_WIDTHS:
            page.set_viewport_size({"width": width, "height": VIEWPORT["height"]})
            path = SCREENSHOTS / f"{name}-{width}.png"
            page.screenshot(path=path, full_page=True)
            paths.append(path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways by {overflow} px at {width} px wide"
        page.set_viewport_size(original)
        return paths

    return _screenshot


# --- Data ------------------------------------------------------------------------------------

# Three qualified practitioners with Vancouver clinics and sciatica experience, from the most
# to the least experienced, referred and reviewed: the ranking puts them in this order.
VANCOUVER_PRACTITIONERS = (
    {
        "name": "Avery Fraser",
        "point": (49.2820, -123.1170),
        "years": 20,
        "patients": 900,
        # Completed sciatica referrals, one entry per referring physician.
        "referrals": (2, 1, 1, 1),
        # Reviews: the rating given for overall, communication and comfort, and whether it
        # was written with an invitation code (verified).
        "reviews": ((5, True), (5, True), (5, True), (5, True), (4, False), (5, False)),
    },
    {
        "name": "Blake Moreau",
        "point": (49.2630, -123.1380),
        "years": 8,
        "patients": 300,
        "referrals": (1, 1),
        "reviews": ((4, True), (4, False), (3, False)),
    },
    {
        "name": "Casey Singh",
        "point": (49.2490, -123.1010),
        "years": 2,
        "patients": 40,
        "referrals": (),
        "reviews": (),
    },
)
REVIEW_BODY = "Explained every step and listened; my leg pain eased after four sessions."
REVIEWERS = ("Maria Kowalski", "Sam Okafor", "Lee Tremblay", "Ana Silva", "Raj Gill", "Jo Wu")


def make_verified_physician(name: str) -> PhysicianProfile:
    physician = PhysicianFactory(user__name=name)
    CredentialFactory(
        owner=physician.user,
        verified=True,
        profession=Profession.PHYSICIAN,
        issuer="College of Physicians and Surgeons of British Columbia",
        issued_on=date(2010, 7, 1),
    )
    return physician


def _completed_referrals(practitioner: PractitionerProfile, counts: tuple[int, ...]) -> None:
    """Referrals sent, accepted and completed through the referral services, so that the
    figures the ranking reads are the ones the services keep."""
    sciatica = Condition.objects.get(slug="sciatica")
    for number, count in enumerate(counts):
        physician = make_verified_physician(f"Referring Physician {number}")
        for patient in range(count):
            referral = referral_create(
                physician=physician,
                practitioner=practitioner,
                condition=sciatica,
                reason="Chronic sciatica, not better after six weeks of physiotherapy.",
                patient_reference=f"REF-{number}-{patient}",
            )
            referral_accept(referral=referral, actor=practitioner.user)
            referral_complete(
                referral=referral, actor=practitioner.user, outcome=ReferralOutcome.IMPROVED
            )


def _reviews(practitioner: PractitionerProfile, reviews: tuple[tuple[int, bool], ...]) -> None:
    sciatica = Condition.objects.get(slug="sciatica")
    for (rating, invited), name in zip(reviews, REVIEWERS, strict=False):
        code = invitation_issue(practitioner=practitioner)[1] if invited else None
        review_submit(
            author=UserFactory(role=Role.PATIENT, name=name),
            practitioner=practitioner,
            overall=rating,
            communication=rating,
            comfort=rating,
            would_recommend=rating >= 4,
            condition=sciatica,
            body=REVIEW_BODY,
            invitation_code=code,
        )


def vancouver_practitioner(spec: dict) -> PractitionerProfile:
    practitioner = qualified_practitioner(user__name=spec["name"], languages=",en,fr,")
    lat, lng = spec["point"]
    clinic = f"{spec['name'].split()[1]} IMS Clinic"
    # Contact details as the demo's clinics have them (fictional 555-01xx numbers), so the
    # screenshots show them on the cards and the profile.
    number = 100 + VANCOUVER_PRACTITIONERS.index(spec)
    LocationFactory(
        practitioner=practitioner,
        name=clinic,
        lat=lat,
        lng=lng,
        phone=f"+1604555{number:04d}",
        booking_url=f"https://{clinic.split()[0].lower()}-ims.example.org/book",
        hours=[{"day": d, "opens": "09:00", "closes": "17:00"} for d in ("mon", "wed", "fri")],
    )
    ExperienceFactory(
        practitioner=practitioner, years=spec["years"], patients_treated=spec["patients"]
    )
    _completed_referrals(practitioner, spec["referrals"])
    _reviews(practitioner, spec["reviews"])
    return practitioner


@pytest.fixture
def vancouver_practitioners() -> list[PractitionerProfile]:
    return [vancouver_practitioner(spec) for spec in VANCOUVER_PRACTITIONERS]


@pytest.fixture
def verified_physician() -> PhysicianProfile:
    """A referring physician with a verified physician licence (CA-BC)."""
    return make_verified_physician("Morgan Reyes")
