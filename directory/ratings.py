"""Plain constants of the rating scale (no Django import, so the pure scoring can use them)."""

# The middle of the 1–5 scale. The maintained figures keep unverified reviews' praise above
# it apart (`*_unverified_excess`) so that the ranking (matching.constants) can discount it.
NEUTRAL_RATING = 3
