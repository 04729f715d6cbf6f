"""The web interface end to end in a real browser: Debian's headless Chromium driven by Selenium
through Debian's chromedriver (/usr/bin/chromium, /usr/bin/chromedriver; nothing is downloaded).

Upload weather.csv, confirm the parse setup (RainTomorrow made an Enum), parse with a progress
bar, inspect the frame; then build a small deep learning model from the form, follow its job to
the model page, check the scoring-history plot and the confusion matrix, and download the POJO.
A screenshot of every page lands in tests_py/artifacts/ (gitignored).
"""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import requests

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in python_backend's test extra")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1366,900"]
UI_FRAME = "weather_ui.hex"
MODEL_FRAME = "weather_model.hex"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)")


@pytest.fixture(scope="module")
def downloads():
    folder = tempfile.mkdtemp(prefix="h2o_webui_downloads_")
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(downloads):
    profile = tempfile.mkdtemp(prefix="h2o_webui_chromium_")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


# ---- helpers -------------------------------------------------------------------------------

def wait(driver, condition, timeout=30.0, what="condition"):
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        condition, message=f"timed out after {timeout}s waiting for {what}")


def wait_css(driver, css, timeout=30.0):
    return wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, css), timeout, css)[0]


def open_page(driver, server, route):
    driver.get(f"{server.url}/#{route}")
    wait_css(driver, "main h1")


def screenshot(driver, name):
    """A screenshot of the whole page (the window grows to the page's height, then shrinks back)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, max(900, min(int(height) + 20, 8000)))
    time.sleep(0.2)
    driver.save_screenshot(str(ARTIFACTS / name))
    driver.set_window_size(1366, 900)


def script_errors(driver):
    """Browser console errors other than failed HTTP requests (which pages report themselves)."""
    return [e["message"] for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]]


def main_text(driver):
    return driver.find_element(By.TAG_NAME, "main").text


# ---- data: upload, parse setup, parse, frame page -------------------------------------------

def test_every_page_renders_without_script_errors(browser, server):
    for route in ["/", "/jobs", "/frames", "/import", "/models", "/build", "/no/such/page"]:
        open_page(browser, server, route)
        wait(browser, lambda d: "Loading…" not in main_text(d), 30, f"{route} to finish loading")
        assert script_errors(browser) == [], route
    open_page(browser, server, "/")
    assert browser.find_element(By.CSS_SELECTOR, "#nav a[data-nav=jobs]").text == "Jobs"
    screenshot(browser, "00_start.png")


def test_keyboard_skip_link_and_navigation(browser, server):
    open_page(browser, server, "/")
    browser.refresh()  # a fresh load (not a hash change)
    wait_css(browser, "main h1")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)  # a fresh load: the skip link comes first
    assert browser.switch_to.active_element.get_attribute("id") == "skip-link"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main"
    jobs_link = browser.find_element(By.CSS_SELECTOR, "#nav a[data-nav=jobs]")
    jobs_link.send_keys(Keys.ENTER)
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "main h1").text == "Jobs", 10, "the jobs page")
    assert jobs_link.get_attribute("aria-current") == "page"
    assert browser.switch_to.active_element.tag_name == "h1"  # focus moves to the new page's heading


def test_upload_parse_and_inspect_frame(browser, server, data_dir):
    open_page(browser, server, "/import")
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(data_dir / "weather.csv"))
    browser.find_element(By.ID, "upload-button").click()
    wait_css(browser, "#parse-button")

    names = [e.get_attribute("value") for e in browser.find_elements(By.CSS_SELECTOR, ".col-name")]
    assert len(names) == 24 and names[0] == "Date" and names[-1] == "RainTomorrow"
    Select(browser.find_elements(By.CSS_SELECTOR, ".col-type")[names.index("RainTomorrow")]).select_by_value("Enum")
    destination = browser.find_element(By.NAME, "destination_frame")
    destination.clear()
    destination.send_keys(UI_FRAME)
    assert Select(browser.find_element(By.NAME, "separator")).first_selected_option.get_attribute("value") == "44"
    screenshot(browser, "01_import_parse_setup.png")

    browser.find_element(By.ID, "parse-button").click()
    wait_css(browser, "[role=progressbar][aria-label='Parse progress']", 10)
    wait_css(browser, "#view-parsed-frame", 60)
    assert browser.find_element(By.CSS_SELECTOR, "[aria-label='Parse progress']").get_attribute("aria-valuenow") == "100"
    screenshot(browser, "02_import_parsed.png")

    browser.find_element(By.ID, "view-parsed-frame").click()
    summary = wait_css(browser, "table.summary")
    rows = summary.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 24
    rain = [r.text for r in rows if " RainTomorrow " in f" {r.text} "][0]
    assert "enum" in rain and rain.split()[-1] == "2"  # cardinality 2
    temp = [r.find_elements(By.TAG_NAME, "td") for r in rows if "Temp9am" in r.text][0]
    assert [c.text for c in temp[2:6]] == ["real", "0.1", "24.7", "12.924"]  # type, min, max, mean
    preview = wait_css(browser, "table.preview")
    assert len(preview.find_elements(By.CSS_SELECTOR, "tbody tr")) == 10
    assert "2007-11-06" in preview.text
    assert "355" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    screenshot(browser, "03_frame.png")

    open_page(browser, server, "/frames")
    listing = wait_css(browser, "table.frames")
    assert UI_FRAME in listing.text
    screenshot(browser, "04_frames.png")

    open_page(browser, server, "/jobs")
    jobs = wait_css(browser, "table.jobs")
    wait(browser, lambda d: "DONE" in d.find_element(By.CSS_SELECTOR, "table.jobs").text, 10, "the parse job")
    assert browser.find_elements(By.CSS_SELECTOR, "table.jobs [role=progressbar]")
    assert UI_FRAME in jobs.text
    screenshot(browser, "05_jobs.png")
    assert script_errors(browser) == []


# ---- models: build form, job, model page, POJO ------------------------------------------------

def require_endpoint(server, method, path, **kw):
    """Skip (naming the endpoint) while another engineer's endpoint is not there yet."""
    response = requests.request(method, server.url + path, timeout=60, **kw)
    if response.status_code != 200:
        try:
            msg = response.json().get("msg", "")
        except ValueError:
            msg = response.text[:200]
        pytest.skip(f"model endpoint not available yet: {method} {path} answered "
                    f"{response.status_code} ({msg[:160]})")
    return response


