"""EMAIL_URL, SITE_URL and TASKS_BACKEND: parsed once at start-up, loud when malformed."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.email_url import CONSOLE_BACKEND, SMTP_BACKEND, EmailSettings, email_settings, site_url
from tests.test_settings import _manage, _production_env


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("console://", EmailSettings(backend=CONSOLE_BACKEND)),
        (
            "smtp://relay.internal:2525",
            EmailSettings(backend=SMTP_BACKEND, host="relay.internal", port=2525),
        ),
        ("smtp://relay.internal", EmailSettings(backend=SMTP_BACKEND, host="relay.internal")),
        (
            "smtp+tls://apikey:s3cr%40t@smtp.example.org:587",
            EmailSettings(
                backend=SMTP_BACKEND,
                host="smtp.example.org",
                port=587,
                user="apikey",
                password="s3cr@t",
                use_tls=True,
            ),
        ),
        (
            "smtp+tls://smtp.example.org",
            EmailSettings(backend=SMTP_BACKEND, host="smtp.example.org", port=587, use_tls=True),
        ),
        (
            "SMTPS://u:p@smtp.example.org",
            EmailSettings(
                backend=SMTP_BACKEND,
                host="smtp.example.org",
                port=465,
                user="u",
                password="p",
                use_ssl=True,
            ),
        ),
    ],
)
def test_email_url_schemes(raw, expected):
    assert email_settings(raw) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("smtp.example.org", "not a URL (no '://')"),
        ("imap://u:hunter2@mail.example.org", "unknown scheme 'imap'"),
        ("smtp://u:hunter2@mail.example.org:99999", "the port is not a number from 1 to 65535"),
        ("smtp://u:hunter2@mail.example.org:twenty", "the port is not a number from 1 to 65535"),
        ("smtp://:587", "no host name"),
        ("smtp://mail.example.org/inbox", "nothing may follow host:port"),
    ],
)
def test_a_malformed_email_url_is_refused_without_repeating_the_password(raw, why):
    with pytest.raises(ImproperlyConfigured) as refused:
        email_settings(raw)

    assert str(refused.value) == (
        f"EMAIL_URL: {why}; expected one of console://, smtp://host:port, "
        "smtp+tls://host:port, smtps://host:port."
    )
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("https://ims.example.org", "https://ims.example.org"), ("http://127.0.0.1:8000/", None)],
)
def test_site_url(raw, expected):
    assert site_url(raw) == (expected or "http://127.0.0.1:8000")


@pytest.mark.parametrize("raw", ["ims.example.org", "ftp://ims.example.org", "https://x.org/app"])
def test_a_malformed_site_url_is_refused(raw):
    with pytest.raises(ImproperlyConfigured, match="SITE_URL="):
        site_url(raw)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("EMAIL_URL", "smtp://user:hunter2@mail.example.org:http", "EMAIL_URL: the port is not"),
        ("SITE_URL", "ims.example.org", "SITE_URL='ims.example.org': expected http(s)://"),
        ("TASKS_BACKEND", "celery", "TASKS_BACKEND='celery': expected one of database, immediate"),
        ("EMAIL_RETRY_SECONDS", "0", "EMAIL_RETRY_SECONDS must be at least 1"),
    ],
)
def test_the_service_refuses_to_start_and_names_the_variable(variable, value, message):
    result = _manage("check", env={**_production_env(), variable: value})

    assert result.returncode != 0
    assert message in result.stderr
    assert "hunter2" not in result.stderr


def test_production_e_mail_settings_pass_the_deploy_checks():
    env = {
        **_production_env(),
        "EMAIL_URL": "smtp+tls://apikey:secret@smtp.example.org:587",
        "DEFAULT_FROM_EMAIL": "IMS Directory <no-reply@ims.example.org>",
        "SITE_URL": "https://ims.example.org",
    }
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
