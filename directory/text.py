import unicodedata


def normalize_term(text: str) -> str:
    """Case-, accent- and surrounding-space-insensitive key for a user's typed term."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
