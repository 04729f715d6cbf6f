"""The H2OFrame methods of data preparation, through the official client against pandas on the
same CSV: asnumeric, ascharacter, isna, ifelse, rbind, scale, unique, sort, cut, group_by
(count/mean/sum), impute, head/tail of expressions, merge; an operator the server lacks keeps its 400
naming it."""
from __future__ import annotations

from pathlib import Path

import h2o
import numpy as np
import pandas as pd
import pytest
import requests

from official_client_helpers import connected_server, plain_failures

DATA = Path(__file__).resolve().parents[1] / "demos" / "data"


@pytest.fixture(scope="module")
def srv():
    with connected_server() as proc:
        yield proc


@pytest.fixture()
def prostate(srv):
    fr = h2o.import_file(str(DATA / "prostate.csv"))
    fr["RACE"] = fr["RACE"].asfactor()
    return fr


@pytest.fixture(scope="module")
def expected():
    return pd.read_csv(DATA / "prostate.csv")


def _df(fr) -> pd.DataFrame:
    return fr.as_data_frame(use_multi_thread=False)


def test_asnumeric_gives_level_indices_and_ascharacter_strings(prostate, expected):
    levels = sorted(expected["RACE"].unique())
    codes = _df(prostate["RACE"].asnumeric())["RACE"].to_numpy()
    assert codes.tolist() == [levels.index(v) for v in expected["RACE"]]
    text = prostate["RACE"].ascharacter()
    assert text.types == {"RACE": "string"}
    assert _df(text)["RACE"].astype(int).tolist() == expected["RACE"].tolist()


def test_ifelse_and_isna(prostate, expected):
    got = _df((prostate["AGE"] > 65).ifelse(1, 0))
    assert got.iloc[:, 0].tolist() == (expected["AGE"] > 65).astype(int).tolist()
    assert _df(prostate["AGE"].isna()).iloc[:, 0].sum() == 0


def test_rbind_stacks_rows(prostate, expected):
    both = prostate.rbind(prostate)
    assert both.dim == [760, 9]
    pd.testing.assert_series_equal(_df(both)["PSA"], pd.concat([expected["PSA"]] * 2, ignore_index=True))


def test_scale_centers_and_scales_like_pandas(prostate, expected):
    got = _df(prostate[["AGE", "PSA"]].scale())
    want = (expected[["AGE", "PSA"]] - expected[["AGE", "PSA"]].mean()) / expected[["AGE", "PSA"]].std()
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-10)


def test_unique_and_sort(prostate, expected):
    assert sorted(_df(prostate["GLEASON"].unique()).iloc[:, 0].tolist()) == sorted(expected["GLEASON"].unique())
    got = _df(prostate.sort(["GLEASON", "AGE"], ascending=[True, False]))
    want = expected.sort_values(["GLEASON", "AGE"], ascending=[True, False], kind="stable").reset_index(drop=True)
    assert got["GLEASON"].tolist() == want["GLEASON"].tolist() and got["AGE"].tolist() == want["AGE"].tolist()


def test_cut_into_intervals(prostate, expected):
    got = prostate["AGE"].cut([40, 60, 70, 80])
    # H2O-3 3.46's labels: each break rounded to dig_lab (3) decimals, written as Java writes a double
    assert got.levels()[0] == ["(40.0,60.0]", "(60.0,70.0]", "(70.0,80.0]"]
    want = pd.cut(expected["AGE"], [40, 60, 70, 80]).cat.rename_categories(got.levels()[0]).astype(str)
    assert _df(got)["AGE"].astype(str).tolist() == want.tolist()
    assert prostate["PSA"].cut([0.12345, 2.5, 1e7]).levels()[0] == ["(0.123,2.5]", "(2.5,1.0E7]"]


