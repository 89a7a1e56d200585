"""Errors as the pages show them."""

from collections.abc import Mapping


def flat_messages(detail: object) -> list[str]:
    """Every message in an error detail (a DRF or Django error dict or list), however nested:
    a list field reports per item, and a page shows them flat."""
    if isinstance(detail, Mapping):
        return [message for value in detail.values() for message in flat_messages(value)]
    if isinstance(detail, list | tuple):
        return [message for value in detail for message in flat_messages(value)]
    return [str(detail)]
