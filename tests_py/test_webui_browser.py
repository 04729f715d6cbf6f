"""The web interface end to end in a real browser: Debian's headless Chromium driven by Selenium
through Debian's chromedriver (/usr/bin/chromium, /usr/bin/chromedriver; nothing is downloaded).

Upload weather.csv, confirm the parse setup (RainTomorrow made an Enum), parse with a progress
bar, inspect the frame; then build a small deep learning model on it from the form (validated on
the same file parsed through the REST API), follow its job to the model page, check the
scoring-history plot and the confusion matrices, download the POJO and the saved model, and
cancel a running job from the jobs page. A CSV whose header, values and frame key hold HTML and
script text is shown as text on the import, frame, frames and model pages (nothing runs). A screenshot of every page lands in tests_py/artifacts/
(gitignored, rewritten on each run). Only a missing Chromium or chromedriver skips.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import onnx
import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from h2o_backend.export.pojo_java import java_id

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
    for old in ARTIFACTS.glob("*.png"):  # the screenshots are this run's
        old.unlink()
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


# ---- helpers -------------------------------------------------------------------------------

def wait(driver, condition, timeout=30.0, what="condition"):
    # Pages replace their content as answers arrive: an element found a moment ago may be gone.
    return WebDriverWait(driver, timeout, poll_frequency=0.2,
                         ignored_exceptions=(StaleElementReferenceException,)).until(
        condition, message=f"timed out after {timeout}s waiting for {what}")


def wait_css(driver, css, timeout=30.0):
    return wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, css), timeout, css)[0]


def open_page(driver, server, route):
    driver.get(f"{server.url}/#{route}")
    wait_css(driver, "main h1")


def screenshot(driver, name):
    """A screenshot of the whole page (the window grows to the page's height, then shrinks back)."""
    driver.execute_script("window.scrollTo(0, 0)")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, max(900, min(int(height) + 20, 8000)))
    time.sleep(0.2)
    driver.save_screenshot(str(ARTIFACTS / name))
    driver.set_window_size(1366, 900)


def script_errors(driver):
    """Browser console errors other than failed HTTP requests (which pages report themselves)."""
    return [e["message"] for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]]


UNLABELLED_JS = """
const named = (el) => el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") ||
  (el.labels && el.labels.length) || (["BUTTON", "A", "SUMMARY"].includes(el.tagName) && el.textContent.trim());
return [...document.querySelectorAll("main input, main select, main textarea, main button, main a[href], main summary")]
  .filter((el) => el.type !== "hidden" && el.offsetParent !== null && !named(el))
  .map((el) => el.outerHTML.slice(0, 160));
"""


def unlabelled_controls(driver):
    """Visible controls of the page with no accessible name (no label, aria-label or text)."""
    return driver.execute_script(UNLABELLED_JS)


def main_text(driver):
    return driver.find_element(By.TAG_NAME, "main").text


# ---- data: upload, parse setup, parse, frame page -------------------------------------------

def test_every_page_renders_without_script_errors(browser, server):
    for route in ["/", "/jobs", "/frames", "/import", "/models", "/build", "/no/such/page"]:
        open_page(browser, server, route)
        wait(browser, lambda d: "Loading…" not in main_text(d), 30, f"{route} to finish loading")
        assert script_errors(browser) == [], route
        assert unlabelled_controls(browser) == [], route
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
    assert unlabelled_controls(browser) == []
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


def test_import_a_server_side_file(browser, server, data_dir):
    open_page(browser, server, "/import")
    set_text(browser, "path", str(data_dir / "iris.csv"))
    browser.find_element(By.ID, "import-button").click()
    wait_css(browser, "#parse-button")
    names = [e.get_attribute("value") for e in browser.find_elements(By.CSS_SELECTOR, ".col-name")]
    assert len(names) == 5
    types = [Select(e).first_selected_option.text for e in browser.find_elements(By.CSS_SELECTOR, ".col-type")]
    assert types[:4] == ["Numeric"] * 4 and types[4] == "Enum"
    set_text(browser, "destination_frame", "iris_ui.hex")
    browser.find_element(By.ID, "parse-button").click()
    wait_css(browser, "#view-parsed-frame", 60).click()
    assert "150" in wait_css(browser, "dl.facts").text
    assert script_errors(browser) == []


# ---- models: build form, job, model page, POJO ------------------------------------------------

