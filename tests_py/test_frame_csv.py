"""CSV export: H2O-3's layout, and reals written so that R's read.csv gets the same doubles."""
from __future__ import annotations

import csv
import io

import numpy as np
import pyarrow as pa

from h2o_backend.frames.csv_writer import frame_csv_chunks, r_reads
from h2o_backend.frames.frame import Column, Frame


def test_r_parser_emulation_on_known_cases():
    text = pa.array(["4.488550253600883", "0.168503", "5.8", "1e-7", "-2.5e+20", "0"])
    got = r_reads(text)
    # R 4.2's read.csv misreads the first two by one ulp (checked against R itself)
    assert got[0] == np.nextafter(4.488550253600883, 0) and got[1] != 0.168503
    assert got[2:].tolist() == [5.8, 1e-7, -2.5e20, 0.0]


def test_layout_and_exact_reals():
    values = np.array([4.488550253600883, 0.168503, 5.8, np.nan, np.inf, 1e-7])
    frame = Frame("t", [
        Column("r", "real", values),
        Column("i", "int", np.array([1, np.nan, 3, 4, 5, -6])),
        Column("e", "enum", np.array([0, 1, -1, 0, 1, 0], dtype=np.int32), ['a"b', "c,d"]),
        Column("s", "string", np.array(["x", None, "y", "z", "", "w"], dtype=object)),
        Column("t", "time", np.array([1194307200000.0] * 6)),
    ])
    text = b"".join(frame_csv_chunks(frame)).decode()
    lines = text.splitlines()
    assert lines[0] == '"r","i","e","s","t"'
    assert lines[1].endswith(',1,"a""b","x",1194307200000')
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [float(r[0]) if r[0] else None for r in rows[:3]] == [4.488550253600883, 0.168503, 5.8]
    assert len(rows[0][0].replace(".", "")) == 17 and len(rows[1][0]) > len("0.168503")
    assert r_reads(pa.array([rows[0][0], rows[1][0]])).tolist() == [4.488550253600883, 0.168503]
    assert rows[2][0] == "5.8" and rows[3][0] == "" and rows[4][0] == "Inf"
    assert [r[1] for r in rows] == ["1", "", "3", "4", "5", "-6"]
    assert [r[2] for r in rows[:3]] == ['a"b', "c,d", ""] and lines[3].split(",")[2] == ""
    assert lines[2].endswith('"c,d",,1194307200000') and ',"",' in lines[5]   # missing vs ""


def test_a_row_of_missing_values_is_not_a_blank_line():
    frame = Frame("one", [Column("a", "real", np.array([1.5, np.nan, 2.0]))])
    assert b"".join(frame_csv_chunks(frame)) == b'"a"\n1.5\nNA\n2\n'


def test_empty_frame_has_header_only():
    frame = Frame("e", [Column("a", "real", np.empty(0))])
    assert b"".join(frame_csv_chunks(frame)) == b'"a"\n'
