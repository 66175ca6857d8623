"""The ACLED place error dump names the cause of each wrong place (scripts/acled_place_errors.py)."""

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "acled_place_errors.py"
_SPEC = importlib.util.spec_from_file_location("acled_place_errors", _PATH)
errors = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(errors)

GOLD = {"country": "Guatemala", "admin1": "Totonicapan", "admin2": "San Cristobal Totonicapan", "location": "Cuatro Caminos",
        "latitude": 14.91, "longitude": -91.44}
MEXICO = {"text": "Cuatro Caminos", "country_code": "MX", "precision": "city", "latitude": 19.1, "longitude": -98.9}
TOWN = {"text": "San Cristobal Totonicapan", "country_code": "GT", "precision": "city", "latitude": 14.92, "longitude": -91.44}


def test_a_right_place_found_but_not_chosen_is_other_chosen():
    assert errors.classify(GOLD, MEXICO, [MEXICO, TOWN], "GT") == (True, True, "other_chosen")


def test_the_gold_name_resolved_abroad_is_a_homonym():
    assert errors.classify(GOLD, MEXICO, [MEXICO], "GT") == (True, True, "homonym")


def test_a_name_the_gazetteer_lacks_is_a_gap_and_no_place_is_no_place():
    gap = {"text": "Cuatro Caminos", "country_code": "GT", "precision": "unresolved", "latitude": 15.5, "longitude": -90.0}
    assert errors.classify(GOLD, gap, [gap], "GT") == (False, True, "gap")
    assert errors.classify(GOLD, {}, [], "GT") == (True, True, "no_place")


def test_a_right_place_is_no_error():
    assert errors.classify(GOLD, TOWN, [TOWN], "GT") == (False, False, None)