def parse_through_rest(server, raw_key, destination, enum_column=None):
    """Parse the raw file `raw_key` into `destination` (with `enum_column` made an Enum)."""
    setup = requests.post(f"{server.url}/3/ParseSetup", data={"source_frames": json.dumps([raw_key])},
                          timeout=60).json()
    types = list(setup["column_types"])
    if enum_column:
        types[setup["column_names"].index(enum_column)] = "Enum"
    job = requests.post(f"{server.url}/3/Parse", data={
        "destination_frame": destination, "source_frames": json.dumps([raw_key]), "parse_type": setup["parse_type"],
        "separator": setup["separator"], "number_columns": setup["number_columns"],
        "single_quotes": "false", "column_names": json.dumps(setup["column_names"]),
        "column_types": json.dumps(types), "check_header": setup["check_header"],
        "delete_on_done": "true", "chunk_size": setup["chunk_size"]}, timeout=60).json()["job"]
    wait_for_job(server, job["key"]["name"])


def wait_for_job(server, job_key, timeout=120.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = requests.get(f"{server.url}/3/Jobs/{job_key}", timeout=30).json()["jobs"][0]
        if status["status"] not in ("CREATED", "RUNNING"):
            assert status["status"] == "DONE", status
            return
        time.sleep(0.2)
    raise AssertionError(f"job {job_key} did not finish in {timeout}s")


def ensure_model_frame(server, data_dir):
    """weather.csv parsed as MODEL_FRAME with RainTomorrow as an Enum, through the REST API."""
    if requests.get(f"{server.url}/3/Frames/{MODEL_FRAME}", timeout=30).status_code == 200:
        return
    with open(data_dir / "weather.csv", "rb") as fh:
        raw = requests.post(f"{server.url}/3/PostFile.bin", params={"destination_frame": "weather_model.csv"},
                            files={"file": fh}, timeout=60).json()["destination_frame"]
    parse_through_rest(server, raw, MODEL_FRAME, enum_column="RainTomorrow")


def set_text(driver, name, value):
    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def wait_download(downloads, name, timeout=60.0):
    """The file `name` in the download folder once Chromium has finished writing it."""
    target = downloads / name
    deadline = time.time() + timeout
    while time.time() < deadline:
        if target.is_file() and target.stat().st_size > 0 and not list(downloads.glob("*.crdownload")):
            return target
        time.sleep(0.2)
    raise AssertionError(f"{name} was not downloaded in {timeout}s; the folder holds {sorted(os.listdir(downloads))}")


def test_java_class_names_follow_the_servers_rule(browser, server):
    """The page names the POJO class with the same rule as h2o_backend/export/pojo_java.py."""
    open_page(browser, server, "/")
    keys = ["DeepLearning_model_R_1", "my model-1.hex", "1st", "", "class", "_", "mnist/dl:200x3", "modèle", "a$b"]
    names = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "import('/webui/js/model_util.js').then((m) => done(arguments[0].map(m.javaId)));", keys)
    assert names == [java_id(k) for k in keys]


