"""The web page in headless Chromium (Debian's chromium and chromium-driver, driven by Selenium), against the
API on a real socket with a real store and broker: what a person sees, and what an operator can do."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import numpy as np
import orjson
import pandas as pd
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from explain import profile_inputs
from fraudscore import kafka_io
from tests.api.conftest import TOKENS, auth
from tests.pmml_models import logistic

pytestmark = pytest.mark.integration

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.fail("no chromium/chromedriver: `apt-get install chromium chromium-driver` (`make test` does)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_a_person_sees_alerts_models_and_distributions_and_an_operator_promotes_and_rolls_back(served, browser):
    url, settings = served
    amounts = np.exp(np.random.default_rng(1).normal(3.7, 0.6, 5_000))
    profile = profile_inputs(pd.DataFrame({"amount": amounts}))  # the model card, as `fraudscore train` writes it
    card = {"baselines": {"amount": 42.1}, "distributions": profile}
    with httpx.Client(base_url=url, timeout=30) as api:
        api.post("/models/fraud_lr/versions", files={"pmml": ("v1.pmml", logistic({"amount": 0.01}))},
                 data={"threshold": "0.8123456", "metadata": orjson.dumps(card).decode()},
                 headers=auth("operator")).raise_for_status()  # fmt: skip
        api.post("/models/fraud_lr/versions", files={"pmml": ("v2.pmml", logistic({"amount": 0.02}))},
                 data={"alias": "challenger"}, headers=auth("operator")).raise_for_status()  # fmt: skip
    alert = {"event_id": "pos-g42", "event_type": "payment", "customer_id": "c7", "ts": 1_795_320_000_000,
             "model_id": "fraud_lr", "model_version": 1, "alias": "champion", "score": 0.97, "decision": "alert",
             "threshold": 0.8123456, "features": {"amount_z": 4.2, "new_country": True}, "latency_ms": 35}  # fmt: skip
    prefix, bootstrap = settings.kafka.topic_prefix, settings.kafka.bootstrap
    # Live traffic whose amounts are ten times what the model was trained on: its drift is significant.
    events = [{"event_id": f"e{n}", "customer_id": "c1", "amount": float(10 * a)} for n, a in enumerate(amounts[:150])]
    scores = [{"event_id": e["event_id"], "customer_id": "c1", "model_id": "fraud_lr", "model_version": 1,
               "alias": "champion", "score": 0.5, "threshold": 0.8123456, "latency_ms": 20}
              for e in events]  # fmt: skip
    event = {"event_id": "pos-g42", "customer_id": "c7", "amount": 1161.07}
    kafka_io.send(bootstrap, f"{prefix}events", [(b"c1", orjson.dumps(e)) for e in [*events, event]])
    kafka_io.send(bootstrap, f"{prefix}scores", [(b"c1", orjson.dumps(s)) for s in [*scores, alert]])
    kafka_io.send(bootstrap, f"{prefix}alerts", [(b"c7", orjson.dumps(alert))])

    browser.get(url + "/")
    wait = WebDriverWait(browser, 30, poll_frequency=0.2)
    assert wait.until(lambda b: b.find_element(By.ID, "connection").text) == "enter a token"
    use_token(browser, TOKENS["operator"])

    row = wait.until(lambda b: first(b, "#alerts tr[data-event='pos-g42']"))
    assert [td.text for td in row.find_elements(By.TAG_NAME, "td")][1:5] == [
        "payment pos-g42", "c7", "fraud_lr v1", "0.970"]  # fmt: skip
    # The reason, as an analyst reads it: 0.01 x (1161.07 - 42.1) in log-odds moves P(fraud) from 0.0... to 1.
    why = wait.until(lambda b: text_of(b, "#alerts tr[data-event='pos-g42'] td.reasons", "vs usual"))
    assert why.startswith("amount 1,161.07 vs usual 42.1: +0.") and "missing" not in why
    assert wait.until(lambda b: first(b, ".histogram[data-model='fraud_lr v1']"))
    axis = browser.find_element(By.CSS_SELECTOR, ".histogram[data-model='fraud_lr v1'] + .axis").text
    assert axis.startswith("0") and axis.endswith("1") and "score" in axis
    drift = wait.until(lambda b: text_of(b, "#drift tr[data-model='fraud_lr v1']", "significant"))
    assert "fraud_lr v1 (champion) 151" in drift and "amount" in drift  # 150 scores and the alert's
    latency = browser.find_element(By.CSS_SELECTOR, "#latency tr[data-model='fraud_lr']").text
    assert latency == "fraud_lr 151 20 ms 20 ms"  # p99 of 150 x 20 ms and one 35 ms
    threshold = browser.find_elements(By.CSS_SELECTOR, "#models tr[data-version='1'] td")[3].text
    assert threshold == "0.8123"  # rounded for people; the API has 0.8123456
    assert live_column(browser, wait) == {"1": "champion (active)", "2": "challenger (shadow)"}

    click(browser, wait, "tr[data-version='2'] button", "Promote")
    assert wait.until(lambda b: live_column(b) == {"1": "-", "2": "champion (active)"})
    assert "moved from challenger to champion" in browser.find_element(By.ID, "message").text
    click(browser, wait, "tr[data-version='2'] button", "Roll back")
    assert wait.until(lambda b: live_column(b) == {"1": "champion (active)", "2": "-"})

    use_token(browser, TOKENS["viewer"])  # a viewer sees everything and changes nothing
    click(browser, wait, "tr[data-version='2'] button", "Promote")
    message = wait.until(lambda b: b.find_element(By.CSS_SELECTOR, "#message.error").text)
    assert message == "token 'viewer-token' has the role viewer; this needs operator"
    assert live_column(browser, wait) == {"1": "champion (active)", "2": "-"}
    browser.refresh()  # the viewer's own requests: reasons and drift are reads
    assert wait.until(lambda b: text_of(b, "#alerts tr[data-event='pos-g42'] td.reasons", "vs usual")) == why
    assert wait.until(lambda b: text_of(b, "#drift tr[data-model='fraud_lr v1']", "significant"))


def text_of(browser, selector: str, containing: str) -> str | None:
    """The element's text once it contains the words, else None (the page fills it in as answers arrive)."""
    found = browser.find_elements(By.CSS_SELECTOR, selector)
    text = found[0].text if found else ""
    return text if containing in text else None


def use_token(browser, secret: str) -> None:
    field = browser.find_element(By.ID, "token")
    field.clear()
    field.send_keys(secret)
    browser.find_element(By.ID, "use-token").click()


def first(browser, selector: str):
    found = browser.find_elements(By.CSS_SELECTOR, selector)
    return found[0] if found else None


def live_column(browser, wait: WebDriverWait | None = None) -> dict[str, str] | None:
    """Version -> what the Live column says; None while the models table has no rows or was redrawn as it was
    read. With `wait`, read until a whole table has been read (the page redraws it when the token changes)."""
    if wait is not None:
        return wait.until(live_column)
    try:
        rows = browser.find_elements(By.CSS_SELECTOR, "#models tr[data-version]")
        read = {row.get_attribute("data-version"): row.find_element(By.CSS_SELECTOR, "td.live").text for row in rows}
    except Exception:  # the table was redrawn while it was read: read it again next time
        return None
    return read or None


def click(browser, wait: WebDriverWait, selector: str, label: str) -> None:
    def clicked(b) -> bool:
        for candidate in b.find_elements(By.CSS_SELECTOR, selector):
            try:
                if candidate.text == label:
                    candidate.click()
                    return True
            except Exception:  # redrawn under the pointer: find it again
                return False
        return False

    wait.until(clicked)
