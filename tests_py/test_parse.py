"""Parsing without the web layer: setup guesses, types, compression, NA handling, errors."""
from __future__ import annotations

import gzip
import zipfile

import numpy as np
import pytest

from h2o_backend.jobs import JobCancelled
from h2o_backend.parse.parser import guess_setup, hex_key, parse_file, parse_frame
from h2o_backend.parse.source import ParseError


def write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def test_weather_types_and_shape(data_dir):
    frame = parse_file(str(data_dir / "weather.csv"))
    assert (frame.nrows, frame.ncols) == (355, 24)      # the file holds 355 data rows
    types = {c.name: c.type for c in frame.columns}
    assert types["Date"] == "time"
    assert types["EvapMM"] == "real" and types["MaxWindSpeed"] == "int"
    assert types["RainTomorrow"] == "int"
    for name in ("ChangeTempDir", "ChangeTempMag", "ChangeWindDirect", "MaxWindPeriod", "PressureChange"):
        assert types[name] == "enum"
    assert frame.column("ChangeTempDir").domain == ["down", "up"]
    assert frame.column("PressureChange").domain == ["down", "steady", "up"]
    assert frame.column("Date").data[0] == 1194307200000.0           # 2007-11-06 UTC
    assert int(np.isnan(frame.column("Sunshine").data).sum()) == 3
    assert frame.key == "weather.hex"


def test_weather_setup_matches_h2o3(data_dir):
    setup = guess_setup([str(data_dir / "weather.csv")])
    assert (setup.separator, setup.check_header, setup.number_columns) == (44, 1, 24)
    assert setup.column_types[:2] == ["Time", "Numeric"]
    assert setup.column_types[15:19] == ["Enum"] * 4
    assert setup.data[0][0] == "2007-11-6" and len(setup.data) == 10


def test_headerless_mnist_like_gz_and_zip(tmp_path):
    rows = "\n".join(",".join(str((r * 7 + c) % 256) for c in range(10)) + f",{r % 10}"
                     for r in range(50)) + "\n"
    plain = write(tmp_path, "digits.csv", rows)
    gz = write(tmp_path, "digits.csv.gz", gzip.compress(rows.encode()))
    zpath = tmp_path / "digits.zip"
    with zipfile.ZipFile(zpath, "w") as archive:
        archive.writestr("inner.csv", rows)
    frames = [parse_file(p) for p in (plain, gz, str(zpath))]
    for frame in frames:
        assert (frame.nrows, frame.ncols) == (50, 11)
        assert frame.names[0] == "C1" and frame.names[-1] == "C11"
        assert all(c.type == "int" for c in frame.columns)
        np.testing.assert_array_equal(frame.columns[3].data, frames[0].columns[3].data)
    assert [f.key for f in frames] == ["digits.hex", "digits.hex", "digits.hex"]


@pytest.mark.parametrize("sep", [",", "\t", ";", "|", " "])
def test_separators_guessed(tmp_path, sep):
    text = sep.join(["a", "b", "c"]) + "\n" + "\n".join(sep.join([str(i), str(i * 1.5), f"x{i % 2}"])
                                                       for i in range(6)) + "\n"
    setup = guess_setup([write(tmp_path, "s.txt", text)])
    assert setup.separator == ord(sep)
    assert setup.column_names == ["a", "b", "c"] and setup.check_header == 1
    assert setup.column_types == ["Numeric", "Numeric", "Enum"]


def test_explicit_hints_are_honoured(tmp_path):
    path = write(tmp_path, "h.csv", "1;2;x\n3;4;y\n5;6;x\n")
    frame = parse_file(path, separator=ord(";"), check_header=-1, column_names=["p", "q", "r"],
                       column_types=["Enum", "real", "String"])
    assert frame.names == ["p", "q", "r"]
    assert [c.type for c in frame.columns] == ["enum", "int", "string"]
    assert frame.column("p").domain == ["1", "3", "5"]
    header = parse_file(path, separator=ord(";"), check_header=1)
    assert header.names == ["1", "2", "x"] and header.nrows == 2


def test_na_handling_and_enum_domain_order(tmp_path):
    path = write(tmp_path, "na.csv", "x,level,name\n1.5,b,alpha beta\nNA,a,gamma\n,B,\n3,NA,delta\n4,a,eps\n")
    frame = parse_file(path)
    x, level, name = frame.columns
    assert x.type == "real" and np.isnan(x.data[1]) and np.isnan(x.data[2])
    assert level.type == "enum" and level.domain == ["B", "a", "b"]          # lexicographic
    assert level.data.tolist() == [2, 1, 0, -1, 1]
    assert name.type == "string" and name.data[2] is None and name.data[0] == "alpha beta"