def test_build_model_follow_job_and_inspect_model(browser, server, data_dir, downloads):
    ensure_model_frame(server, data_dir)
    uploaded = requests.get(f"{server.url}/3/Frames/{UI_FRAME}", timeout=30).status_code == 200
    training = UI_FRAME if uploaded else MODEL_FRAME  # the upload test's frame, unless run alone

    open_page(browser, server, f"/build?training_frame={training}")
    response = wait_css(browser, "select[name=response_column]", 60)
    Select(response).select_by_value("RainTomorrow")
    wait(browser, lambda d: Select(d.find_element(By.NAME, "response_column")).first_selected_option
         .get_attribute("value") == "RainTomorrow", 10, "the response column")
    for column in ("Date", "RISK_MM"):  # a date and the leak of the answer
        browser.find_element(By.CSS_SELECTOR, f".checklist input[value='{column}']").click()
    Select(browser.find_element(By.NAME, "validation_frame")).select_by_value(MODEL_FRAME)
    set_text(browser, "hidden", "10, 10")
    set_text(browser, "epochs", "5")
    set_text(browser, "train_samples_per_iteration", "200")  # with score_interval 0: a scoring every 200
    set_text(browser, "score_interval", "0")                 # samples, several points to plot
    set_text(browser, "score_duty_cycle", "1")
    set_text(browser, "score_training_samples", "150")  # training error on a sample, validation on all rows
    variable_importances = browser.find_element(By.NAME, "variable_importances")
    if not variable_importances.is_selected():
        variable_importances.click()
    expert = browser.find_element(By.CSS_SELECTOR, "details.expert")
    assert expert.get_attribute("open") is None  # expert parameters start collapsed
    assert unlabelled_controls(browser) == []
    screenshot(browser, "06_build_form.png")

    browser.find_element(By.ID, "build-button").click()
    wait(browser, lambda d: "#/models/" in d.current_url or d.find_elements(By.CSS_SELECTOR, ".build-status .notice.error"),
         120, "the training job to finish")
    errors = browser.find_elements(By.CSS_SELECTOR, ".build-status .notice.error")
    assert not errors, errors[0].text if errors else ""
    model_id = requests.utils.unquote(browser.current_url.split("#/models/", 1)[1])
    cls = java_id(model_id)

    history = wait_css(browser, "#sec-scoring-history-section svg.line-chart", 60)
    assert history.find_elements(By.CSS_SELECTOR, "g.series-train path.line")
    assert history.find_elements(By.CSS_SELECTOR, "g.series-valid path.line")
    assert len(history.find_elements(By.CSS_SELECTOR, "g.series-train circle.dot")) >= 2
    matrices = browser.find_elements(By.CSS_SELECTOR, "table.confusion-matrix")
    assert len(matrices) == 2  # training and validation
    header = matrices[0].find_element(By.TAG_NAME, "thead").text
    assert "Error" in header and "Rate" in header
    assert browser.find_elements(By.CSS_SELECTOR, "#sec-metrics-section table")
    assert f'h2o.getModel(h2o_server, "{model_id}")' in main_text(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "#sec-variable-importances-section svg.bar-chart rect.bar")
    params = browser.find_element(By.CSS_SELECTOR, "#sec-parameters-section").text
    assert "epochs" in params and "hidden" in params
    pojo_button = wait_css(browser, "#download-pojo", 60)
    java_text = browser.find_element(By.CSS_SELECTOR, "#sec-java-model-pojo-section").text
    assert f"javac -J-Xmx2g {cls}.java" in java_text and "PredictCsv --mojo" in java_text
    assert unlabelled_controls(browser) == []
    screenshot(browser, "07_model.png")

    Select(browser.find_element(By.CSS_SELECTOR, "#sec-predict-section select")).select_by_value(MODEL_FRAME)
    browser.find_element(By.ID, "predict-button").click()
    predicted = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#sec-predict-section .notice.success a")
                     or d.find_elements(By.CSS_SELECTOR, "#sec-predict-section .notice.error"), 60, "the predictions")[0]
    assert predicted.tag_name == "a", predicted.text
    assert browser.find_elements(By.CSS_SELECTOR, "#sec-predict-section table.confusion-matrix")

    pojo_button.click()
    source = wait_download(downloads, f"{cls}.java").read_text(encoding="utf-8")
    assert f"public class {cls} " in source and "public double[] score0(double[] row, double[] preds)" in source
    browser.find_element(By.ID, "download-model").click()
    with zipfile.ZipFile(wait_download(downloads, model_id)) as archive:
        assert json.loads(archive.read("model.json"))["model_id"] == model_id
    assert "InferenceSession" in browser.find_element(By.CSS_SELECTOR, "#sec-onnx-model-section").text
    browser.find_element(By.ID, "download-onnx").click()
    onnx_model = onnx.load_from_string(wait_download(downloads, f"{model_id}.onnx").read_bytes())
    assert [o.name for o in onnx_model.graph.output][0] == "predict"
    browser.find_element(By.ID, "download-mojo").click()
    with zipfile.ZipFile(wait_download(downloads, f"{model_id}.zip")) as archive:
        assert "algorithm = Deep Learning" in archive.read("model.ini").decode()

    open_page(browser, server, "/models")
    listing = wait_css(browser, "table.models")
    row = [r for r in listing.find_elements(By.CSS_SELECTOR, "tbody tr") if model_id in r.text][0].text
    assert "Binomial" in row and "RainTomorrow" in row and "classification error" in row
    screenshot(browser, "08_models.png")
    open_page(browser, server, "/jobs")
    wait(browser, lambda d: model_id in d.find_element(By.CSS_SELECTOR, "table.jobs").text, 10, "the training job")
    screenshot(browser, "09_jobs_after_build.png")
    assert script_errors(browser) == []


