"""Content-Security-Policy and Permissions-Policy on the pages, the admin, the API docs and the
API (issue 10, item 5). The browser tests (tests/browser) show the pages obey them."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

SITE_POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}
# Swagger UI fetches the schema, and the operations it tries, from this site.
DOCS_POLICY = {**SITE_POLICY, "connect-src": ["'self'"]}

PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), "
    "encrypted-media=(), fullscreen=(), geolocation=(self), gyroscope=(), hid=(), "
    "idle-detection=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), "
    "usb=(), xr-spatial-tracking=()"
)


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: sources} (its order carries nothing)."""
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/signin/", 200),
        ("/admin/login/", 200),
        ("/no-such-page/", 404),
        ("/api/v1/conditions/", 200),
        ("/api/v1/no-such-operation/", 404),
        ("/healthz", 200),
    ],
)
def test_every_response_carries_the_site_policy(client: Client, path: str, status: int):
    response = client.get(path)

    assert response.status_code == status
    assert policy(response) == SITE_POLICY
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "Content-Security-Policy-Report-Only" not in response


def test_admin_pages_of_a_signed_in_moderator_carry_the_site_policy(client: Client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for path in ("/admin/", "/admin/directory/credential/", "/admin/directory/user/add/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert policy(response) == SITE_POLICY, path
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY, path


def test_api_docs_page_loads_its_script_from_a_file_and_may_fetch_from_this_site(client: Client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert policy(response) == DOCS_POLICY
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    html = response.content.decode()
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js">',
        '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/'
        'swagger-ui-standalone-preset.js">',
        '<script src="/api/docs/?script=">',
    ]
    assert "<style" not in html
    assert "style=" not in html


def test_api_docs_script_is_served_as_javascript_under_the_docs_policy(client: Client):
    response = client.get("/api/docs/", {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert 'url: "/api/schema/"' in response.content.decode()
    assert policy(response) == DOCS_POLICY


def test_schema_leaves_the_docs_out(client: Client):
    client.force_login(UserFactory())
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert not [path for path in response.json()["paths"] if path.startswith("/api/docs")]


# What a strict script-src and style-src refuse in markup: inline <script> (one without src),
# <style> elements, style="" attributes and on...="" event handlers. E-mail bodies
# (templates/email/) are exempt: no CSP applies to mail, and mail clients drop <link>ed and
# <style> CSS, so an e-mail's only styles are inline; they must hold no script at all.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_templates_hold_no_inline_script_or_style():
    found = [
        f"{template.relative_to(TEMPLATES)}: {match.group(0)}"
        for template in sorted(TEMPLATES.rglob("*.html"))
        if template.parent.name != "email"
        for match in INLINE.finditer(template.read_text())
    ]

    assert found == []


def test_email_templates_hold_no_script():
    email_templates = sorted((TEMPLATES / "email").glob("*.html"))
    script = re.compile(r"<script\b|\son[a-z]+=|javascript:", re.IGNORECASE)

    found = [
        f"{template.name}: {match.group(0)}"
        for template in email_templates
        for match in script.finditer(template.read_text())
    ]

    assert len(email_templates) >= 10
    assert found == []
