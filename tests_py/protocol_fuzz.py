"""Property-based requests generated from protocol/openapi.yaml with schemathesis, shared by
tests_py/test_fuzz_protocol.py (a bounded run in `make test`) and bench/fuzz.py (10,000+ requests).

`Fuzzer(base_url, server_alive)` sends, for every documented operation, requests that match
the document (positive) and requests that break it (negative: wrong types, missing required
values, unknown parameters), and checks every answer against the document: no 5xx, a documented
status, a documented content type and headers, a body matching the documented schema. It counts
requests, 5xx answers, document violations and server deaths instead of stopping at the first.

`seed_data(base_url, csv_path)` uploads and parses a small frame and trains a small model first,
under the names the document's examples use (fuzz.hex, fuzz_model), so operations on existing
keys are exercised too, not only their 404s. Stateful sequences (upload -> parse -> train ->
predict -> delete) follow the document's OpenAPI links (`Fuzzer.run_stateful`).
"""
from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks as st_checks
from schemathesis.generation import GenerationMode

OPENAPI = Path(__file__).resolve().parent.parent / "protocol" / "openapi.yaml"

CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance,
          st_checks.content_type_conformance, st_checks.response_headers_conformance,
          st_checks.response_schema_conformance]

# Every documented operation is fuzzed; none is excluded.
EXCLUDED: dict[str, str] = {}
# Operations that end the server when accepted: fuzzed on their own (`operations(stopping=True)`,
# never in the linked sequences); once one is accepted nothing more is sent, and the server's exit
# is what was asked for, not a crash.
STOPS_SERVER = {"POST /3/Shutdown"}
# Query values that are never generated, because the server writes a file where they point (a
# generated absolute path could land anywhere on the machine): a folder of the run's own.
WRITES_FILES = {"GET /99/Models.bin/{model_id}": "dir"}


