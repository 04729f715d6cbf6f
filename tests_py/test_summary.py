"""Column statistics against plain numpy, and the H2O-3 figures for weather.csv."""
from __future__ import annotations

import numpy as np
import pytest

from h2o_backend.frames.frame import Column
from h2o_backend.parse.parser import parse_file
from h2o_backend.frames.summary import PERCENTILES, level_counts, rollups, summary


@pytest.fixture(scope="module")
def weather(data_dir):
    return parse_file(str(data_dir / "weather.csv"))


def test_numeric_rollups_match_numpy_and_h2o3(weather):
    column = weather.column("EvapMM")
    values = column.data[~np.isnan(column.data)]
    roll = rollups(column)
    assert roll.missing_count == 2 and roll.zero_count == 0
    assert roll.mean == pytest.approx(values.mean()) == pytest.approx(4.861189801699716)
    assert roll.sigma == pytest.approx(2.7893661203000084)               # H2O-3's figure
    assert roll.mins == [0.2, 0.6, 0.6, 0.6, 0.6] and roll.maxs[0] == 13.8
    full = summary(column)
    assert full.percentiles == pytest.approx(np.quantile(values, PERCENTILES).tolist())
    assert len(full.histogram_bins) == 1000 and sum(full.histogram_bins) == values.size
    assert full.histogram_base == 0.2 and full.histogram_stride == pytest.approx(0.0136)


def test_int_and_enum_histograms(weather):
    cloud = summary(weather.column("Cloud9am"))
    assert cloud.histogram_stride == 1.0 and len(cloud.histogram_bins) == 9      # 0..8
    direction = weather.column("ChangeTempDir")
    assert summary(direction).histogram_bins == [8, 347]
    assert level_counts(direction) == {"down": 8, "up": 347}
    assert rollups(direction).mean == pytest.approx(0.9774647887323944)
    assert rollups(weather.column("ChangeWindDirect")).mean is None            # > 2 levels


def test_edge_columns_and_cache():
    empty = Column("e", "real", np.array([np.nan, np.nan]))
    assert rollups(empty).missing_count == 2 and rollups(empty).mean is None
    assert summary(empty).percentiles is None and summary(empty).histogram_bins == []
    text = Column("s", "string", np.array(["a", None], dtype=object))
    assert rollups(text).missing_count == 1 and summary(text).percentiles is None
    inf = Column("i", "real", np.array([1.0, np.inf, -np.inf, 3.0]))
    assert rollups(inf).positive_infinity_count == 1 and rollups(inf).mean == 2.0
    assert summary(inf) is summary(inf)                                        # cached
