"""Settings: defaults < file < environment < overrides; unknown or badly typed values fail loudly."""

from __future__ import annotations

import pytest

from storyline.errors import Codes, SettingsError
from storyline.settings import SETTINGS, Options, load_options


def write(tmp_path, text):
    path = tmp_path / "storyline.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_come_from_the_settings_table():
    options = load_options(environ={})
    assert dict(options) == {s.name: s.default for s in SETTINGS}
    assert options.batch_size == options["batch_size"] == 64


def test_every_setting_has_a_unique_name_and_help():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    assert all(s.help.strip() for s in SETTINGS)


def test_precedence_is_defaults_then_file_then_environment_then_overrides(tmp_path):
    path = write(tmp_path, "batch_size = 10\nevent_threshold = 0.6\nthreads = 3\n")
    environ = {"STORYLINE_EVENT_THRESHOLD": "0.7", "STORYLINE_THREADS": "4"}

    options = load_options(path, overrides={"threads": "5"}, environ=environ)

    assert (options.event_window_days, options.batch_size, options.event_threshold, options.threads) == (7, 10, 0.7, 5)


def test_file_may_hold_a_storyline_table(tmp_path):
    assert load_options(write(tmp_path, "[storyline]\nprogress = false\n"), environ={}).progress is False


def test_environment_is_read_from_the_process_by_default(monkeypatch):
    monkeypatch.setenv("STORYLINE_BATCH_SIZE", "8")
    assert load_options().batch_size == 8


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("ON", True), ("1", True), ("no", False), ("off", False), ("0", False)])
def test_boolean_strings_are_understood(raw, value):
    assert load_options(environ={"STORYLINE_PROGRESS": raw}).progress is value


def test_strings_are_coerced_to_the_type_of_the_default():
    options = load_options(overrides={"batch_size": "16", "event_threshold": "0.25", "near_duplicate_jaccard": 1}, environ={})
    assert (options.batch_size, options.event_threshold, options.near_duplicate_jaccard) == (16, 0.25, 1.0)
    assert isinstance(options.near_duplicate_jaccard, float)


@pytest.mark.parametrize("where", ["overrides", "file", "options"])
def test_unknown_setting_fails_loudly_with_sl301_and_the_known_names(tmp_path, where):
    with pytest.raises(SettingsError) as info:
        if where == "overrides":
            load_options(overrides={"batch_sise": "4"}, environ={})
        elif where == "file":
            load_options(write(tmp_path, "batch_sise = 4\n"), environ={})
        else:
            Options({"batch_sise": 4})
    assert info.value.code == Codes.UNKNOWN_SETTING
    assert str(info.value).startswith("[SL301] unknown setting 'batch_sise'")
    assert "batch_size" in str(info.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("batch_size", "four"),
        ("batch_size", "2.5"),
        ("batch_size", 2.5),
        ("batch_size", True),
        ("event_threshold", "high"),
        ("event_threshold", False),
        ("progress", "maybe"),
        ("progress", 1),
        ("event_window_days", ""),
    ],
)
def test_badly_typed_value_fails_with_sl302_naming_the_setting(name, value):
    with pytest.raises(SettingsError) as info:
        load_options(overrides={name: value}, environ={})
    assert info.value.code == Codes.BAD_SETTING
    assert repr(name) in str(info.value)


def test_badly_typed_environment_value_fails_with_sl302():
    with pytest.raises(SettingsError) as info:
        load_options(environ={"STORYLINE_BATCH_SIZE": "lots"})
    assert info.value.code == Codes.BAD_SETTING


def test_missing_or_invalid_file_fails_with_sl302(tmp_path):
    for path in (tmp_path / "absent.toml", write(tmp_path, "batch_size = = 3")):
        with pytest.raises(SettingsError) as info:
            load_options(path, environ={})
        assert info.value.code == Codes.BAD_SETTING
        assert str(path) in str(info.value)


def test_replace_returns_new_checked_options():
    options = load_options(environ={})
    changed = options.replace(batch_size="2")
    assert (options.batch_size, changed.batch_size) == (64, 2)
    with pytest.raises(SettingsError):
        options.replace(nope=1)


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        load_options(environ={}).nope


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("event_candidates", "0", "at least 1"),
        ("batch_size", -4, "at least 1"),
        ("event_window_days", "-1", "at least 0"),
        ("event_threshold", "1.5", "between 0 and 1"),
        ("near_duplicate_jaccard", "nan", "between 0 and 1"),
        ("threads", 0, "at least 1"),
    ],
)
def test_out_of_range_value_fails_with_sl302_and_the_bounds(name, value, words):
    with pytest.raises(SettingsError) as info:
        load_options(overrides={name: value}, environ={})
    assert info.value.code == Codes.BAD_SETTING
    assert repr(name) in str(info.value) and words in str(info.value)


def test_bounds_are_inclusive():
    options = load_options(overrides={"event_window_days": 0, "event_threshold": 1, "batch_size": 1}, environ={})
    assert (options.event_window_days, options.event_threshold, options.batch_size) == (0, 1.0, 1)


def test_every_default_is_within_its_bounds():
    assert dict(Options()) == {s.name: s.default for s in SETTINGS}
