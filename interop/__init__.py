"""Interoperability: the directory as HL7 FHIR R4 (read API, bulk export)."""
