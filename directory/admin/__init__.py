"""The Django admin, by meaning: accounts, profiles (practitioners with their clinics and
experience, physicians, the condition taxonomy) and moderation (the credential queue, reviews,
referrals) and the e-mail outbox. Django autodiscovers this package; importing each module
registers its pages.
"""

from directory.admin import accounts, moderation, outbox, profiles  # noqa: F401
