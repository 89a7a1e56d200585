"""Clinic contact as pages show it."""

from django import template

from directory.validators import phone_national

register = template.Library()


@register.filter
def national_phone(e164: str | None) -> str:
    """ "+16045550123" as the clinic's country writes it: "(604) 555-0123"."""
    return phone_national(e164 or "")


@register.filter
def tel_href(e164: str | None) -> str:
    """A tel: link target; E.164 dials from anywhere."""
    return f"tel:{e164}" if e164 else ""
