"""Language names for the ISO 639-1 codes practitioners treat in: the codes and their rule
are directory.validators' (ISO_639_1, validate_languages); the names are CLDR's English ones,
through Babel. Pages offer names and post the codes, as the API stores them."""

from functools import cache

from babel import Locale

from directory.validators import ISO_639_1

# The languages most spoken at home in Canada (2021 census), offered first, as checkboxes.
COMMON_LANGUAGES = frozenset(
    "en fr zh pa es ar tl it de pt fa ur vi ko hi ru pl gu ta uk ja el".split()
)


@cache
def language_names() -> dict[str, str]:
    """Every ISO 639-1 code's English name; a code CLDR does not name keeps its code."""
    names = Locale("en").languages
    return {code: names.get(code, code) for code in ISO_639_1}


def language_name(code: str) -> str:
    return language_names().get(code, code)


def common_language_choices() -> list[tuple[str, str]]:
    return sorted(((code, language_name(code)) for code in COMMON_LANGUAGES), key=_by_name)


def other_language_choices() -> list[tuple[str, str]]:
    others = (item for item in language_names().items() if item[0] not in COMMON_LANGUAGES)
    return sorted(others, key=_by_name)


def _by_name(choice: tuple[str, str]) -> str:
    return choice[1].casefold()
