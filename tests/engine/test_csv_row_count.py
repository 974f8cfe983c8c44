"""The import preview's row count is the file's, not its sniff sample's (a 569-row file was
shown as "499 rows", exact)."""

from __future__ import annotations

import pytest

from engine.data.csv_sniff import SAMPLE_RECORDS, preview_csv


@pytest.mark.parametrize(
    "rows", [10, SAMPLE_RECORDS - 2, SAMPLE_RECORDS - 1, SAMPLE_RECORDS, 569, 2000]
)
def test_the_row_count_is_exact(tmp_path, rows):
    path = tmp_path / "table.csv"
    lines = ["a,b,label"] + [f"{i * 0.5},{-i},{i % 2}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    preview = preview_csv(path)
    assert preview.n_rows_total == rows
    assert preview.n_rows_exact


def test_without_a_header_too(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("\n".join(f"{i}.5,{i % 2}" for i in range(569)) + "\n", encoding="utf-8")
    preview = preview_csv(path, header=False)
    assert preview.n_rows_total == 569