def ensure_model_frame(server, data_dir):
    """weather.csv parsed as MODEL_FRAME with RainTomorrow as an Enum, through the REST API."""
    if requests.get(f"{server.url}/3/Frames/{MODEL_FRAME}", timeout=30).status_code == 200:
        return
    with open(data_dir / "weather.csv", "rb") as fh:
        raw = requests.post(f"{server.url}/3/PostFile.bin", params={"destination_frame": "weather_model.csv"},
                            files={"file": fh}, timeout=60).json()["destination_frame"]
    setup = requests.post(f"{server.url}/3/ParseSetup", data={"source_frames": json.dumps([raw])}, timeout=60).json()
    types = list(setup["column_types"])
    types[setup["column_names"].index("RainTomorrow")] = "Enum"
    job = requests.post(f"{server.url}/3/Parse", data={
        "destination_frame": MODEL_FRAME, "source_frames": json.dumps([raw]), "parse_type": setup["parse_type"],
        "separator": setup["separator"], "number_columns": setup["number_columns"],
        "single_quotes": "false", "column_names": json.dumps(setup["column_names"]),
        "column_types": json.dumps(types), "check_header": setup["check_header"],
        "delete_on_done": "true", "chunk_size": setup["chunk_size"]}, timeout=60).json()["job"]
    for _ in range(300):
        status = requests.get(f"{server.url}/3/Jobs/{job['key']['name']}", timeout=30).json()["jobs"][0]
        if status["status"] not in ("CREATED", "RUNNING"):
            assert status["status"] == "DONE", status
            return
        time.sleep(0.2)
    raise AssertionError("the parse did not finish")


