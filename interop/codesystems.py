"""Our CodeSystems, served at /fhir/CodeSystem/<id>: the conditions (the taxonomy's slugs)
and the small fixed ones interop.resources codes with (professions, qualification kinds,
validation processes)."""

from interop import selectors
from interop.resources import STATIC_CODE_SYSTEMS, system


def _code_system(name: str, title: str, concepts: list[dict]) -> dict:
    return {
        "resourceType": "CodeSystem",
        "id": name,
        "url": system(name),
        "name": "".join(word.capitalize() for word in name.split("-")),
        "title": title,
        "status": "active",
        "publisher": "IMS Practitioner Directory",
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }


def code_system_resource(name: str) -> dict | None:
    """/fhir/CodeSystem/<name>, or None. The conditions' codes are the taxonomy's slugs,
    with the synonyms a patient may type as designations."""
    if name == "conditions":
        concepts = []
        for condition in selectors.condition_list():
            concept = {"code": condition.slug, "display": condition.name}
            if condition.synonyms:
                concept["designation"] = [
                    {"language": "en", "value": synonym} for synonym in condition.synonyms
                ]
            concepts.append(concept)
        return _code_system(name, "Conditions treated with IMS", concepts)
    if name in STATIC_CODE_SYSTEMS:
        title, codes = STATIC_CODE_SYSTEMS[name]
        concepts = [{"code": code, "display": display} for code, display in codes.items()]
        return _code_system(name, title, concepts)
    return None


CODE_SYSTEMS = ("conditions", *STATIC_CODE_SYSTEMS)
