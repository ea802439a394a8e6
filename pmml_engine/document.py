"""Parse untrusted PMML safely (no DTDs, no entities, bounded size) and read its schema."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from fraudscore.errors import FraudError

MAX_PMML_BYTES = 64 * 1024 * 1024
_NAMESPACE_PREFIX = "http://www.dmg.org/PMML-4_"


class PmmlError(FraudError):
    """A PMML document that cannot be used, with the reason in words."""


@dataclass(frozen=True)
class DataField:
    name: str
    optype: str
    data_type: str


@dataclass(frozen=True)
class PmmlDocument:
    """What the rest of the system needs to know about a model before it scores anything."""

    version: str
    model_element: str
    function_name: str
    inputs: tuple[DataField, ...]
    targets: tuple[str, ...]
    outputs: tuple[str, ...]


def parse_pmml(data: bytes) -> PmmlDocument:
    """Parse PMML 4.x with DTDs and entities refused.

    >>> parse_pmml(b'<!DOCTYPE x [<!ENTITY a "b">]><PMML/>')
    Traceback (most recent call last):
    ...
    pmml_engine.document.PmmlError: PMML must not declare a DTD or entities
    """
    if len(data) > MAX_PMML_BYTES:
        raise PmmlError(f"PMML is {len(data)} bytes; the limit is {MAX_PMML_BYTES}")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise PmmlError("PMML must not declare a DTD or entities") from None
    except ParseError as exc:
        raise PmmlError(f"PMML is not well-formed XML: {exc}") from None
    namespace, _, tag = root.tag.rpartition("}")
    if tag != "PMML" or not namespace.lstrip("{").startswith(_NAMESPACE_PREFIX):
        raise PmmlError(f"not a PMML 4.x document (root element {root.tag!r})")
    return _schema(root, namespace + "}")


def _schema(root: Element, ns: str) -> PmmlDocument:
    fields = {
        f.get("name", ""): DataField(f.get("name", ""), f.get("optype", ""), f.get("dataType", ""))
        for f in root.iterfind(f"{ns}DataDictionary/{ns}DataField")
    }
    model = next((child for child in root if child.tag.startswith(ns) and _is_model(child.tag[len(ns) :])), None)
    if model is None:
        raise PmmlError("PMML has no model element")
    mining = list(model.iterfind(f"{ns}MiningSchema/{ns}MiningField"))
    targets = tuple(f.get("name", "") for f in mining if f.get("usageType") in ("target", "predicted"))
    active = [f.get("name", "") for f in mining if f.get("usageType", "active") == "active"]
    unknown = [name for name in active if name not in fields]
    if unknown:
        raise PmmlError(f"mining fields not in the DataDictionary: {', '.join(unknown)}")
    outputs = tuple(o.get("name", "") for o in model.iterfind(f"{ns}Output/{ns}OutputField"))
    return PmmlDocument(
        version=root.get("version", ""),
        model_element=model.tag[len(ns) :],
        function_name=model.get("functionName", ""),
        inputs=tuple(fields[name] for name in active),
        targets=targets,
        outputs=outputs,
    )


def _is_model(tag: str) -> bool:
    return tag.endswith("Model") or tag in ("Scorecard", "NearestNeighborModel")