def set_text(driver, name, value):
    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def test_build_model_follow_job_and_inspect_model(browser, server, data_dir, downloads):
    require_endpoint(server, "GET", "/3/ModelBuilders/deeplearning")
    ensure_model_frame(server, data_dir)

    open_page(browser, server, f"/build?training_frame={MODEL_FRAME}")
    response = wait_css(browser, "select[name=response_column]", 60)
    Select(response).select_by_value("RainTomorrow")
    wait(browser, lambda d: Select(d.find_element(By.NAME, "response_column")).first_selected_option
         .get_attribute("value") == "RainTomorrow", 10, "the response column")
    for column in ("Date", "RISK_MM"):  # a date and the leak of the answer
        browser.find_element(By.CSS_SELECTOR, f".checklist input[value='{column}']").click()
    set_text(browser, "hidden", "10, 10")
    set_text(browser, "epochs", "2")
    variable_importances = browser.find_element(By.NAME, "variable_importances")
    if not variable_importances.is_selected():
        variable_importances.click()
    expert = browser.find_element(By.CSS_SELECTOR, "details.expert")
    assert expert.get_attribute("open") is None  # expert parameters start collapsed
    screenshot(browser, "06_build_form.png")

    browser.find_element(By.ID, "build-button").click()
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "[aria-label='Training progress']")
         or "#/models/" in d.current_url, 60, "the training job to start")
    wait(browser, lambda d: "#/models/" in d.current_url or d.find_elements(By.CSS_SELECTOR, ".build-status .notice.error"),
         300, "the training job to finish")
    errors = browser.find_elements(By.CSS_SELECTOR, ".build-status .notice.error")
    assert not errors, errors[0].text if errors else ""
    model_id = requests.utils.unquote(browser.current_url.split("#/models/", 1)[1])

    history = wait_css(browser, "#sec-scoring-history-section svg.line-chart", 60)
    assert history.find_elements(By.CSS_SELECTOR, "path.line")
    assert history.find_elements(By.CSS_SELECTOR, "circle.dot")
    matrix = wait_css(browser, "table.confusion-matrix")
    header = matrix.find_element(By.TAG_NAME, "thead").text
    assert "0" in header and "1" in header and "Error" in header
    assert browser.find_elements(By.CSS_SELECTOR, "#sec-metrics-section table")
    assert f'h2o.getModel(h2o_server, "{model_id}")' in main_text(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "#sec-variable-importances-section svg.bar-chart rect.bar")
    params = browser.find_element(By.CSS_SELECTOR, "#sec-parameters-section").text
    assert "epochs" in params and "hidden" in params
    screenshot(browser, "07_model.png")

    open_page(browser, server, "/models")
    assert model_id in wait_css(browser, "table.models").text
    screenshot(browser, "08_models.png")
    open_page(browser, server, "/jobs")
    wait(browser, lambda d: model_id in d.find_element(By.CSS_SELECTOR, "table.jobs").text, 10, "the training job")
    screenshot(browser, "09_jobs_after_build.png")
    assert script_errors(browser) == []

    open_page(browser, server, f"/models/{model_id}")
    wait(browser, lambda d: d.find_elements(By.ID, "download-pojo")
         or "Java model (POJO) is not available" in main_text(d), 60, "the Java model section")
    if not browser.find_elements(By.ID, "download-pojo"):
        pytest.skip(f"model endpoint not available yet: GET /3/Models.java/{model_id}")
    browser.find_element(By.ID, "download-pojo").click()
    pojo = wait(browser, lambda d: [p for p in downloads.glob("*.java") if p.stat().st_size > 0], 60,
                "the POJO download")[0]
    source = pojo.read_text(encoding="utf-8")
    assert "class" in source and "predict" in source


def test_cancel_a_running_job_from_the_jobs_page(browser, server, data_dir):
    require_endpoint(server, "GET", "/3/ModelBuilders/deeplearning")
    ensure_model_frame(server, data_dir)
    answer = requests.post(f"{server.url}/3/ModelBuilders/deeplearning", data={
        "training_frame": MODEL_FRAME, "response_column": "RainTomorrow", "model_id": "webui_cancel_me",
        "hidden": "[50,50]", "epochs": "100000"}, timeout=60)
    assert answer.status_code == 200, answer.text
    job_key = answer.json()["job"]["key"]["name"]
    try:
        open_page(browser, server, "/jobs")
        button = wait_css(browser, f"[data-focus-key='cancel-{job_key}']", 60)
        screenshot(browser, "10_jobs_running.png")
        button.click()
        def row_text(d):
            rows = [r.text for r in d.find_elements(By.CSS_SELECTOR, "table.jobs tbody tr") if job_key in r.text]
            return rows[0] if rows else ""
        wait(browser, lambda d: "CANCELLED" in row_text(d), 60, "the job's row to say CANCELLED")
        assert requests.get(f"{server.url}/3/Jobs/{job_key}", timeout=30).json()["jobs"][0]["status"] == "CANCELLED"
        assert script_errors(browser) == []
    finally:
        requests.post(f"{server.url}/3/Jobs/{job_key}/cancel", timeout=30)
