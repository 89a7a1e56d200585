"""The accounts scripts/fault_drill writes as: a patient who reviews and a practitioner who
edits their profile, uploads credentials and replaces one credential's evidence again and
again, registered through the service's own code, each with an API token. Prints
`NAME=value` lines for the drill to read: DRILL_PATIENT_TOKEN, DRILL_PRACTITIONER_TOKEN and
DRILL_CREDENTIAL_ID (the practitioner's credential whose evidence the drill replaces).

Run with the drill's DATABASE_URL and MEDIA_ROOT, on a database that has neither account yet.
"""

import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from datetime import date  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402
from knox.models import AuthToken  # noqa: E402

from directory.models import Role  # noqa: E402
from directory.services.accounts import user_register  # noqa: E402
from directory.services.credentials import credential_create  # noqa: E402

# A real, minimal PDF (as tests/directory/test_evidence.py and mix.lua).
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

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
        if role == Role.PRACTITIONER:
            credential = credential_create(
                owner=user,
                kind="ims_certification",
                issuer="iSTOP",
                issued_on=date(2012, 6, 15),
                evidence=ContentFile(PDF, name="certificate.pdf"),
            )
            print(f"DRILL_CREDENTIAL_ID={credential.pk}")
