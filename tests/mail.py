"""A real SMTP server for the tests (aiosmtpd), and the worker that delivers to it.

`smtp_sink` (tests/conftest.py) switches the service to Django's SMTP backend pointed at this
server and to the database task queue; `run_worker()` runs `manage.py db_worker` until the
queue holds nothing due, as production's worker would. What arrives is parsed into
`email.message.EmailMessage` objects, one per delivered message.
"""

import email
import email.policy
import re
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from django.core.management import call_command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, sink: "SmtpSink") -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.sink.received.append(message)
        self.sink.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts. `stop()` and `start()`
    take it down and bring it back on the same port (a delivery meanwhile is refused)."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.received: list[EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if address in str(m["To"])]

    def only(self, address: str) -> EmailMessage:
        messages = self.to(address)
        assert len(messages) == 1, [m["Subject"] for m in messages]
        return messages[0]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message: EmailMessage, path_prefix: str) -> str:
    """The first absolute link in the plain-text body whose path starts with `path_prefix`."""
    match = re.search(r"https?://[^\s/]+(" + re.escape(path_prefix) + r"\S*)", text_of(message))
    assert match, f"no link to {path_prefix} in: {text_of(message)}"
    return match.group(0)


def link_credentials(message: EmailMessage) -> dict:
    """The `uid` and `token` a reset or confirmation message prints for API clients."""
    found = re.search(r"uid (\S+) and token (\S+?)\.(?:\s|$)", text_of(message))
    assert found, text_of(message)
    return {"uid": found.group(1), "token": found.group(2)}


def run_worker() -> None:
    """Run the database queue's worker until nothing is due (production runs it forever)."""
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
