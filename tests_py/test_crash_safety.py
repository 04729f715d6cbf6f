"""Nothing lost on a crash: a server killed (SIGKILL) in the middle of saving a model of tens of
MB leaves the target holding the previous complete file or nothing, never part of one; the
temporary files it leaves are removed when a server starts again; a truncated or corrupt file
is refused with 400 naming it."""
from __future__ import annotations

import os
import random
import threading
import time

import pytest
import requests

from conftest import ServerProcess
from saved_model_helpers import temp_files, write_big_model

KILLS = 15


def _load(server: ServerProcess, path) -> None:
    reply = requests.post(server.url + "/99/Models.bin/", data={"dir": str(path)}, timeout=120)
    assert reply.status_code == 200, reply.text


def _save_in_background(server: ServerProcess, model_id: str, target) -> dict:
    result = {}

    def save():
        try:
            reply = requests.get(f"{server.url}/99/Models.bin/{model_id}",
                                 params={"dir": str(target), "force": "true"}, timeout=120)
            result["status"] = reply.status_code
        except requests.RequestException as exc:
            result["error"] = type(exc).__name__
    thread = threading.Thread(target=save)
    thread.start()
    result["thread"] = thread
    return result


def _wait_for_temp_file(folder, result, timeout: float = 30.0) -> bool:
    """True once a temporary file appeared (the save is writing), False if the save ended first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if temp_files(folder):
            return True
        if not result["thread"].is_alive():
            return False
        time.sleep(0.001)
    return False


def test_sigkill_during_saves_keeps_the_previous_file_or_nothing(tmp_path):
    from h2o_backend.export import saved_model
    seed = tmp_path / "seed.bin"
    model_id = write_big_model(seed)
    full_size = os.path.getsize(seed)
    assert full_size > 20 * 1024 ** 2
    folder = tmp_path / "models"
    folder.mkdir()
    target = folder / "model.bin"
    rng = random.Random(13)
    counts = {"kills": 0, "saves_completed": 0, "intact": 0, "absent": 0, "temp_left_by_kills": 0}
    for i in range(KILLS):
        server = ServerProcess()
        try:
            assert temp_files(folder) == []            # what earlier kills left was removed at start
            _load(server, seed)
            result = _save_in_background(server, model_id, target)
            if _wait_for_temp_file(folder, result):
                time.sleep(rng.uniform(0.0, 0.4))      # somewhere in the write, or just after it
            server.proc.kill()
            server.proc.wait(30)
            counts["kills"] += 1
            result["thread"].join(30)
            counts["saves_completed"] += int(result.get("status") == 200)
        finally:
            if server.proc.poll() is None:
                server.stop()
        counts["temp_left_by_kills"] += len(temp_files(folder))
        if target.exists():
            assert os.path.getsize(target) == full_size      # complete, never a part of the file
            algo, loaded_id, _ = saved_model.load(str(target))
            assert (algo, loaded_id) == ("deeplearning", model_id)
            counts["intact"] += 1
        else:
            assert counts["saves_completed"] == 0            # nothing only before any save completed
            counts["absent"] += 1
    server = ServerProcess()                                  # a restart removes the leftovers
    try:
        assert temp_files(folder) == []
        if target.exists():
            _load(server, target)
    finally:
        server.stop()
    print(f"crash test: {counts}")
    assert counts["kills"] == KILLS and counts["intact"] + counts["absent"] == KILLS
    assert counts["temp_left_by_kills"] > 0                   # the kills did land in the middle of saves


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_truncated_or_corrupt_file_is_refused_with_400_naming_it(client, tmp_path, damage):
    seed = tmp_path / "seed.bin"
    write_big_model(seed, hidden=1000)
    data = seed.read_bytes()
    bad = tmp_path / f"{damage}.bin"
    bad.write_bytes({"truncated": data[: len(data) // 2], "garbage": os.urandom(4096), "empty": b""}[damage])
    reply = client.post("/99/Models.bin/", data={"dir": str(bad)})
    body = reply.get_json()
    assert reply.status_code == 400, body
    assert str(bad) in body["msg"] and "is not a saved model" in body["msg"]
    assert body["values"]["argument"] == "dir"
    # the intact file still loads
    assert client.post("/99/Models.bin/", data={"dir": str(seed)}).status_code == 200