def test_cancel_a_running_job_from_the_jobs_page(browser, server, data_dir):
    ensure_model_frame(server, data_dir)
    answer = requests.post(f"{server.url}/3/ModelBuilders/deeplearning", data={
        "training_frame": MODEL_FRAME, "response_column": "RainTomorrow", "model_id": "webui_cancel_me",
        "hidden": "[50,50]", "epochs": "100000", "classification_stop": "-1"}, timeout=60)  # runs until cancelled
    assert answer.status_code == 200, answer.text
    job_key = answer.json()["job"]["key"]["name"]
    try:
        open_page(browser, server, "/jobs")
        button = wait_css(browser, f"[data-focus-key='cancel-{job_key}']", 60)
        time.sleep(1.5)  # a refresh or two: the running row is updated in place, its button stays
        wait(browser, lambda d: "Training: epoch" in row_text(d, job_key), 10, "the live progress message")
        screenshot(browser, "10_jobs_running.png")
        button.click()
        wait(browser, lambda d: "CANCELLED" in row_text(d, job_key), 60, "the job's row to say CANCELLED")
        assert requests.get(f"{server.url}/3/Jobs/{job_key}", timeout=30).json()["jobs"][0]["status"] == "CANCELLED"
        assert not browser.find_elements(By.CSS_SELECTOR, f"[data-focus-key='cancel-{job_key}']")
        assert script_errors(browser) == []
    finally:
        requests.post(f"{server.url}/3/Jobs/{job_key}/cancel", timeout=30)


def test_multinomial_model_page_shows_hit_ratios(browser, server, data_dir):
    raw = requests.get(f"{server.url}/3/ImportFiles", params={"path": str(data_dir / "iris.csv")},
                       timeout=60).json()["destination_frames"][0]
    parse_through_rest(server, raw, "iris_rest.hex")
    answer = requests.post(f"{server.url}/3/ModelBuilders/deeplearning", data={
        "training_frame": "iris_rest.hex", "response_column": "C5", "model_id": "webui_iris",
        "hidden": "[5]", "epochs": "2", "seed": "1", "reproducible": "true"}, timeout=60)
    assert answer.status_code == 200, answer.text
    wait_for_job(server, answer.json()["job"]["key"]["name"])
    open_page(browser, server, "/models/webui_iris")
    hits = wait_css(browser, "#sec-hit-ratios-section table", 30)
    assert [r.text.split()[0] for r in hits.find_elements(By.CSS_SELECTOR, "tbody tr")] == ["1", "2", "3"]
    matrix = browser.find_element(By.CSS_SELECTOR, "table.confusion-matrix")
    assert "Iris-versicolor" in matrix.find_element(By.TAG_NAME, "thead").text
    assert "Multinomial" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert not browser.find_elements(By.CSS_SELECTOR, "#sec-variable-importances-section svg")  # not computed
    wait_css(browser, "#download-pojo", 30)
    screenshot(browser, "12_model_multinomial.png")
    assert script_errors(browser) == []


FAILED_JOB = {"key": {"name": "job_that_failed"}, "description": "DeepLearning model broken", "status": "FAILED",
              "progress": 0.4, "progress_msg": "Training", "start_time": 1700000000000, "msec": 1234,
              "dest": {"name": "broken_model", "type": "Key<Model>"}, "warnings": [],
              "exception": "ValueError: the training diverged",
              "stacktrace": "at train (training.py:1)"}

MOCK_JOBS_JS = """
const answer = JSON.stringify({jobs: [arguments[0]]});
const real = window.fetch;
window.fetch = (url, init) => (String(url).startsWith("/3/Jobs")
  ? Promise.resolve(new Response(answer, {status: 200, headers: {"Content-Type": "application/json"}}))
  : real(url, init));
window.location.hash = "#/jobs";
"""


def test_a_failed_job_shows_its_error(browser, server):
    """The jobs page of a failed job (GET /3/Jobs answered by a stand-in in the page: no job of this
    server fails on purpose) shows its status, error and stack trace, and no cancel button."""
    open_page(browser, server, "/")
    browser.execute_script(MOCK_JOBS_JS, FAILED_JOB)
    error = wait_css(browser, "table.jobs .job-error", 10)
    assert "the training diverged" in error.text
    row = browser.find_element(By.CSS_SELECTOR, "table.jobs tbody tr").text
    assert "FAILED" in row and "1.2 s" in row and "Cancel" not in row
    error.find_element(By.TAG_NAME, "summary").click()
    assert "training.py:1" in error.text
    screenshot(browser, "11_jobs_failed.png")
    browser.refresh()  # the real fetch again


def row_text(driver, job_key):
    """The text of the jobs table's row of `job_key`, read in one script (rows are rebuilt when a
    job's status changes, so elements found earlier may be gone)."""
    texts = driver.execute_script(
        "return [...document.querySelectorAll('table.jobs tbody tr')].map((r) => r.innerText)")
    rows = [t for t in texts if job_key in t]
    return rows[0] if rows else ""


# ---- names and values that hold HTML are shown as text ----------------------------------------

XSS_IMG = "<img src=x onerror=window.__xss=1>"
XSS_SCRIPT = "<script>window.__xss=2</script>"
XSS_FRAME = "xss<img src=x onerror=window.__xss=3>.hex"
XSS_MODEL = "xss_model"


