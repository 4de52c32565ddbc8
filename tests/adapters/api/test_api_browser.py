"""One browser test: headless Chromium opens the Swagger UI at /docs (its assets served by this server, offline), runs
``POST /api/v1/recommend/text`` through the page ("Try it out", edit the body, "Execute") and sees 10 tracks.

Uses the system browser and driver (Debian packages ``chromium`` and ``chromium-driver``, installed by ``.ci/run``)
through selenium with explicit paths, so nothing is downloaded. Skips locally when they are missing; in CI
(``CI=true``) a missing browser is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator

import pytest

from api_harness import ApiServer

CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium") if p and os.path.exists(p)), None)
CHROMEDRIVER = next((p for p in (shutil.which("chromedriver"), "/usr/bin/chromedriver") if p and os.path.exists(p)), None)
OPERATION = "operations-recommend-recommend_text_api_v1_recommend_text_post"


@pytest.fixture
def browser() -> Iterator[object]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        reason = "headless Chromium not installed (apt-get install chromium chromium-driver; .ci/run does it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    os.environ["SE_OFFLINE"] = "true"  # selenium must never try to fetch a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,2000",
                "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def test_swagger_ui_runs_a_text_recommendation(shared_api: ApiServer, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    wait = WebDriverWait(driver, 60)
    driver.get(f"{shared_api.url}/docs")
    block = wait.until(ec.presence_of_element_located((By.ID, OPERATION)))
    block.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(lambda d: block.find_elements(By.CSS_SELECTOR, "button.try-out__btn"))
    block.find_element(By.CSS_SELECTOR, "button.try-out__btn").click()
    body = wait.until(lambda d: block.find_element(By.CSS_SELECTOR, "textarea.body-param__text"))
    body.clear()
    body.send_keys(json.dumps({"text_input": "chill acoustic music for studying", "limit": 10}))
    block.find_element(By.CSS_SELECTOR, "button.execute").click()

    def response_json(d) -> dict | None:
        for el in block.find_elements(By.CSS_SELECTOR, ".live-responses-table .response-col_description pre"):
            text = el.text.strip()
            if text.startswith("{"):
                try:
                    return json.loads(text)
                except ValueError:
                    return None
        return None

    data = wait.until(response_json)
    status = block.find_element(By.CSS_SELECTOR, ".live-responses-table .response .response-col_status").text.strip()
    assert status == "200"
    assert len(data["tracks"]) == 10
    assert all(t["track_name"] and t["reason"] and 0 <= t["score"] <= 1 for t in data["tracks"])
    # the page's scripts and styles came from this server: nothing from a CDN was needed
    sources = driver.execute_script(
        "return Array.from(document.querySelectorAll('script[src],link[href]')).map(e => e.src || e.href)")
    assert sources and all(s.startswith(shared_api.url) for s in sources), sources