@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    violations: int = 0
    crashes: int = 0
    examples: list[str] = field(default_factory=list)      # the first few failures, for the report
    by_status: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)          # (operation, status, failure title)

    def note(self, text: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(text)


def load_schema(base_url: str):
    schema = schemathesis.openapi.from_path(str(OPENAPI))
    schema.config.update(base_url=base_url)
    return schema


class Fuzzer:
    """`keys` maps path parameter names to existing keys (from seed_data): each operation that
    reads or uses them (not DELETE: the linked sequences delete what they create) is also fuzzed
    with its path bound to them, so its answers on real frames and models are checked too."""

    def __init__(self, base_url: str, server_alive=lambda: True, timeout: float = 30.0,
                 keys: dict[str, str] | None = None, scratch: str | None = None):
        self.base_url = base_url
        self.keys = dict(keys or {})
        self.scratch = scratch or tempfile.mkdtemp(prefix="h2o_fuzz_files_")
        self.sample_csv: bytes | None = None     # what half the linked uploads send (run_stateful)
        self.schema = load_schema(base_url)
        self.alive = server_alive
        self.timeout = timeout
        self.tally = Tally()
        self.session = requests.Session()
        self.stopped = False      # an operation of STOPS_SERVER was accepted: the server is gone

    def operations(self, stopping: bool = False):
        """Every documented operation but those of STOPS_SERVER, the DELETEs last (DELETE /3/DKV
        removes the seeded keys); with `stopping`, only those of STOPS_SERVER."""
        ops = [r.ok() for r in self.schema.get_all_operations()]
        ops = [op for op in ops if f"{op.method.upper()} {op.path}" not in EXCLUDED
               and (f"{op.method.upper()} {op.path}" in STOPS_SERVER) == stopping]
        return sorted(ops, key=lambda op: op.method.lower() == "delete")

    def send(self, case) -> None:
        """One request: call, check against the document, count."""
        response = self.call(case)
        if response is not None:
            self.check(case, response)

    def call(self, case):
        """The answer to `case`, or None when none came while the server lives (counted)."""
        if self.stopped:
            return None
        t = self.tally
        t.requests += 1
        label = f"{case.method.upper()} {case.formatted_path}"
        written = WRITES_FILES.get(f"{case.method.upper()} {case.path}")
        if written:
            case.query = {**(case.query or {}), written: os.path.join(self.scratch, "written")}
        try:
            response = case.call(session=self.session, timeout=self.timeout)
        except requests.RequestException as exc:
            if not self.alive():
                t.crashes += 1
                t.note(f"server died at {label}: {exc}")
                raise ServerDied(label) from exc
            t.violations += 1
            t.note(f"{label}: no answer: {exc}")
            return None
        if f"{case.method.upper()} {case.path}" in STOPS_SERVER and response.status_code == 200:
            self.stopped = True    # asked for: the server now stops
            return response
        if not self.alive():
            t.crashes += 1
            t.note(f"server died after {label}")
            raise ServerDied(label)
        return response

    def check(self, case, response) -> None:
        t = self.tally
        label = f"{case.method.upper()} {case.formatted_path}"
        t.by_status[response.status_code] += 1
        if response.status_code >= 500:
            t.server_errors += 1
            t.note(f"{label} {case.query or ''}: {response.status_code} {response.text[:300]}")
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:   # schemathesis: one failure or a FailureGroup
            if response.status_code < 500:
                t.violations += 1
                titles = [getattr(e, "title", type(e).__name__) for e in getattr(exc, "exceptions", [exc])]
                t.kinds[(f"{case.method.upper()} {case.path}", response.status_code, "; ".join(titles))] += 1
                t.note(f"{label} {case.query or ''} {str(case.body)[:200] if case.body is not None else ''}"
                       f" -> {response.status_code}: {str(exc)[:500]}")

    def bound_path(self, op) -> dict[str, str] | None:
        names = [p.name for p in op.path_parameters]
        if not names or op.method.lower() == "delete" or not all(n in self.keys for n in names):
            return None
        return {n: self.keys[n] for n in names}

    def run_operation(self, op, max_examples: int, seed: int = 0) -> None:
        """`max_examples` generated requests of each mode (positive, negative) for one operation,
        and as many again with its path bound to existing keys when there are some."""
        bound = self.bound_path(op)
        rounds = [(path, mode) for path in [None] + ([bound] if bound else [])
                  for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        for path, mode in rounds:
            try:
                strategy = (op.as_strategy(generation_mode=mode, path_parameters=path) if path
                            else op.as_strategy(generation_mode=mode))
            except Exception as exc:       # an operation whose negative space is empty
                self.tally.note(f"{op.method.upper()} {op.path} {mode.value}: no strategy: {exc}")
                continue

            @settings(max_examples=max_examples, phases=[Phase.generate], database=None,
                      deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
            @hypothesis.seed(seed)
            @given(case=strategy)
            def run(case):
                self.send(case)
            try:
                run()
            except ServerDied:
                raise
            except hypothesis.errors.Unsatisfiable:
                pass

    def run_stateful(self, max_examples: int, seed: int = 0, steps: int = 8) -> None:
        """Sequences of calls that follow the document's links (a created key is used by the
        next operation), `max_examples` sequences of at most `steps` calls. Every other upload
        sends `sample_csv` (when set) instead of generated bytes, so that parse, train, predict
        and delete are reached on real data too."""
        fuzzer = self

        uploads = [0]

        linked = self.schema
        for stop in STOPS_SERVER:
            method, path = stop.split(" ", 1)
            linked = linked.exclude(method=method, path=path)

        class Machine(linked.as_state_machine()):
            def call(self, case, **kwargs):
                if case.path in ("/3/PostFile", "/3/PostFile.bin") and fuzzer.sample_csv is not None:
                    uploads[0] += 1
                    if uploads[0] % 2:       # every other upload is a real CSV, so sequences go on
                        multipart = (case.media_type or "").startswith("multipart")
                        case.body = {"file": fuzzer.sample_csv} if multipart else fuzzer.sample_csv
                response = fuzzer.call(case)
                if response is None:
                    raise NoAnswer(case.formatted_path)
                return response

            def validate_response(self, response, case, additional_checks=None, **kwargs):
                fuzzer.check(case, response)

        try:
            Machine.run(settings=settings(max_examples=max_examples, stateful_step_count=steps,
                                          phases=[Phase.generate], database=None, deadline=None,
                                          suppress_health_check=list(HealthCheck)))
        except NoAnswer:
            pass

    def run_all(self, max_examples: int, seed: int = 0, stopping: bool = False) -> Tally:
        for op in self.operations(stopping):
            self.run_operation(op, max_examples, seed)
        return self.tally


class ServerDied(RuntimeError):
    pass


class NoAnswer(RuntimeError):
    pass


def seed_data(base_url: str, csv_path: Path) -> dict[str, str]:
    """An empty store, then fuzz.csv uploaded and parsed to fuzz.hex, fuzz_model trained on it and
    its predictions fuzz_pred; answers the path parameters bound to them (Fuzzer's `keys`)."""
    requests.delete(f"{base_url}/3/DKV", timeout=60).raise_for_status()
    with open(csv_path, "rb") as fh:
        requests.post(f"{base_url}/3/PostFile.bin", params={"destination_frame": "fuzz.csv"},
                      files={"file": fh}, timeout=60).raise_for_status()
    requests.post(f"{base_url}/3/Parse", data={"source_frames": '["fuzz.csv"]', "destination_frame": "fuzz.hex",
                                               "blocking": "true", "delete_on_done": "false"},
                  timeout=120).raise_for_status()
    job = requests.post(f"{base_url}/3/ModelBuilders/deeplearning", data={
        "training_frame": "fuzz.hex", "response_column": "CAPSULE", "hidden": "[3]", "epochs": "1",
        "model_id": "fuzz_model", "classification": "true"}, timeout=60)
    job.raise_for_status()
    key = job.json()["job"]["key"]["name"]
    deadline = time.time() + 120
    while time.time() < deadline:
        status = requests.get(f"{base_url}/3/Jobs/{key}", timeout=30).json()["jobs"][0]["status"]
        if status != "RUNNING" and status != "CREATED":
            break
        time.sleep(0.2)
    requests.post(f"{base_url}/3/Predictions/models/fuzz_model/frames/fuzz.hex",
                  data={"predictions_frame": "fuzz_pred"}, timeout=120).raise_for_status()
    return {"frame_id": "fuzz.hex", "model_id": "fuzz_model", "key": "fuzz.hex", "job_id": key,
            "predictions_frame": "fuzz_pred", "actuals_frame": "fuzz.hex", "asset": "js/app.js"}
