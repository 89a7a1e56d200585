"""web.forms.errors: a nested error detail as the flat list of messages a page shows."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.exceptions import ErrorDetail

from web.forms.errors import flat_messages


@pytest.mark.parametrize(
    ("detail", "messages"),
    [
        ("Unknown city.", ["Unknown city."]),
        (ErrorDetail("Too far.", code="invalid"), ["Too far."]),
        (["One.", "Two."], ["One.", "Two."]),
        (
            {"languages": {0: ["Not a language."], 2: ["Not a language either."]}},
            ["Not a language.", "Not a language either."],
        ),
        ({"location": {"lat": ["Required."]}, "limit": ("Too many.",)}, ["Required.", "Too many."]),
        (ValidationError({"name": ["Taken."]}).message_dict, ["Taken."]),
    ],
)
def test_every_message_however_nested_in_order(detail, messages):
    assert flat_messages(detail) == messages
