"""POST /99/Rapids operators beyond selection: arithmetic, comparisons and logic with NA
propagation, conditional rows, in-place assignment, cbind, as.factor, summaries in H2O-3's
number/string shapes, h2o.runif, table; unknown operators refused by name; the nesting limit;
and POST /3/MissingInserter."""
from __future__ import annotations

import math
import time

import numpy as np
import pytest

from model_rest_helpers import assert_h2o_error, assert_serving, checked, frame_columns, import_frame


@pytest.fixture()
def weather(client, data_dir):
    import_frame(client, data_dir / "weather.csv", "weather.hex")
    return frame_columns(client, "weather.hex")


@pytest.fixture()
def prostate(client, data_dir):
    import_frame(client, data_dir / "prostate.csv", "prostate.hex")
    return frame_columns(client, "prostate.hex")


def rapids(client, ast: str) -> dict:
    return checked(client, "POST", "/99/Rapids", data={"ast": ast})


def values(client, ast: str) -> dict:
    body = rapids(client, f"(tmp= out {ast})")
    assert body["key"]["name"] == "out"
    return frame_columns(client, "out")


def num(column) -> np.ndarray:
    return np.array([math.nan if v is None or v == "NaN" else v for v in column], dtype=float)


def same(got, want) -> None:
    np.testing.assert_allclose(num(got), want, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("op, fn", [
    ("+", np.add), ("-", np.subtract), ("*", np.multiply), ("/", np.divide), ("^", np.power),
    ("%%", np.fmod), ("%/%", lambda a, b: np.trunc(a / b)),
])
def test_arithmetic_between_columns_propagates_na(client, weather, op, fn):
    a, b = num(weather["Sunshine"]), num(weather["EvapMM"])
    got = values(client, f'({op} (cols_py weather.hex "Sunshine") (cols_py weather.hex "EvapMM"))')
    assert list(got) == ["Sunshine"]
    with np.errstate(all="ignore"):
        same(got["Sunshine"], fn(a, b))
    assert np.isnan(num(got["Sunshine"])).sum() >= np.isnan(a).sum()


@pytest.mark.parametrize("op, fn", [
    ("==", np.equal), ("!=", np.not_equal), ("<", np.less), ("<=", np.less_equal),
    (">", np.greater), (">=", np.greater_equal),
])
def test_comparisons_give_0_1_columns_and_na(client, weather, op, fn):
    a = num(weather["Sunshine"])
    got = num(values(client, f'({op} (cols_py weather.hex "Sunshine") 8)')["Sunshine"])
    want = np.where(np.isnan(a), np.nan, fn(a, 8).astype(float))
    np.testing.assert_array_equal(got, want)
    reverse = num(values(client, f'({op} 8 (cols_py weather.hex "Sunshine"))')["Sunshine"])
    np.testing.assert_array_equal(reverse, np.where(np.isnan(a), np.nan, fn(8, a).astype(float)))


def test_logic_follows_three_valued_rules(app, client):
    from h2o_backend.frames.frame import Column, Frame
    app.config["SERVICES"].store.put("lg", Frame("lg", [
        Column("a", "real", np.array([0, 1, np.nan, 0, 1, np.nan])),
        Column("b", "real", np.array([np.nan, np.nan, 0, 0, 1, 1]))]))
    both = num(values(client, "(& (cols_py lg 0) (cols_py lg 1))")["a"])
    either = num(values(client, "(| (cols_py lg 0) (cols_py lg 1))")["a"])
    negated = num(values(client, "(!! (cols_py lg 0))")["a"])
    np.testing.assert_array_equal(both, [0, np.nan, 0, 0, 1, np.nan])
    np.testing.assert_array_equal(either, [np.nan, 1, np.nan, 0, 1, 1])
    np.testing.assert_array_equal(negated, [1, 0, np.nan, 1, 0, np.nan])


def test_categorical_compares_to_a_level(client, weather):
    got = num(values(client, '(== (cols_py weather.hex "ChangeTempDir") "up")')["ChangeTempDir"])
    np.testing.assert_array_equal(got, [1.0 if v == "up" else 0.0 for v in weather["ChangeTempDir"]])
    missing = num(values(client, '(!= (cols_py weather.hex "MaxWindPeriod") "lateAM")')["MaxWindPeriod"])
    want = [math.nan if v is None else float(v != "lateAM") for v in weather["MaxWindPeriod"]]
    np.testing.assert_array_equal(missing, want)


def test_conditional_rows_keep_rows_where_the_condition_is_1(client, prostate):
    got = values(client, '(rows prostate.hex (& (> (cols_py prostate.hex "AGE") 60) '
                         '(< (cols_py prostate.hex "PSA") 10)))')
    keep = [i for i, (a, p) in enumerate(zip(prostate["AGE"], prostate["PSA"])) if a > 60 and p < 10]
    assert 0 < len(keep) < 380
    for name in prostate:
        assert got[name] == [prostate[name][i] for i in keep]


def test_assign_in_place_replaces_the_frame_under_the_key(client, prostate):
    rapids(client, '(tmp= ages (cols_py prostate.hex "AGE"))')        # shares the AGE array
    rapids(client, '(assign prostate.hex (:= prostate.hex (* (cols_py prostate.hex "AGE") 2) [2] []))')
    rapids(client, '(assign prostate.hex (:= prostate.hex -1 ["PSA"] (> (cols_py prostate.hex "VOL") 40)))')
    rapids(client, '(assign prostate.hex (append prostate.hex (as.factor (cols_py prostate.hex "RACE")) "R"))')
    now = frame_columns(client, "prostate.hex")
    assert now["AGE"] == [2 * a for a in prostate["AGE"]]
    assert now["PSA"] == [-1 if v > 40 else p for p, v in zip(prostate["PSA"], prostate["VOL"])]
    assert now["R"] == [str(r) for r in prostate["RACE"]]
    assert frame_columns(client, "ages")["AGE"] == prostate["AGE"]       # the earlier slice is unchanged


def test_cbind_as_factor_and_summaries_in_h2o_shapes(client, weather, prostate):
    bound = values(client, '(cbind (cols_py prostate.hex "AGE") (cols_py prostate.hex "AGE") 7)')
    assert list(bound) == ["AGE", "AGE0", "7.0"] and bound["7.0"] == [7] * 380
    columns = client.get("/3/Frames/out").get_json()["frames"][0]["columns"]
    assert columns[0]["type"] == "int"
    levels = values(client, '(as.factor (cols_py prostate.hex "GLEASON"))')
    assert levels["GLEASON"] == [str(g) for g in prostate["GLEASON"]]
    sun = num(weather["Sunshine"])
    present = sun[~np.isnan(sun)]
    assert rapids(client, '(mean (cols_py weather.hex "Sunshine") 0 0)')["key"]
    means = values(client, '(mean (cols_py weather.hex ["Sunshine" "Temp9am"]) 1 0)')
    assert means["Sunshine"][0] == pytest.approx(present.mean())
    assert rapids(client, '(sd (cols_py weather.hex ["Sunshine" "Temp9am"]) 0)')["scalar"][0] == "NaN"
    sd = rapids(client, '(sd (cols_py weather.hex "Sunshine") 1)')["scalar"]
    assert sd == [pytest.approx(present.std(ddof=1))]
    assert rapids(client, '(max (cols_py weather.hex "Sunshine"))')["scalar"] == "NaN"
    assert rapids(client, '(maxNA (cols_py weather.hex "Sunshine"))')["scalar"] == present.max()
    assert rapids(client, '(nlevels (cols_py weather.hex "ChangeTempDir"))')["scalar"] == 2
    assert rapids(client, '(is.factor (cols_py weather.hex [0 15]))')["scalar"] == [0, 1]
    q = values(client, '(quantile (cols_py weather.hex "Sunshine") [0.1 0.5 0.9] "interpolate" "_")')
    assert list(q) == ["Probs", "SunshineQuantiles"]
    assert q["SunshineQuantiles"] == pytest.approx(list(np.quantile(present, [0.1, 0.5, 0.9])))
    assert rapids(client, "(nrow weather.hex)")["scalar"] == len(sun)


def test_runif_and_table(client, prostate):
    first = values(client, "(h2o.runif prostate.hex 42)")["rnd"]
    assert values(client, "(h2o.runif prostate.hex 42)")["rnd"] == first
    assert len(first) == 380 and 0 <= min(first) and max(first) < 1
    counts = values(client, '(table (cols_py prostate.hex "CAPSULE") (cols_py prostate.hex "RACE") 1)')
    pairs = {}
    for c, r in zip(prostate["CAPSULE"], prostate["RACE"]):
        pairs[(c, r)] = pairs.get((c, r), 0) + 1
    assert dict(zip(zip(counts["CAPSULE"], counts["RACE"]), counts["Counts"])) == pairs
    # one column with the dense flag, as the official client's H2OFrame.table() sends it
    single = values(client, '(table (cols_py prostate.hex "RACE") True)')
    assert dict(zip(single["RACE"], single["Count"])) == {r: list(prostate["RACE"]).count(r) for r in set(prostate["RACE"])}


@pytest.mark.parametrize("ast, needle", [
    ("(kfold_column prostate.hex 5 1)", "operator 'kfold_column' is not supported"),
    ("(strsplit prostate.hex \",\")", "operator 'strsplit' is not supported"),
    ("(merge prostate.hex prostate.hex 1 1 [] [] 'auto')", "all_x and all_y together are not supported"),
    ("(sort prostate.hex [1] [1 1])", "one direction per column"),
    ("(rbind prostate.hex (cols_py prostate.hex 1))", "same columns"),
    ("(ifelse prostate.hex 1 0)", "one-column test"),
    ("(pivot prostate.hex \"ID\" \"RACE\" \"AGE\")", "operator 'pivot' is not supported"),
    ("(strsplit prostate.hex \",\")", "operator 'strsplit' is not supported"),
    ('(+ (cols_py prostate.hex [0 1 2]) (cols_py prostate.hex [1 2]))', "frames of 3 and 2 columns"),
    ('(+ (as.factor (cols_py prostate.hex "RACE")) 1)', "'+' needs numeric columns"),
    ('(< (as.factor (cols_py prostate.hex "RACE")) "1")', "'<' needs numeric columns, but column 'RACE' is categorical"),
    ('(rows prostate.hex (cols_py prostate.hex [1 2]))', "a row condition must be one column"),
    ('(quantile prostate.hex [0.5] "interpolate" "ID")', "weights column is not supported"),
    ('(tmp= x (mean prostate.hex))', None),
    ("(tmp= x (sd prostate.hex 0))", "keeps frames only"),
    ('(:= prostate.hex 1 ["AGE"] [0 1] 3)', "takes 4 argument(s)"),
])
def test_unsupported_operators_and_bad_arguments_are_refused(client, prostate, ast, needle):
    if needle is None:          # a valid expression: answered, not refused
        assert rapids(client, ast)["key"]["name"] == "x"
        return
    body = assert_h2o_error(client.post("/99/Rapids", data={"ast": ast}), 400, needle,
                            path="/99/Rapids", method="POST")
    assert body["values"]["argument"] == "ast"
    assert_serving(client)


def test_rm_removes_a_frame_but_not_a_model_key(app, client, prostate):
    rapids(client, '(tmp= gone (cols_py prostate.hex "AGE"))')
    assert rapids(client, "(rm gone)")["scalar"] == 0
    assert client.get("/3/Frames/gone").status_code == 404
    assert rapids(client, "(rm never_there)")["scalar"] == 0
    app.config["SERVICES"].store.put("a_model", object())
    assert_h2o_error(client.post("/99/Rapids", data={"ast": "(rm a_model)"}), 400, "'rm' removes frames")
    assert app.config["SERVICES"].store.get("a_model") is not None


def test_nesting_deeper_than_the_limit_is_refused(client, prostate):
    deep = "(!! " * 1000 + "prostate.hex" + ")" * 1000
    assert_h2o_error(client.post("/99/Rapids", data={"ast": deep}), 400, "200 levels", path="/99/Rapids",
                     method="POST")
    ok = "(!! " * 100 + '(cols_py prostate.hex "CAPSULE")' + ")" * 100
    assert rapids(client, ok)["num_rows"] == 380
    assert_serving(client)


def test_missing_inserter_replaces_a_fraction_in_place(client, prostate):
    job = checked(client, "POST", "/3/MissingInserter", data={"dataset": "prostate.hex", "fraction": "0.2",
                                                               "seed": "7"})
    assert job["dest"]["name"] == "prostate.hex"
    for _ in range(200):
        status = client.get(f"/3/Jobs/{job['key']['name']}").get_json()["jobs"][0]["status"]
        if status != "RUNNING" and status != "CREATED":
            break
        time.sleep(0.05)
    assert status == "DONE"
    now = frame_columns(client, "prostate.hex")
    cells = [(now[c][i], prostate[c][i]) for c in prostate for i in range(380)]
    hit = sum(1 for new, _ in cells if new is None or new == "NaN")
    assert 0.15 < hit / len(cells) < 0.25
    assert all(new == old for new, old in cells if not (new is None or new == "NaN"))
    assert_h2o_error(client.post("/3/MissingInserter", data={"dataset": "nope.hex", "fraction": "0.1"}),
                     404, "nope.hex")
    assert_h2o_error(client.post("/3/MissingInserter", data={"dataset": "prostate.hex", "fraction": "1.5"}),
                     400, "fraction")


def test_session_operators_time_zone_and_ls(client, prostate):
    assert rapids(client, '(setTimeZone "UTC")')["string"] == "UTC"
    assert rapids(client, "(getTimeZone)")["string"] == "UTC"
    r = client.post("/99/Rapids", data={"ast": '(setTimeZone "Europe/Paris")'})
    assert_h2o_error(r, 400, "UTC only")
    listed = rapids(client, "(tmp= keys_now (ls))")
    assert listed["num_cols"] == 1
    [column] = client.get("/3/Frames/keys_now").get_json()["frames"][0]["columns"]
    assert column["label"] == "key" and column["type"] == "string"
    assert "prostate.hex" in column["string_data"]