def test_na_strings_global_and_per_column(tmp_path):
    path = write(tmp_path, "nas.csv", "a,b\n1,-\n-,x\n?,y\n4,x\n")
    flat = parse_file(path, na_strings=["-", "?"])
    assert flat.columns[0].type == "int" and np.isnan(flat.columns[0].data[1:3]).all()
    assert flat.columns[1].data.tolist() == [-1, 0, 1, 0]
    per_column = parse_file(path, na_strings=[["-", "?"], []])
    assert np.isnan(per_column.columns[0].data[1:3]).all()
    assert per_column.columns[1].domain == ["-", "x", "y"]


def test_numeric_column_with_stray_text(tmp_path):
    body = "\n".join(str(i) for i in range(30000)) + "\noops\n"      # text past the sample
    frame = parse_file(write(tmp_path, "stray.csv", "v\n" + body))
    column = frame.columns[0]
    assert column.type == "int" and frame.nrows == 30001 and np.isnan(column.data[-1])


def test_integers_past_the_sample_widen(tmp_path):
    body = "\n".join(str(i) for i in range(30000))
    real = parse_file(write(tmp_path, "late_real.csv", "v\n" + body + "\n2.5\n")).columns[0]
    assert real.type == "real" and real.data[-1] == 2.5 and real.data[29999] == 29999
    big = parse_file(write(tmp_path, "late_big.csv", "v\n" + body + "\n30000000000\n")).columns[0]
    assert big.type == "int" and big.data[-1] == 3e10


def test_times_skipped_columns_and_multi_file(tmp_path):
    text = "id,when,drop\n1,2014-01-05 10:00:00,z\n2,2014-01-06 11:30:00.5,z\n3,05-Jan-14,z\n"
    one, two = write(tmp_path, "t1.csv", text), write(tmp_path, "t2.csv", text)
    setup = guess_setup([one, two], skipped_columns=[2])
    frame = parse_frame([one, two], setup, "t.hex")
    assert frame.names == ["id", "when"] and frame.nrows == 6       # second header skipped
    assert frame.column("when").type == "time"
    assert frame.column("when").data[:3].tolist() == [1388916000000.0, 1389007800500.0, 1388880000000.0]


def test_hex_key():
    assert hex_key("/data/my file-1.csv.gz") == "my_file_1.hex"
    assert hex_key("nfs://work/x/2020.csv") == "X2020.hex"


@pytest.mark.parametrize("name,content,needle", [
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"\n\n  \n", "empty"),
    ("binary.bin", bytes(range(256)) * 40, "binary"),
])
def test_bad_files(tmp_path, name, content, needle):
    with pytest.raises(ParseError, match=needle):
        parse_file(write(tmp_path, name, content))


def test_missing_file(tmp_path):
    with pytest.raises(ParseError, match="does not exist"):
        parse_file(str(tmp_path / "nope.csv"))


def test_short_rows_get_missing_values_as_in_h2o3(tmp_path):
    path = write(tmp_path, "ragged.csv", "a,b,c\n1,2,3\n3,4\n5\n\n6,7,8\n")
    frame = parse_file(path)
    assert frame.nrows == 4
    a, b, c = (col.data for col in frame.columns)
    np.testing.assert_array_equal(a, [1, 3, 5, 6])
    np.testing.assert_array_equal(b, [2, 4, np.nan, 7])
    np.testing.assert_array_equal(c, [3, np.nan, np.nan, 8])


def test_long_rows_lose_their_extra_fields_with_a_warning(tmp_path):
    path = write(tmp_path, "long.csv", 'a,b\n1,2\n3,4,99,"x,y"\n"5",6\n')
    setup = guess_setup([path])
    frame = parse_frame([path], setup, "long.hex")
    np.testing.assert_array_equal(frame.columns[0].data, [1, 3, 5])
    np.testing.assert_array_equal(frame.columns[1].data, [2, 4, 6])
    note = [w for w in setup.warnings if "more columns than expected" in w]
    assert note and "found: 4, expected: 2" in note[0] and "99" in note[0]


def test_duplicate_names_and_bad_hints(tmp_path):
    path = write(tmp_path, "dup.csv", "a,b,a\n1,2,3\n")
    with pytest.raises(ParseError, match="duplicate column name a") as err:
        parse_file(path)
    assert err.value.field == "column_names"
    with pytest.raises(ParseError, match="check_header") as err:
        guess_setup([path], check_header=7)
    assert err.value.field == "check_header"
    with pytest.raises(ParseError, match="unknown column type 'blob'"):
        guess_setup([path], column_types=["Numeric", "blob", "Numeric"])


def test_parse_honours_cancel(tmp_path):
    class Cancelled:
        stop_requested = True

        def update(self, progress, msg=None):
            pass
    path = write(tmp_path, "c.csv", "a\n1\n2\n")
    with pytest.raises(JobCancelled):
        parse_frame([path], guess_setup([path]), "c.hex", Cancelled())


def test_uneven_rows_that_cannot_be_evened_out_name_the_line(tmp_path):
    path = write(tmp_path, "unit_sep.csv", "a,b\n" + "1,2\n" * 100 + "3\x1f,4,5\n6,7\n")
    with pytest.raises(ParseError, match=r"line 102: expected 2 fields but found 3"):
        parse_file(path)
