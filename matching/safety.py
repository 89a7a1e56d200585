"""Contraindication screening (SPEC §4): pure, and nothing here is stored or logged."""

from dataclasses import dataclass

OK = "ok"
CAUTION = "caution"
NOT_RECOMMENDED = "not_recommended"

BLEEDING_DISORDER = (
    "IMS is not recommended with a bleeding disorder: the needles can cause bleeding or "
    "bruising that is hard to stop. Talk to your physician before considering IMS."
)
ACTIVE_INFECTION = (
    "IMS is not recommended during an active infection: needling could spread it or slow "
    "healing. Talk to your physician first, and wait until the infection has cleared."
)
ANTICOAGULANTS = (
    "Caution: blood thinners raise the risk of bleeding and bruising from the needles. "
    "Talk to the physician who prescribed them before IMS, and tell your practitioner."
)


@dataclass(frozen=True)
class HealthAnswers:
    bleeding_disorder: bool = False
    anticoagulants: bool = False
    active_infection: bool = False


@dataclass(frozen=True)
class Safety:
    level: str
    messages: tuple[str, ...]


def assess(answers: HealthAnswers) -> Safety:
    messages = []
    if answers.bleeding_disorder:
        messages.append(BLEEDING_DISORDER)
    if answers.active_infection:
        messages.append(ACTIVE_INFECTION)
    if answers.anticoagulants:
        messages.append(ANTICOAGULANTS)
    if answers.bleeding_disorder or answers.active_infection:
        level = NOT_RECOMMENDED
    elif answers.anticoagulants:
        level = CAUTION
    else:
        level = OK
    return Safety(level, tuple(messages))
