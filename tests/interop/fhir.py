"""Helpers for the FHIR API tests: validation against the R4B models (structurally R4 for
the resources we publish) and the demo directory they run over."""

from fhir.resources.R4B import get_fhir_model_class

from directory.demo import seed_demo

# Enough practitioners for every credential state and several Vancouver clinics treating
# sciatica, small enough to seed in a few seconds.
DEMO_PRACTITIONERS = 60
VANCOUVER = (49.2827, -123.1207)


def fhir_valid(resource: dict) -> dict:
    """The resource, after its R4B model accepted it (raises pydantic's ValidationError
    otherwise); a Bundle's entries are validated by the Bundle's model as they nest."""
    model = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)
    return resource


def seed(today) -> None:
    seed_demo(practitioners=DEMO_PRACTITIONERS, today=today)
