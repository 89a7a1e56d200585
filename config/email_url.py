"""EMAIL_URL → Django's e-mail settings (README, "E-mail and the background worker").

    console://                              print each message (the development default)
    smtp://user:password@host:25            plain SMTP (a relay on the same network)
    smtp+tls://user:password@host:587       SMTP upgraded with STARTTLS
    smtps://user:password@host:465          SMTP over TLS from the first byte

User and password are optional and percent-decoded ("%40" for "@"). A malformed value stops
the service with a message that names EMAIL_URL and never repeats the password.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"

# scheme → (default port, STARTTLS, implicit TLS)
SMTP_SCHEMES = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "smtps": (465, False, True),
}
ALLOWED = "console://, smtp://host:port, smtp+tls://host:port, smtps://host:port"


@dataclass(frozen=True)
class EmailSettings:
    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False


def _refuse(why: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"EMAIL_URL: {why}; expected one of {ALLOWED}.")


def email_settings(raw: str) -> EmailSettings:
    scheme, sep, _ = raw.partition("://")
    scheme = scheme.strip().lower()
    if not sep:
        raise _refuse("not a URL (no '://')")
    if scheme == "console":
        return EmailSettings(backend=CONSOLE_BACKEND)
    if scheme not in SMTP_SCHEMES:
        raise _refuse(f"unknown scheme {scheme!r}")
    default_port, use_tls, use_ssl = SMTP_SCHEMES[scheme]
    parts = urlsplit(raw.strip())
    try:
        port = parts.port or default_port
    except ValueError:
        raise _refuse("the port is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise _refuse("no host name")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise _refuse("nothing may follow host:port")
    return EmailSettings(
        backend=SMTP_BACKEND,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
    )


def site_url(raw: str) -> str:
    """SITE_URL: the scheme and host that links in e-mails start with, without a trailing
    slash ("https://ims.example.org")."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(
            f"SITE_URL={raw!r}: expected http(s)://host[:port], e.g. https://ims.example.org"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"SITE_URL={raw!r}: expected only a scheme and host (no path, query or fragment)"
        )
    return f"{parts.scheme}://{parts.netloc}"
