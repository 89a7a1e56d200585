"""The accounts scripts/fault_drill writes as: a patient who reviews and a practitioner who
edits their profile and uploads credentials, registered through the service's own code,
each with an API token. Prints `NAME=value` lines for the drill to read:
DRILL_PATIENT_TOKEN, DRILL_PRACTITIONER_TOKEN.

Run with the drill's DATABASE_URL, on a database that has neither account yet.
"""

import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from knox.models import AuthToken  # noqa: E402

from directory.models import Role  # noqa: E402
from directory.services.accounts import user_register  # noqa: E402

ACCOUNTS = {
    "DRILL_PATIENT_TOKEN": ("drill-patient@drill.test", "Drill Patient", Role.PATIENT),
    "DRILL_PRACTITIONER_TOKEN": (
        "drill-practitioner@drill.test",
        "Drill Practitioner",
        Role.PRACTITIONER,
    ),
}

if __name__ == "__main__":
    for variable, (email, name, role) in ACCOUNTS.items():
        user = user_register(email=email, password=secrets.token_urlsafe(24), name=name, role=role)
        _, token = AuthToken.objects.create(user)
        print(f"{variable}={token}")
