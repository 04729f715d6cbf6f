"""DataInfo: predictor order, one-hot encoding, missing levels, standardisation vs autoencoder
normalisation, scoring-time level matching and unseen levels, responses, saved-state round trip."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from h2o_backend.engine.data.datainfo import UNSEEN_LEVEL, DataInfo
from h2o_backend.engine.parameters import DeepLearningParameters, effective_parameters
from h2o_backend.frames.frame import Column, Frame
from h2o_backend.parse.parser import parse_file

WEATHER_ENUMS = ["ChangeWindDirect", "MaxWindPeriod", "PressureChange", "ChangeTempDir", "ChangeTempMag"]


def params(**kw) -> DeepLearningParameters:
    return dataclasses.replace(DeepLearningParameters(), **kw)


@pytest.fixture(scope="module")
def weather(data_dir):
    return parse_file(str(data_dir / "weather.csv"), "weather.hex")


@pytest.fixture(scope="module")
def prostate(data_dir):
    return parse_file(str(data_dir / "prostate.csv"), "prostate.hex")


def weather_info(weather, **kw):
    base = dict(response_column="RainTomorrow", ignored_columns=["Date", "RISK_MM"], classification=True)
    base.update(kw)
    return DataInfo.fit(weather, params(**base))


def small(key="f", colors=(0, 1, 2, -1, 1), domain=("red", "green", "blue"), x=(1.0, 2.0, np.nan, 4.0, 5.0)):
    return Frame(key, [Column("color", "enum", np.array(colors, np.int32), list(domain)),
                       Column("x", "real", np.array(x, np.float64)),
                       Column("y", "real", np.array([1.0, 2.0, 3.0, 4.0, 6.0]))])


# ----------------------------------------------------------------------------- layout
def test_weather_predictor_order_and_expanded_names(weather):
    info = weather_info(weather)
    assert info.predictor_names[:5] == WEATHER_ENUMS       # decreasing cardinality, ties in frame order
    numerics = [c.name for c in weather.columns if c.is_numeric and c.name not in
                ("Date", "RISK_MM", "RainTomorrow")]
    assert info.predictor_names[5:] == numerics
    assert info.expanded_names[:9] == ["ChangeWindDirect.c", "ChangeWindDirect.l", "ChangeWindDirect.n",
                                       "ChangeWindDirect.s", "MaxWindPeriod.earlyAM", "MaxWindPeriod.earlyPM",
                                       "MaxWindPeriod.lateAM", "MaxWindPeriod.latePM", "MaxWindPeriod.missing(NA)"]
    assert info.expanded_names[-len(numerics):] == numerics
    assert info.n_inputs == 4 + 5 + 3 + 2 + 2 + len(numerics)
    assert info.problem == "Binomial" and info.response_domain == ["0", "1"] and info.n_outputs == 2


def test_one_hot_rows_and_missing_level(weather):
    info = weather_info(weather)
    X = info.transform(weather)
    assert X.dtype == np.float32 and X.flags["C_CONTIGUOUS"] and X.shape == (weather.nrows, info.n_inputs)
    for c, name in enumerate(WEATHER_ENUMS):
        block = X[:, info.cat_offsets[c]:info.cat_offsets[c + 1]]
        assert np.all(block.sum(axis=1) == 1)                        # exactly one input per row
        col = weather.column(name)
        ok = col.data >= 0
        assert np.array_equal(block[ok].argmax(axis=1), col.data[ok])
    na = weather.column("MaxWindPeriod").data < 0
    assert na.sum() == 4 and np.all(X[na, info.expanded_names.index("MaxWindPeriod.missing(NA)")] == 1)


def test_without_all_factor_levels_the_first_level_is_the_reference(weather):
    info = weather_info(weather, use_all_factor_levels=False)
    assert "ChangeWindDirect.c" not in info.expanded_names and "ChangeWindDirect.l" in info.expanded_names
    X = info.transform(weather)
    block = X[:, info.cat_offsets[0]:info.cat_offsets[1]]
    first = weather.column("ChangeWindDirect").data == 0
    assert np.all(block[first] == 0) and np.all(block[~first].sum(axis=1) == 1)
    assert info.n_inputs == weather_info(weather).n_inputs - 5


def test_numeric_standardisation_and_mean_imputation(weather):
    info = weather_info(weather)
    X = info.transform(weather)
    for name in ("EvapMM", "Sunshine", "Pressure9am"):
        raw = weather.column(name).data
        j = info.expanded_names.index(name)
        ok = np.isfinite(raw)
        expected = (raw[ok] - raw[ok].mean()) / raw[ok].std(ddof=1)
        np.testing.assert_allclose(X[ok, j], expected, rtol=1e-5, atol=1e-6)
        assert np.all(X[~ok, j] == 0)                                # NA -> mean
    assert abs(X[:, info.expanded_names.index("Temp9am")].std(ddof=1) - 1) < 1e-4


def test_autoencoder_normalisation_and_denormalize(weather):
    info = DataInfo.fit(weather, params(autoencoder=True, use_all_factor_levels=False,
                                        ignored_columns=["Date"]))
    assert info.problem == "AutoEncoder" and info.response_name is None
    assert info.use_all_factor_levels and "ChangeWindDirect.c" in info.expanded_names
    assert "RainTomorrow" in info.predictor_names and info.n_outputs == info.n_inputs
    X = info.transform(weather)
    raw = weather.column("Temp3pm").data
    j = info.expanded_names.index("Temp3pm")
    np.testing.assert_allclose(X[:, j], (raw - raw.mean()) / (raw.max() - raw.min()), rtol=1e-5, atol=1e-6)
    back = info.denormalize(X)
    np.testing.assert_allclose(back[:, j], raw, rtol=1e-5)
    np.testing.assert_array_equal(back[:, :info.num_offset], X[:, :info.num_offset])


def test_ignore_const_cols_and_string_columns():
    n = 6
    fr = Frame("c", [Column("a", "real", np.arange(n, dtype=float)), Column("const", "real", np.full(n, 2.0)),
                     Column("one", "enum", np.zeros(n, np.int32), ["only", "unused"]),
                     Column("s", "string", np.array(list("abcdef"), dtype=object)),
                     Column("y", "real", np.arange(n, dtype=float) ** 2)])
    info = DataInfo.fit(fr, params(response_column="y"))
    assert info.predictor_names == ["a"] and info.constant_columns == ["const", "one"]
    assert info.string_columns == ["s"]
    kept = DataInfo.fit(fr, params(response_column="y", ignore_const_cols=False))
    assert kept.predictor_names == ["one", "a", "const"]
    assert kept.transform(fr)[:, kept.expanded_names.index("const")].tolist() == [0.0] * n   # sd 0 -> mul 1


# ----------------------------------------------------------------------------- scoring frames
def test_levels_are_matched_by_label_and_columns_by_name():
    train = small()
    info = DataInfo.fit(train, params(response_column="y"))
    reordered = Frame("t", [Column("y", "real", np.zeros(3)), Column("x", "real", np.array([1.0, 2.0, 3.0])),
                            Column("color", "enum", np.array([0, 1, 2], np.int32), ["blue", "red", "green"])])
    X = info.transform(reordered)
    block = X[:, info.cat_offsets[0]:info.cat_offsets[1]]
    assert info.expanded_names[:4] == ["color.red", "color.green", "color.blue", "color.missing(NA)"]
    assert block.argmax(axis=1).tolist() == [2, 0, 1]
    np.testing.assert_allclose(X[:, 4], (np.array([1.0, 2.0, 3.0]) - 3.0) / np.std([1, 2, 4, 5], ddof=1),
                               rtol=1e-6)


def test_unseen_levels_use_the_missing_input_or_zeros_or_fail():
    unseen = small(colors=(0, 1, 2, 0, 0), domain=("red", "green", "purple"))
    with_na = DataInfo.fit(small(), params(response_column="y", use_all_factor_levels=False))
    X = with_na.transform(unseen)
    assert X[2, with_na.cat_offsets[1] - 1] == 1 and X[2, :with_na.cat_offsets[1] - 1].sum() == 0
    no_na_train = small(colors=(0, 1, 2, 0, 1))
    all_levels = DataInfo.fit(no_na_train, params(response_column="y"))
    assert not all_levels.cat_missing[0]
    assert all_levels.transform(unseen)[2, :3].tolist() == [0.0, 0.0, 0.0]
    strict = DataInfo.fit(no_na_train, params(response_column="y", use_all_factor_levels=False))
    with pytest.raises(ValueError, match="use_all_factor_levels=true") as err:
        strict.transform(unseen)
    assert str(err.value) == UNSEEN_LEVEL.format(col="color")


def test_a_predictor_missing_from_the_frame_scores_as_missing():
    info = DataInfo.fit(small(), params(response_column="y"))
    only_color = Frame("t", [Column("color", "enum", np.array([1], np.int32), ["red", "green", "blue"])])
    assert info.missing_columns(only_color) == ["x"]
    X = info.transform(only_color)
    assert X[0].tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]


def test_numeric_and_enum_columns_swap_types_by_label():
    info = DataInfo.fit(small(), params(response_column="y"))
    as_enum = Frame("t", [Column("x", "enum", np.array([0, 1, -1], np.int32), ["1", "5"]),
                          Column("color", "string", np.array(["blue", None, "red"], dtype=object))])
    X = info.transform(as_enum)
    sd = np.std([1, 2, 4, 5], ddof=1)
    np.testing.assert_allclose(X[:, 4], [(1 - 3) / sd, (5 - 3) / sd, 0.0], rtol=1e-6)
    assert X[:, :4].argmax(axis=1).tolist() == [2, 3, 0]
    bad = Frame("t", [Column("x", "enum", np.array([0], np.int32), ["abc"])])
    with pytest.raises(ValueError, match="Column 'x'"):
        info.transform(bad)


# ----------------------------------------------------------------------------- responses
def test_integer_response_as_classes(prostate):
    info = DataInfo.fit(prostate, params(response_column="CAPSULE", ignored_columns=["ID"], classification=True))
    assert info.problem == "Binomial" and info.response_domain == ["0", "1"]
    codes = info.response(prostate)
    assert codes.dtype == np.int32 and np.array_equal(codes, prostate.column("CAPSULE").data.astype(np.int32))
    multi = DataInfo.fit(prostate, params(response_column="GLEASON", ignored_columns=["ID"], classification=True))
    assert multi.problem == "Multinomial"
    assert multi.response_domain == [str(v) for v in sorted(set(prostate.column("GLEASON").data.astype(int)))]
    assert "ID" not in multi.predictor_names and "CAPSULE" in multi.predictor_names


def test_response_codes_of_other_frames_follow_the_training_labels():
    train = Frame("t", [Column("x", "real", np.arange(4.0)), Column("y", "int", np.array([3.0, 7.0, 3.0, 7.0]))])
    info = DataInfo.fit(train, params(response_column="y", classification=True))
    assert info.response_domain == ["3", "7"]
    other = Frame("o", [Column("x", "real", np.arange(4.0)),
                        Column("y", "enum", np.array([1, 0, -1, 2], np.int32), ["7", "3", "9"])])
    assert info.response(other).tolist() == [0, 1, -1, -1]
    with pytest.raises(ValueError, match="no response column"):
        info.response(Frame("n", [Column("x", "real", np.arange(2.0))]))


def test_regression_response_is_standardised(prostate):
    p = effective_parameters(params(response_column="VOL", ignored_columns=["ID"]), train=prostate)
    info = DataInfo.fit(prostate, p)
    vol = prostate.column("VOL").data
    assert info.problem == "Regression" and info.n_outputs == 1 and info.response_domain is None
    assert info.response_mean == pytest.approx(vol.mean()) and info.response_sigma == pytest.approx(vol.std(ddof=1))
    z = info.response(prostate)
    assert z.dtype == np.float64 and abs(z.mean()) < 1e-12
    np.testing.assert_allclose(info.unstandardize(z), vol)


def test_enum_response_keeps_its_domain():
    fr = Frame("e", [Column("x", "real", np.arange(6.0)),
                     Column("y", "enum", np.array([0, 1, 2, 0, 1, 2], np.int32), ["a", "b", "c"])])
    info = DataInfo.fit(fr, params(response_column="y"))
    assert info.problem == "Multinomial" and info.response_domain == ["a", "b", "c"] and info.n_outputs == 3


def test_max_categorical_features_beyond_the_inputs_is_refused(weather):
    with pytest.raises(ValueError, match="hashing"):
        weather_info(weather, max_categorical_features=10)
    assert weather_info(weather, max_categorical_features=16).n_inputs == weather_info(weather).n_inputs


# ----------------------------------------------------------------------------- saved state
def test_round_trip_is_exact(weather):
    info = weather_info(weather)
    state = info.to_dict()
    back = DataInfo.from_dict(json.loads(json.dumps(state)))
    assert back == info and back.to_dict() == state
    np.testing.assert_array_equal(back.transform(weather), info.transform(weather))
    with pytest.raises(ValueError, match="unknown DataInfo fields"):
        DataInfo.from_dict({**state, "surprise": 1})
