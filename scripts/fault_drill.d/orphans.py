"""After a drill: evidence files no credential points to (directory.evidence.evidence_orphans,
staged uploads included whatever their age: no write is in progress any more), and
credentials whose evidence file is missing. Prints each; exits 1 when there is any.
Run with the drill's DATABASE_URL and MEDIA_ROOT, the server stopped."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.files.storage import default_storage  # noqa: E402
from django.utils import timezone  # noqa: E402

from directory.evidence import evidence_orphans  # noqa: E402
from directory.models import Credential  # noqa: E402

if __name__ == "__main__":
    orphans = evidence_orphans(staged_before=timezone.now())
    for name in orphans:
        print(f"orphaned evidence file: {name}")
    with_evidence = Credential.objects.exclude(evidence="").values_list("pk", "evidence")
    missing = [(pk, name) for pk, name in with_evidence if not default_storage.exists(name)]
    for pk, name in missing:
        print(f"credential {pk} points to a missing file: {name}")
    print(
        f"{len(orphans)} orphaned evidence files, {len(missing)} credentials without their "
        f"file ({len(with_evidence)} credentials with evidence)"
    )
    sys.exit(1 if orphans or missing else 0)
