"""The GeoNames dump import and name lookups, on a small file in the GeoNames format."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storyline.errors import InputError
from storyline.pipeline.geo.gazetteer import Gazetteer, article_stripped, import_geonames, name_key

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DUMP = FIXTURES / "geonames_sample.txt"


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_name_key_folds_case_accents_hyphens_and_articles():
    assert name_key("Al-Tanf") == "al tanf"
    assert name_key("Ḩimş") == "hims"
    assert name_key("Île-de-France") == "ile de france"
    assert name_key("Côte d’Ivoire") == "cote divoire"
    assert article_stripped("al tanf") == "tanf"
    assert article_stripped("at tanf") == "tanf"
    assert article_stripped("paris") is None


def test_import_reports_bad_lines_with_file_and_line_and_keeps_the_rest(tmp_path):
    skipped = []
    report = import_geonames(DUMP, tmp_path / "g.sqlite", on_skip=lambda f, n, r: skipped.append((f, n, r)))
    assert report.rows == 5
    assert [(Path(f).name, n) for f, n, _ in skipped] == [("geonames_sample.txt", 3), ("geonames_sample.txt", 5)]
    assert "19 tab-separated columns" in skipped[0][2]
    assert "geonameid" in skipped[1][2]
    assert _count(tmp_path / "g.sqlite", "places") == 5


def test_reimport_is_idempotent(tmp_path):
    target = tmp_path / "g.sqlite"
    import_geonames(DUMP, target, admin1_codes=FIXTURES / "admin1_sample.txt", country_info=FIXTURES / "countryinfo_sample.txt")
    counts = {t: _count(target, t) for t in ("places", "names", "admin1", "countries")}
    import_geonames(DUMP, target, admin1_codes=FIXTURES / "admin1_sample.txt", country_info=FIXTURES / "countryinfo_sample.txt")
    assert {t: _count(target, t) for t in counts} == counts
    assert counts["admin1"] == 3 and counts["countries"] == 1


def test_import_streams_in_batches(tmp_path):
    report = import_geonames(DUMP, tmp_path / "g.sqlite", batch=2)
    assert report.rows == 5


def test_missing_dump_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        import_geonames(tmp_path / "absent.txt", tmp_path / "g.sqlite")


def test_lookup_matches_alternate_names_and_article_variants(tmp_path):
    target = tmp_path / "g.sqlite"
    import_geonames(DUMP, target, admin1_codes=FIXTURES / "admin1_sample.txt", country_info=FIXTURES / "countryinfo_sample.txt")
    gazetteer = Gazetteer(target, builtin=False)
    try:
        for spelling in ("al-Tanf", "At Tanf", "Al Tanf", "at-Tanf"):
            found = gazetteer.lookup(name_key(spelling))
            assert [e.geonameid for e in found] == [900001], spelling
        homs = gazetteer.lookup(name_key("Homs"))
        assert [(e.name, e.country_code, e.feature_code) for e in homs] == [("Ḩimş", "SY", "PPLA")]
        assert gazetteer.admin1_name("SY", "05") == "Homs Governorate"
        assert gazetteer.country_name("SY") == "Syria"
        assert gazetteer.lookup("nowhere at all") == []
    finally:
        gazetteer.close()


def test_non_utf8_lines_are_reported_and_blank_and_comment_lines_passed_over_in_every_file(tmp_path):
    dump = tmp_path / "dump.txt"
    dump.write_bytes(b"# a comment\n\n" + DUMP.read_bytes().splitlines(keepends=True)[0] + b"Caf\xe9\tbad\n")
    admin1 = tmp_path / "admin1.txt"
    admin1.write_bytes(b"# codes\nSY.05\tHoms\tHoms\t169575\n\nSY.\xff\tbad\n")
    skipped = []
    report = import_geonames(dump, tmp_path / "g.sqlite", admin1_codes=admin1,
                             on_skip=lambda f, n, r: skipped.append((Path(f).name, n, r)))
    assert (report.rows, report.admin1) == (1, 1)
    assert [(f, n) for f, n, _ in skipped] == [("dump.txt", 4), ("admin1.txt", 4)]
    assert all(r.startswith("not UTF-8") for _, _, r in skipped)
