"""POST /99/Rapids: column selections as H2O-3 clients send them; anything else refused by name."""
from __future__ import annotations

import pytest

from model_rest_helpers import assert_h2o_error, assert_serving, checked, frame_columns, import_frame


@pytest.fixture()
def prostate(client, data_dir):
    import_frame(client, data_dir / "prostate.csv", "prostate.hex")
    return frame_columns(client, "prostate.hex")


def rapids(client, ast: str, expected: int = 200, **extra):
    if expected == 200:
        return checked(client, "POST", "/99/Rapids", data={"ast": ast, **extra})
    return client.post("/99/Rapids", data={"ast": ast, **extra})


@pytest.mark.parametrize("ast, names", [
    ("(tmp= sel (cols_py prostate.hex 1))", ["CAPSULE"]),
    ("(tmp= sel (cols_py prostate.hex [2 6 1]))", ["AGE", "PSA", "CAPSULE"]),
    ('(tmp= sel (cols_py prostate.hex "PSA"))', ["PSA"]),
    ('(assign sel (cols prostate.hex ["AGE" "VOL"]))', ["AGE", "VOL"]),
    ("(tmp= sel (cols_py prostate.hex [0:3]))", ["ID", "CAPSULE", "AGE"]),
    ("(tmp= sel (cols_py (cols_py prostate.hex [1 2 3]) 2))", ["RACE"]),
])
def test_column_selection(client, prostate, ast, names):
    body = rapids(client, ast, session_id="_sid_1")
    assert body["key"]["name"] == "sel"
    assert body["num_cols"] == len(names) and body["num_rows"] == 380
    got = frame_columns(client, "sel")
    assert list(got) == names
    for name in names:
        assert got[name] == prostate[name]
    assert frame_columns(client, "prostate.hex") == prostate        # the source is unchanged


def test_row_selection(client, prostate):
    body = rapids(client, "(tmp= some (rows prostate.hex [0:3 9 1]))")
    assert body["num_rows"] == 5 and body["num_cols"] == 9
    got = frame_columns(client, "some")
    for name, values in prostate.items():
        assert got[name] == [values[i] for i in (0, 1, 2, 9, 1)]
    both = rapids(client, "(tmp= cell (cols_py (rows prostate.hex 4) [2 6]))")
    assert (both["num_rows"], both["num_cols"]) == (1, 2)
    assert frame_columns(client, "cell") == {"AGE": [prostate["AGE"][4]], "PSA": [prostate["PSA"][4]]}


def test_an_unassigned_result_is_kept_under_a_key_of_its_own(client, prostate):
    body = rapids(client, "(cols_py prostate.hex 3)")
    key = body["key"]["name"]
    assert key != "prostate.hex" and list(frame_columns(client, key)) == ["RACE"]


@pytest.mark.parametrize("ast, needle", [
    ("(tmp= sel (cols_py prostate.hex 9))", "out of range"),
    ("(tmp= sel (cols prostate.hex -10))", "out of range"),
    ('(tmp= sel (cols_py prostate.hex "NOPE"))', "no column 'NOPE'"),
    ("(tmp= sel (rows prostate.hex [379 380]))", "row index 380 is out of range"),
    ('(tmp= sel (rows prostate.hex "AGE"))', "rows are selected by 0-based index"),
    ("(tmp= sel (kfold_column prostate.hex 5 1))", "'kfold_column' is not supported"),
    ("(tmp= sel (cols_py prostate.hex 1)", "never closed"),
    ("(tmp= sel (cols_py prostate.hex []))", "selection is empty"),
    ("", "required"),
])
def test_bad_expressions_are_refused(client, prostate, ast, needle):
    body = assert_h2o_error(rapids(client, ast, 400), 400, needle, path="/99/Rapids", method="POST")
    assert body["values"]["argument"] == "ast"
    assert client.get("/3/Frames/sel").status_code == 404
    assert_serving(client)


def test_unknown_frame_and_parameters(client, prostate):
    assert_h2o_error(rapids(client, "(tmp= sel (cols_py nope.hex 1))", 404), 404, "Frame 'nope.hex' not found",
                     path="/99/Rapids", method="POST")
    assert_h2o_error(rapids(client, "(cols_py prostate.hex 1)", 412, verbose="true"), 412,
                     "Unknown parameter: verbose", path="/99/Rapids", method="POST")


def test_a_model_key_is_never_overwritten(client, prostate):
    from model_rest_helpers import build
    build(client, training_frame="prostate.hex", response_column="CAPSULE", model_id="kept")
    reply = rapids(client, "(tmp= kept (cols_py prostate.hex 1))", 400)
    assert_h2o_error(reply, 400, "not a frame")
    assert client.get("/3/Models/kept").status_code == 200
