"""What scripts/backup_drill compares before the backup and after the restore.

    probe.py upload    as practitioner@demo.test, add a training credential with a JPEG
                       through POST /api/v1/me/credentials/ (so a real evidence file is stored)
    probe.py answers   print, as canonical JSON: the answers of POST /api/v1/match/ for a few
                       requests, and every evidence file downloaded through the
                       permission-checked endpoint as the moderator (its SHA-256)

Runs in-process through Django's test client, with the settings of the environment.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from directory.models import Credential, User  # noqa: E402

# The smallest file the evidence check accepts as a JPEG (by its first bytes).
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
VANCOUVER = {"lat": 49.2827, "lng": -123.1207}
MATCH_REQUESTS = [
    {"condition": "sciatica", "location": VANCOUVER, "radius_km": 25},
    {"condition": "fibromyalgia", "limit": 100},
    {"condition": "back-pain", "location": {"lat": 43.6532, "lng": -79.3832}, "radius_km": 50},
    {
        "condition": "neck-pain",
        "location": {"lat": 51.0447, "lng": -114.0719},
        "radius_km": 100,
        "priorities": {"experience": 3, "comfort": 0},
        "health": {"anticoagulants": True},
        "languages": ["en"],
    },
]


def client_as(email: str) -> APIClient:
    client = APIClient(HTTP_HOST="localhost")
    client.force_authenticate(user=User.objects.get(email=email))
    return client


def upload() -> None:
    training = {
        "kind": "training",
        "issuer": "Canadian Physiotherapy Association",
        "title": "Backup drill course",
        "issued_on": "2019-09-01",
        "evidence": SimpleUploadedFile("drill.jpg", JPEG_BYTES, "image/jpeg"),
    }
    response = client_as("practitioner@demo.test").post(
        "/api/v1/me/credentials/", training, format="multipart"
    )
    if response.status_code != 201:
        raise SystemExit(f"upload answered {response.status_code}: {response.content!r}")


def answers() -> dict:
    anonymous = APIClient(HTTP_HOST="localhost")
    matches = []
    for request in MATCH_REQUESTS:
        response = anonymous.post("/api/v1/match/", request, format="json")
        matches.append({"status": response.status_code, "body": response.json()})
    moderator = client_as("moderator@demo.test")
    evidence = {}
    for pk in Credential.objects.exclude(evidence="").order_by("pk").values_list("pk", flat=True):
        response = moderator.get(f"/api/v1/credentials/{pk}/evidence/")
        body = b"".join(response.streaming_content) if response.status_code == 200 else b""
        evidence[pk] = {"status": response.status_code, "sha256": hashlib.sha256(body).hexdigest()}
    statuses = [item["status"] for item in [*matches, *evidence.values()]]
    if not evidence or set(statuses) != {200}:
        raise SystemExit(f"probe: expected evidence and 200s, got {statuses}")
    return {"match": matches, "evidence": evidence}


if __name__ == "__main__":
    if sys.argv[1:] == ["upload"]:
        upload()
    elif sys.argv[1:] == ["answers"]:
        print(json.dumps(answers(), indent=1, sort_keys=True))
    else:
        raise SystemExit("usage: probe.py upload|answers")