def test_group_by_count_mean_sum(prostate, expected):
    got = _df(prostate.group_by("GLEASON").count().mean("PSA").sum("AGE").get_frame())
    want = expected.groupby("GLEASON").agg(nrow=("PSA", "size"), mean_PSA=("PSA", "mean"),
                                           sum_AGE=("AGE", "sum")).reset_index()
    assert got["GLEASON"].tolist() == want["GLEASON"].tolist()
    assert got["nrow"].tolist() == want["nrow"].tolist()
    np.testing.assert_allclose(got["mean_PSA"], want["mean_PSA"])
    np.testing.assert_allclose(got["sum_AGE"], want["sum_AGE"])


def test_impute_replaces_missing_values_in_place(srv, expected):
    fr = h2o.import_file(str(DATA / "prostate.csv"))
    fr = fr.insert_missing_values(fraction=0.2, seed=3)
    before = _df(fr["PSA"])["PSA"]
    values = fr.impute("PSA", method="median")
    after = _df(fr["PSA"])["PSA"]
    assert after.isna().sum() == 0 and before.isna().sum() > 0
    assert values[0] == pytest.approx(before.median())
    assert (after[before.isna()] == before.median()).all()


def test_head_and_tail_of_an_expression(prostate, expected):
    assert _df((prostate["AGE"] * 2).head(5))["AGE"].tolist() == (expected["AGE"] * 2).head(5).tolist()
    assert _df((prostate["AGE"] + 1).tail(3))["AGE"].tolist() == (expected["AGE"] + 1).tail(3).tolist()


def _merge_frames():
    left = h2o.H2OFrame({"c": ["b", "a", "z", None], "x": [1, 2, 3, 4]}, column_types={"c": "enum", "x": "int"})
    right = h2o.H2OFrame({"c": ["a", "q", "b", None, "b"], "y": [10, 20, 30, 40, 50]},
                         column_types={"c": "enum", "y": "int"})
    return left, right


def _rows(fr) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in _df(fr).itertuples(index=False)]


# Expected rows as H2O-3 3.46 answers the same calls: levels matched by name, missing keys match,
# the sorting join (auto) ordered by key with right's unmatched levels first, the hash join in the
# walked frame's order taking the first match.
def test_merge_joins_on_common_columns_as_h2o3(srv):
    left, right = _merge_frames()
    inner = left.merge(right)
    assert inner.names == ["c", "x", "y"]
    assert _rows(inner) == [(None, 4, 40), ("a", 2, 10), ("b", 1, 30), ("b", 1, 50)]
    assert _rows(left.merge(right, all_x=True)) == [("z", 3, None), (None, 4, 40), ("a", 2, 10),
                                                     ("b", 1, 30), ("b", 1, 50)]
    all_y = left.merge(right, all_y=True)
    assert all_y.levels()[0] == ["a", "b", "q"]
    assert _rows(all_y) == [("q", None, 20), (None, 4, 40), ("a", 2, 10), ("b", 1, 30), ("b", 1, 50)]
    hashed = left.merge(right, method="hash")
    assert hashed.names == ["c", "y", "x"]
    assert _rows(hashed) == [("a", 10, 2), ("b", 30, 1), (None, 40, 4), ("b", 50, 1)]


def test_merge_by_named_columns_and_refusals(srv, prostate, expected):
    ages = h2o.H2OFrame({"years": [50, 65, 70], "band": ["fifty", "sixty-five", "seventy"]},
                        column_types={"years": "int", "band": "enum"})
    got = _df(prostate.merge(ages, by_x=["AGE"], by_y=["years"]))
    want = expected.merge(pd.DataFrame({"AGE": [50, 65, 70], "band": ["fifty", "sixty-five", "seventy"]}))
    assert sorted(zip(got["AGE"], got["ID"], got["band"])) == sorted(zip(want["AGE"], want["ID"], want["band"]))
    left, right = _merge_frames()
    with pytest.raises(Exception, match="all_x and all_y"):
        left.merge(right, all_x=True, all_y=True).nrow      # the client sends the expression when it is used


def test_an_operator_the_server_lacks_is_named(srv, prostate):
    reply = requests.post(srv.url + "/99/Rapids", data={"ast": f"(kfold_column {prostate.frame_id} 5 1)"})
    assert reply.status_code == 400 and "kfold_column" in reply.json()["msg"]


plain_failures(globals())
