"""Demo data for local development (`manage.py seed_demo`): deterministic, idempotent, fast.

Deterministic: every value comes from a `random.Random` seeded with (SEED, what, index), so
practitioner i — their clinics, credentials, reviews and referrals — is the same on every
machine and whatever the total; only dates move with `today`.

Idempotent: each aggregate has its own `seed_<aggregate>` function that creates the rows
missing by a natural key (e-mail, clinic name, condition, credential number, review author
and practitioner, referral physician, practitioner and patient reference) and never updates
one, so a second run writes nothing.

Fast: `bulk_create` per aggregate, the shared password hashed once, and the practitioners'
figures rebuilt once at the end (directory.services.stats: stats_credentials_rebuild when
credentials or practitioners went in, stats_recompute when reviews or referrals did).

Modules: `data` (fixed tables), `plans` (practitioners), `accounts` (moderator, patients,
physicians), `reviews` and `referrals` (plan and seed), `texts` (their words), `seed` (the
other seed_<aggregate> functions), `load` (seed_demo, demo_totals).
"""

from directory.demo.data import DEFAULT_PRACTITIONERS, DEMO_INVITATION_CODE, DEMO_PASSWORD
from directory.demo.load import demo_totals, seed_demo

__all__ = [
    "DEFAULT_PRACTITIONERS",
    "DEMO_INVITATION_CODE",
    "DEMO_PASSWORD",
    "demo_totals",
    "seed_demo",
]
