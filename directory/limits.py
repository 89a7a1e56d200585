"""Every limit and scale of the directory, named once.

The models, the validators (directory.validators), the services, the API serializers, the
page forms, the admin and the SQL side of matching import these; none writes the number
again. Changing one here changes every entrance at once (a change to a limit the database
also checks needs a migration: `manage.py makemigrations directory`).
"""

from decimal import Decimal

# Plain values only, no Django import: the pure scoring (matching.scoring) reads the scales.

# --- Reviews (SPEC §5) ----------------------------------------------------------------------
# Every rating (overall, communication, comfort) is a whole number on this scale.
RATING_MIN = 1
RATING_MAX = 5
# The middle of the scale. The maintained figures keep unverified reviews' praise above it
# apart (`*_unverified_excess`) so that the ranking (matching.constants) can discount it.
NEUTRAL_RATING = 3
# A review's text and the practitioner's reply.
REVIEW_TEXT_MAX = 5000
# Why a practitioner flags a review, and why a moderator removes one.
REVIEW_FLAG_REASON_MAX = 500
REVIEW_REMOVAL_NOTE_MAX = 1000

# --- Accounts and profiles ------------------------------------------------------------------
NAME_MAX = 120
BIO_MAX = 5000
FEE_MIN = Decimal("0")
FEE_MAX = Decimal("10000")
# Distinct ISO 639-1 codes a practitioner treats in.
LANGUAGES_MIN = 1
LANGUAGES_MAX = 10

# --- Clinics and experience -----------------------------------------------------------------
# Enough for a practitioner who works across a city; keeps the nearest-clinic work small.
LOCATIONS_MAX = 20
# Clinic contact: a phone number as typed (it is stored in E.164, at most 16 characters),
# a web address, and opening hours (two opening spans a day, e.g. a lunch break).
PHONE_INPUT_MAX = 40
URL_MAX = 500
HOURS_ENTRIES_MAX = 14
LAT_MIN, LAT_MAX = -90, 90
LNG_MIN, LNG_MAX = -180, 180
EXPERIENCE_YEARS_MAX = 70
EXPERIENCE_PATIENTS_MAX = 100_000

# --- Credentials ----------------------------------------------------------------------------
CREDENTIAL_NOTE_MAX = 2000

# --- Referrals ------------------------------------------------------------------------------
REFERRAL_REASON_MAX = 1000
PATIENT_REFERENCE_MAX = 40

# --- Searching and matching -----------------------------------------------------------------
# A search's free text: a condition's name, a city, the directory's text filters.
SEARCH_TEXT_MAX = 100
# "Near" on the directory list, the search page and the match: more than 0, at most MAX.
RADIUS_DEFAULT_KM = 50.0
RADIUS_MAX_KM = 500.0
# Results of one match.
MATCH_LIMIT_DEFAULT = 20
MATCH_LIMIT_MAX = 100
# How far a match pages: ranks offset + 1 … offset + limit, offset at most this. Deeper pages
# sort more rows for no reader (a search that needs them should narrow its filters).
MATCH_OFFSET_MAX = 1000
