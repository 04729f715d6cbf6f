"""h2o.create_frame (POST /3/CreateFrame) through the official client: H2O-3's column counts,
types, names, ranges and domains, the response column, missing values, seeds, and refusals
(H2O-3's checks, --max-mem) answered as errors the client raises while the server keeps running."""
from __future__ import annotations

import h2o
import numpy as np
import pytest
import requests

from official_client_helpers import connected_server, plain_failures


@pytest.fixture(scope="module")
def srv():
    with connected_server() as proc:
        yield proc


def _frame(fr):
    return fr.as_data_frame(use_multi_thread=False)


def test_the_fractions_give_h2o3s_column_counts_and_types(srv):
    fr = h2o.create_frame(frame_id="made", rows=300, cols=10, categorical_fraction=0.3, integer_fraction=0.2,
                          binary_fraction=0.1, missing_fraction=0.0, factors=4, integer_range=5,
                          real_range=2.5, seed=7, seed_for_column_types=3)
    assert fr.frame_id == "made" and fr.dim == [300, 10]
    assert fr.names == [f"C{i}" for i in range(1, 11)]
    types = fr.types
    assert sorted(types.values()).count("enum") == 3
    df = _frame(fr)
    enums = [n for n, t in types.items() if t == "enum"]
    for name in enums:
        assert len(fr[name].levels()[0]) <= 4 and all(".l" in level for level in fr[name].levels()[0])
    ints = [n for n in df.columns if n not in enums and np.all(np.equal(np.mod(df[n], 1), 0))]
    binary = [n for n in ints if set(df[n].unique()) <= {0, 1}]
    whole = [n for n in ints if n not in binary]
    assert len(whole) == 2 and len(binary) >= 1 and len(ints) == 3
    for name in whole:
        assert df[name].min() >= -5 and df[name].max() <= 5
    reals = [n for n in df.columns if n not in enums and n not in ints]
    assert len(reals) == 4
    for name in reals:
        assert df[name].abs().max() <= 2.5


def test_a_response_comes_first_and_missing_values_are_inserted(srv):
    fr = h2o.create_frame(rows=2000, cols=4, has_response=True, response_factors=3, missing_fraction=0.1,
                          categorical_fraction=0.0, integer_fraction=0.0, binary_fraction=0.0, seed=11)
    assert fr.dim == [2000, 5] and fr.names[0] == "response"
    assert fr["response"].levels()[0] == ["cat", "dog", "fish"]
    share = fr.nacnt()
    assert all(150 < n < 250 for n in share), share          # ~10 % of 2000 in every column


def test_a_seed_gives_the_same_frame_again(srv):
    one = _frame(h2o.create_frame(rows=50, cols=5, seed=5, seed_for_column_types=5))
    two = _frame(h2o.create_frame(rows=50, cols=5, seed=5, seed_for_column_types=5))
    assert one.equals(two)
    other = _frame(h2o.create_frame(rows=50, cols=5, seed=6, seed_for_column_types=5))
    assert not one.equals(other)


def test_h2o3s_checks_are_errors_naming_the_field(srv):
    reply = requests.post(srv.url + "/3/CreateFrame", data={"rows": 10, "cols": 3, "randomize": "false",
                                                            "value": 2, "categorical_fraction": 0.5})
    assert reply.status_code == 400
    assert "randomize is false" in reply.json()["msg"]
    reply = requests.post(srv.url + "/3/CreateFrame", data={"rows": 10, "cols": 3, "missing_fraction": 1.0})
    assert reply.status_code == 400 and reply.json()["values"]["argument"] == "missing_fraction"
    constant = h2o.create_frame(rows=4, cols=2, randomize=False, value=3, real_fraction=1.0,
                                categorical_fraction=0.0, integer_fraction=0.0, binary_fraction=0.0,
                                missing_fraction=0.0)
    assert _frame(constant).to_numpy().tolist() == [[3, 3]] * 4


def test_a_frame_larger_than_max_mem_is_refused_before_it_is_made(srv):
    reply = requests.post(srv.url + "/3/CreateFrame", data={"rows": 10**9, "cols": 1000})
    assert reply.status_code == 412
    assert "CreateFrame" in reply.json()["msg"] and "--max-mem" in reply.json()["msg"]
    assert requests.get(srv.url + "/3/Cloud").status_code == 200


plain_failures(globals())
