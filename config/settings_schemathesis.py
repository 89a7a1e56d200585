"""scripts/schemathesis's server: production settings (DEBUG off), with a cheap password
hasher for the accounts it creates and the sign-ins it tries. Each sign-in hashes once even
for an unknown e-mail (timing must not tell an account exists), and at PBKDF2's deliberate
cost the run's few hundred tries of /auth/login/ would take minutes; the test suite does the
same (tests/conftest.py). The demo accounts' PBKDF2 hashes still verify."""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
