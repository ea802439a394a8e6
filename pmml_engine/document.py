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
    # (input, value as written): what the model reads for a missing input (sklearn2pmml writes the imputer's
    # training median), for the inputs whose MiningField says
    replacements: tuple[tuple[str, str], ...] = ()
    reason_codes: tuple[str, ...] = ()  # the output fields that are reason codes (a Scorecard's), in rank order


def parse_pmml(data: bytes) -> PmmlDocument:
    """Parse PMML 4.x with DTDs and entities refused.

    >>> parse_pmml(b'<!DOCTYPE x [<!ENTITY a "b">]><PMML/>')
    Traceback (most recent call last):
    ...
    pmml_engine.document.PmmlError: PMML must not declare a DTD or entities
    """
    return read_document(data)[0]


def read_document(data: bytes) -> tuple[PmmlDocument, Element, str]:
    """parse_pmml's document, with the checked PMML element and its namespace: parsed once."""
    root, ns = read_root(data)
    _check_references(root, ns)
    return _schema(root, ns), root, ns


_REFERENCES = {
    "FieldRef": "field", "SimplePredicate": "field", "SimpleSetPredicate": "field", "NormContinuous": "field",
    "NormDiscrete": "field", "Discretize": "field", "NumericPredictor": "name", "CategoricalPredictor": "name",
    "FieldColumnPair": "field",
}  # fmt: skip
_DEFINITIONS = {"DataField", "DerivedField", "OutputField"}


def _check_references(root: Element, ns: str) -> None:
    """Every field the model reads is defined somewhere: a typo in a hand-edited PMML is an error up front,
    not a silent missing value on every record."""
    defined = {e.get("name") for e in root.iter() if e.tag.removeprefix(ns) in _DEFINITIONS}
    defined |= {e.get("name") for e in root.iter() if e.tag.removeprefix(ns) == "ParameterField"}
    for element in root.iter():
        attribute = _REFERENCES.get(element.tag.removeprefix(ns))
        if attribute is not None and element.get(attribute) not in defined:
            raise PmmlError(
                f"field {element.get(attribute)!r} is used by <{element.tag.removeprefix(ns)}> but never defined"
            )


def read_root(data: bytes) -> tuple[Element, str]:
    """The PMML element of a document checked as parse_pmml checks it, and its namespace as `{...}`."""
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
    return root, namespace + "}"


def _schema(root: Element, ns: str) -> PmmlDocument:
    fields = {
        f.get("name", ""): DataField(f.get("name", ""), f.get("optype", ""), f.get("dataType", ""))
        for f in root.iterfind(f"{ns}DataDictionary/{ns}DataField")
    }
    model = next((child for child in root if child.tag.startswith(ns) and is_model(child.tag[len(ns) :])), None)
    if model is None:
        raise PmmlError("PMML has no model element")
    mining = list(model.iterfind(f"{ns}MiningSchema/{ns}MiningField"))
    targets = tuple(f.get("name", "") for f in mining if f.get("usageType") in ("target", "predicted"))
    active = [f.get("name", "") for f in mining if f.get("usageType", "active") == "active"]
    unknown = [name for name in active if name not in fields]
    if unknown:
        raise PmmlError(f"mining fields not in the DataDictionary: {', '.join(unknown)}")
    output_fields = list(model.iterfind(f"{ns}Output/{ns}OutputField"))
    outputs = tuple(o.get("name", "") for o in output_fields)
    replacements = tuple(
        (f.get("name", ""), f.get("missingValueReplacement", ""))
        for f in mining
        if f.get("usageType", "active") == "active" and f.get("missingValueReplacement") is not None
    )
    reason_codes = tuple(o.get("name", "") for o in output_fields if o.get("feature") == "reasonCode")
    return PmmlDocument(
        version=root.get("version", ""),
        model_element=model.tag[len(ns) :],
        function_name=model.get("functionName", ""),
        inputs=tuple(fields[name] for name in active),
        targets=targets,
        outputs=outputs,
        replacements=replacements,
        reason_codes=reason_codes,
    )


def is_model(tag: str) -> bool:
    """Whether an element (by its local name) is a model: every PMML model ends in "Model" but two."""
    return tag.endswith("Model") or tag in ("Scorecard", "NeuralNetwork")


def choose_score_field(names: tuple[str, ...], preferred: str | None = None) -> str:
    """The output that is 'the score': as configured, else P(positive class), else the last output.

    >>> choose_score_field(("probability(0)", "probability(1)"))
    'probability(1)'
    """
    if preferred:
        if preferred not in names:
            raise PmmlError(f"score field {preferred!r} is not an output of the model: {list(names)}")
        return preferred
    for positive in ("probability(1)", "probability(true)", "probability(1.0)"):
        if positive in names:
            return positive
    if not names:
        raise PmmlError("the model has no output field to use as a score")
    return names[-1]
