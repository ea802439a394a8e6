"""PMML is XML from outside: each kind of bad document gets one clear error, no crash, bounded memory."""

from __future__ import annotations

import pytest

from pmml_engine.document import MAX_PMML_BYTES, PmmlError
from pmml_engine.engine import load_scorer

GOOD_HEAD = '<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>'
DICTIONARY = '<DataDictionary><DataField name="x" optype="continuous" dataType="double"/></DataDictionary>'
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><PMML>&lol3;</PMML>"""
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY e SYSTEM "file:///etc/passwd">]><PMML>&e;</PMML>'
MODEL = ('<RegressionModel functionName="regression"><MiningSchema><MiningField name="x"/></MiningSchema>'
         '<RegressionTable intercept="1"><NumericPredictor name="{name}" coefficient="2"/></RegressionTable>'
         "</RegressionModel>")  # fmt: skip

CASES = {
    "not XML": (b"this is not a model", "PMML is not well-formed XML: syntax error: line 1, column 0"),
    "a billion laughs": (LAUGHS.encode(), "PMML must not declare a DTD or entities"),
    "an external entity": (EXTERNAL.encode(), "PMML must not declare a DTD or entities"),
    "the wrong namespace": (b'<PMML xmlns="http://example.com/pmml"/>',
                            "not a PMML 4.x document (root element '{http://example.com/pmml}PMML')"),
    "no model": (f"{GOOD_HEAD}{DICTIONARY}</PMML>".encode(), "PMML has no model element"),
    "a field used but never defined": (f"{GOOD_HEAD}{DICTIONARY}{MODEL.format(name='amount')}</PMML>".encode(),
                                       "field 'amount' is used by <NumericPredictor> but never defined"),
    "a number that is not one": (f"{GOOD_HEAD}{DICTIONARY}{MODEL.format(name='x')}</PMML>".replace('"1"', '"one"')
                                 .encode(), "the PMML has a value that cannot be read: ValueError: could not convert "
                                            "string to float: 'one'"),
}  # fmt: skip


@pytest.mark.parametrize("document, message", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("engine", ["auto", "compiled"])
def test_bad_documents_get_one_clear_error(document, message, engine):
    with pytest.raises(PmmlError) as error:
        load_scorer(document, engine=engine)
    assert str(error.value) == message


def test_200_mb_of_nonsense_is_refused_before_it_is_parsed():
    with pytest.raises(PmmlError, match=f"the limit is {MAX_PMML_BYTES}"):
        load_scorer(b"<" * (200 * 1024 * 1024))


def test_an_unknown_model_element_is_an_error_from_either_engine():
    with pytest.raises(PmmlError, match="compiled engine cannot score this model: model <FooModel>"):
        load_scorer(f"{GOOD_HEAD}{DICTIONARY}<FooModel/></PMML>".encode(), engine="compiled")
    with pytest.raises(PmmlError, match="pypmml cannot load the model"):
        load_scorer(f"{GOOD_HEAD}{DICTIONARY}<FooModel/></PMML>".encode())


def test_an_unknown_engine_is_named():
    with pytest.raises(PmmlError, match="unknown engine 'fast'; use one of auto, compiled, pypmml"):
        load_scorer(b"<PMML/>", engine="fast")