def xss_csv(folder: Path) -> Path:
    """A header and enum levels that are HTML; `num` is numeric, so the first line is a header."""
    lines = [f'"{XSS_IMG}",num,"{XSS_SCRIPT}"']
    for i in range(60):
        lines.append(f'"{XSS_IMG if i % 2 else "<i>plain</i>"}",{i},"{XSS_SCRIPT if i % 3 else "ok"}"')
    path = folder / "xss.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def assert_no_injection(driver):
    """Nothing ran and no element was made from the server's text."""
    assert driver.execute_script("return typeof window.__xss") == "undefined"
    assert driver.execute_script(
        "return document.querySelectorAll('main img, main script, main i').length") == 0


def test_html_in_names_and_values_is_shown_as_text(browser, server, tmp_path):
    open_page(browser, server, "/import")
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(xss_csv(tmp_path)))
    browser.find_element(By.ID, "upload-button").click()
    wait_css(browser, "#parse-button")
    names = [e.get_attribute("value") for e in browser.find_elements(By.CSS_SELECTOR, ".col-name")]
    assert names == [XSS_IMG, "num", XSS_SCRIPT]
    assert XSS_IMG in main_text(browser)           # the preview's values, as text
    assert_no_injection(browser)
    set_text(browser, "destination_frame", XSS_FRAME)
    browser.find_element(By.ID, "parse-button").click()
    wait_css(browser, "#view-parsed-frame", 60).click()

    summary = wait_css(browser, "table.summary")    # the frame page
    assert XSS_IMG in summary.text and XSS_SCRIPT in summary.text
    assert XSS_FRAME in main_text(browser)
    wait(browser, lambda d: "<i>plain</i>" in main_text(d), 10, "the preview's values")
    assert_no_injection(browser)
    screenshot(browser, "13_frame_with_html_text.png")

    open_page(browser, server, "/frames")
    assert XSS_FRAME in wait_css(browser, "table.frames").text
    assert_no_injection(browser)

    answer = requests.post(f"{server.url}/3/ModelBuilders/deeplearning", data={
        "training_frame": XSS_FRAME, "response_column": XSS_SCRIPT, "model_id": XSS_MODEL,
        "hidden": "[3]", "epochs": "1", "seed": "1", "variable_importances": "true"}, timeout=60)
    assert answer.status_code == 200, answer.text
    wait_for_job(server, answer.json()["job"]["key"]["name"])
    open_page(browser, server, f"/models/{XSS_MODEL}")
    matrix = wait_css(browser, "table.confusion-matrix", 30)
    assert XSS_SCRIPT in matrix.text and "ok" in matrix.text     # the response's levels
    wait(browser, lambda d: XSS_FRAME in main_text(d), 10, "the training frame's key")
    assert XSS_SCRIPT in main_text(browser)
    assert_no_injection(browser)
    screenshot(browser, "14_model_with_html_text.png")

    open_page(browser, server, "/frames/" + requests.utils.quote(XSS_IMG + ".hex", safe=""))
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "main .notice.error"), 10, "the error")
    assert XSS_IMG in main_text(browser)           # the server's message naming the key
    assert_no_injection(browser)
    # api.js's own report of a request cut short when a page is left (seen once) is not a script
    # error of the page; anything else is
    assert [m for m in script_errors(browser) if "/webui/js/api.js" not in m] == []


def test_the_web_interface_behind_basic_authentication(browser, tmp_path, data_dir):
    """A server with --auth-file: the page is refused without credentials; with them (sent by the
    browser as after its password prompt, here through DevTools) every asset and API call passes."""
    from access_helpers import GatedServer, htpasswd
    gated = GatedServer("--auth-file", str(htpasswd(tmp_path / "users", "webui", "pw")),
                        auth=("webui", "pw"))
    try:
        browser.get(gated.url + "/")
        assert not browser.find_elements(By.CSS_SELECTOR, "main h1")
        assert "webui/js/app.js" not in browser.page_source
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {
            "headers": {"Authorization": requests.auth._basic_auth_str("webui", "pw")}})
        open_page(browser, gated, "/import")
        set_text(browser, "path", str(data_dir / "iris.csv"))
        browser.find_element(By.ID, "import-button").click()
        wait_css(browser, "#parse-button")
        set_text(browser, "destination_frame", "iris_auth_ui.hex")
        browser.find_element(By.ID, "parse-button").click()
        wait_css(browser, "#view-parsed-frame", 60).click()
        assert "150" in wait_css(browser, "dl.facts").text
        assert script_errors(browser) == []
    finally:
        browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})
        gated.stop()
