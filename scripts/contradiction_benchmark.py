"""Contradiction benchmark of the comparison stage: alter one report of a real event, see the fact come back contested.

    python scripts/contradiction_benchmark.py ../shared/data/clustering/allsides_dev.jsonl \
        ../shared/data/clustering/ecbplus_dev.jsonl [--json] [--max-reports 6] [--limit N] [--offset N] \
        [--comparer comparer.facts.v2 --comparer comparer.facts.v3] [--split fit|heldout] [--cache FILE] [--misses N] \
        [--alterations 1|2]

Several ``--comparer`` are scored side by side on the same analysed reports
(one run). ``--split`` keeps one half of the events, by a hash of the event
id: read the misses of ``fit`` to find rules, report ``heldout``. ``--cache``
keeps the reports' analyses in a pickle file between runs; ``--misses N``
lists N misses of each kind.

Events are the corpora's gold events with reports from two or more sources
(at most ``--max-reports`` each). Every report is analysed by the real
pipeline (normalise, entities, quotes, dates) and the gold event's reports
are compared by the registered comparer.

* **False alarms**: the share of unaltered events with any ``contested`` fact.
* **Recall**: for each event, each kind of alteration is tried once, on a
  pair of claims of two sources that state the same thing by a criterion
  independent of the aligner: the same count of killed / injured or the same
  number with the same unit (``count``), the same event day (``date``), the
  same actor and target (``actors``), or 60% of the content words shared
  (``negation``). One report's claim is altered -- the number changed, the
  date moved three days, actor and target swapped, "not" put after the
  first auxiliary -- the altered report is analysed again and the event
  compared again. The alteration is found when a contested fact holds the
  altered claim with the right values (both numbers, both dates, both
  actor orders, asserted and denied).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import pickle
import re
import sys
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path

import storyline
from storyline.evaluate.clustering import load_corpus
from storyline.model import RawRecord
from storyline.pipeline.compare.claims import Claim, content_words
from storyline.pipeline.normalise import to_article
from storyline.pipeline.relays import Report
from storyline.settings import load_options

KINDS = ("count", "date", "actors", "negation")
_AUX = re.compile(r"\b(is|are|was|were|has|have|had|will|would|can|could|did|does|do)\b(?! not\b|n[’']t)")
_NUMBER_WORDS = (r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                 r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|a dozen|a|an)\b")
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def _article(row: dict, text: str | None = None, key: str = ""):
    fields = {"id": row["id"] + key, "date": row.get("date"), "source": row.get("source") or row["id"], "title": row.get("title"),
              "text": text if text is not None else row["text"]}
    return to_article(RawRecord("bench", 0, fields))


class Bench:
    def __init__(self, engine) -> None:
        self.engine = engine
        self.comparer = engine.components.get("comparer")
        self.embedder = engine.components.get("embedder")
        self.relays = engine.components.get("relays")

    def analyse(self, articles):
        return {a.id: analysis.mentions for a, analysis in zip(articles, self.engine.analyse(articles))}

    def compare(self, articles, mentions):
        reports = [Report(a.id, a.source, None, tuple(m for m in mentions[a.id] if m.label == "ATTRIBUTION")) for a in articles]
        relays = self.relays.detect(reports).relays
        claims = self.comparer.claims(articles, mentions, relays)
        return self.comparer.compare("E", articles, mentions, relays, self.embedder), claims


def _denies_shared(x: Claim, y: Claim) -> bool:
    """Alterations 2: would "not" after ``x``'s first auxiliary govern a word ``y`` states (the next four words, within
    the clause)?"""
    m = _AUX.search(x.text)
    if m is None:
        return False
    clause = re.split(r"[,;:.!?()\u2014\u2013]", x.text[m.end():], maxsplit=1)[0]
    return bool(content_words(" ".join(clause.split()[:4])) & y.words)


def _candidates(claims: list[Claim], alterations: int = 2) -> dict[str, tuple[Claim, Claim]]:
    """One (claim to alter, the other source's claim stating the same thing) per kind, when the event has one."""
    out: dict[str, tuple[Claim, Claim]] = {}
    for i, a in enumerate(claims):
        for b in claims[i + 1:]:
            if a.source == b.source:
                continue
            for x, y in ((a, b), (b, a)):
                counts = {(c.kind, c.value) for c in y.counts if c.exact and c.value > 0}
                if "count" not in out and len(x.words & y.words) >= 3 and (any((c.kind, c.value) in counts and c.exact and c.value > 0 for c in x.counts)
                                           or {(q.unit, q.value) for q in x.quantities} & {(q.unit, q.value) for q in y.quantities}):
                    out["count"] = (x, y)
                if ("date" not in out and x.dates and {d[0] for d in x.dates} & {d[0] for d in y.dates}
                        and len(x.words & y.words) / max(1, min(len(x.words), len(y.words))) >= 0.3):
                    out["date"] = (x, y)
                if ("actors" not in out and x.actor1 and x.actor2 and y.actor1 and y.actor2 and x.actor1.key != x.actor2.key
                        and (x.actor1.key, x.actor2.key) == (y.actor1.key, y.actor2.key)):
                    out["actors"] = (x, y)
                small = min(len(x.words), len(y.words))
                if ("negation" not in out and not x.negated and not y.negated and small >= 5
                        and len(x.words & y.words) / small >= 0.6 and _AUX.search(x.text)
                        and (alterations < 2 or _denies_shared(x, y))):
                    out["negation"] = (x, y)
    return out


def _alter(kind: str, claim: Claim, other: Claim | None = None, alterations: int = 2) -> tuple[str, int, int, set[str] | list[set[str]]] | None:
    """(new claim text, start, end of the claim in the article, the values expected back -- or, alterations 2, a list
    of sets of values any one of which is right) or None; the value altered is one ``other`` (the other source's claim)
    states the same way, when it does."""
    text = claim.text
    if kind == "count":
        theirs = {(c.kind, c.value) for c in other.counts} if other is not None else set()
        exact = [c for c in claim.counts if c.exact and c.value > 0]
        units = {(q.unit, q.value) for q in other.quantities} if other is not None else set()
        in_both = any((q.unit, q.value) in units for q in claim.quantities)
        shared = next((c for c in exact if (c.kind, c.value) in theirs), exact[0] if exact and not in_both else None)
        if shared is not None:
            s, e, new = shared.start - claim.start, shared.end - claim.start, shared.value * 2 + 3
            number = re.search(r"\d[\d,]*", text[s:e]) or re.search(_NUMBER_WORDS, text[s:e], re.IGNORECASE)
            if number is None:
                return None
            s2 = s + number.start()
            return text[:s2] + str(new) + text[s2 + len(number.group(0)):], claim.start, claim.end, {f"{shared.value} {shared.kind}", f"{new} {shared.kind}"}
        q = next((q for q in claim.quantities if (q.unit, q.value) in units), claim.quantities[0])
        s = q.start - claim.start
        digits = re.search(r"\d[\d,.]*", text[s:])
        old = digits.group(0)
        new = str(int(float(old.replace(",", "")) * 2 + 3)) if "." not in old else f"{float(old) * 2 + 3:.1f}"
        return text[:s + digits.start()] + new + text[s + digits.end():], claim.start, claim.end, {f"#{old}", f"#{new}"}
    if kind == "date":
        days = {d[0] for d in other.dates} if other is not None else set()
        iso, s, e = next((d for d in claim.dates if d[0] in days), claim.dates[0])
        phrase = text[s - claim.start:e - claim.start]
        day = dt.date.fromisoformat(iso)
        moved = day - dt.timedelta(days=3)
        if any(w in phrase for w in _WEEKDAYS):
            replaced = re.sub("|".join(_WEEKDAYS), _WEEKDAYS[moved.weekday()], phrase, count=1)
            if alterations >= 2:  # the weekday name means the day 3 days before or the same weekday 4 days after
                new = text[:s - claim.start] + replaced + text[e - claim.start:]
                later = moved + dt.timedelta(days=7)
                return new, claim.start, claim.end, [{iso, moved.isoformat()}, {iso, later.isoformat()}]
        else:
            m = re.search(r"\b\d{1,2}\b", phrase)
            if m is None:
                return None
            replaced = phrase[:m.start()] + str(moved.day) + phrase[m.end():]
            if moved.month != day.month:
                return None
        new = text[:s - claim.start] + replaced + text[e - claim.start:]
        return new, claim.start, claim.end, {iso, moved.isoformat()}
    if kind == "actors":
        # an actor's span is into the claim's text (``record.actors`` reads the claim alone), not the article's
        a, b = sorted((claim.actor1, claim.actor2), key=lambda x: x.start)
        sa, ea, sb, eb = a.start, a.end, b.start, b.end
        if ea > sb or text[sa:ea] != a.text or text[sb:eb] != b.text or a.text == b.text:
            return None
        new = text[:sa] + text[sb:eb] + text[ea:sb] + text[sa:ea] + text[eb:]
        forward, backward = f"{claim.actor1.name} \u2192 {claim.actor2.name}", f"{claim.actor2.name} \u2192 {claim.actor1.name}"
        return new, claim.start, claim.end, {forward, backward}
    m = _AUX.search(text)
    return text[:m.end()] + " not" + text[m.end():], claim.start, claim.end, {"asserted", "denied"}


def _found(comparison, article_id: str, start: int, expected: set[str] | list[set[str]], kind: str) -> bool:
    """Does a contested fact hold the altered claim (among its claims, or a value's claims: comparer.facts.v5 cites a
    claim of another fact stating the same act) with both values in one of its conflicts (v5 lists several)? A list
    of expected sets: any one of them."""
    if isinstance(expected, list):
        return any(_found(comparison, article_id, start, e, kind) for e in expected)
    holds = lambda supports: any(s.article == article_id and s.start <= start < max(s.end, start + 1) for s in supports)  # noqa: E731
    for fact in comparison.facts:
        if fact.status != "contested":
            continue
        conflicts = [(c.kind, c.values) for c in getattr(fact, "conflicts", ())] or [(fact.kind, fact.values)]
        if not holds(fact.supports) and not any(holds(v.supports) for _, vs in conflicts for v in vs):
            continue
        for fact_kind, fact_values in conflicts:
            values = {v.value for v in fact_values}
            if all(e.startswith("#") for e in expected):  # a number with its unit: both numbers among the values
                shown = " | ".join(values)
                if fact_kind == "count" and all(re.search(rf"(?<![\d.,]){re.escape(e[1:])}(?![\d]|[.,]\d)", shown) for e in expected):
                    return True
            elif expected <= values or expected <= {v.split()[0] for v in values} | values:
                return True
        if not getattr(fact, "conflicts", ()):
            return False  # before v5: the first contested fact holding the claim decides, as the script always did
    return False


class Analyses:
    """The analyses of the reports, shared by every comparer of one run, kept in ``cache`` (a pickle file) when given."""

    def __init__(self, bench: Bench, cache: str | None) -> None:
        self.bench, self.cache, self.store = bench, cache, {}
        if cache and Path(cache).exists():
            with open(cache, "rb") as f:
                self.store = pickle.load(f)
        self.added = 0

    def get(self, articles) -> dict:
        keys = {a.id: hashlib.sha1(a.text.encode("utf-8")).hexdigest() for a in articles}
        todo = [a for a in articles if (a.id, keys[a.id]) not in self.store]
        if todo:
            for a_id, mentions in self.bench.analyse(todo).items():
                self.store[(a_id, keys[a_id])] = mentions
            self.added += len(todo)
        return {a.id: self.store[(a.id, keys[a.id])] for a in articles}

    def save(self) -> None:
        if self.cache and self.added:
            with open(self.cache, "wb") as f:
                pickle.dump(self.store, f)


def _part(event: str) -> str:
    """The half of the events an event belongs to: ``fit`` (misses read to find rules) or ``heldout`` (reported)."""
    return "fit" if zlib.crc32(event.encode("utf-8")) % 2 == 0 else "heldout"


def _events(paths: list[str], max_reports: int, limit: int | None, split: str, offset: int = 0) -> list[list[dict]]:
    out = []
    for path in paths:
        rows = [json.loads(line) for line in open(path, encoding="utf-8")]
        groups = defaultdict(list)
        for row in rows:
            if row.get("event") and row.get("text"):
                groups[row["event"]].append(row)
        events = [g[:max_reports] for g in groups.values() if len({r.get("source") or r["id"] for r in g[:max_reports]}) >= 2]
        events = events[offset:offset + limit] if limit is not None else events[offset:]
        out += [g for g in events if split == "all" or _part(g[0]["event"]) == split]
    return out


def _score(bench: Bench, analyses: Analyses, events: list[list[dict]], n_examples: int, n_misses: int,
           alterations: int = 2) -> dict:
    totals, found, missed = Counter(), Counter(), Counter()
    false_alarm_events, examples, misses = 0, [], defaultdict(list)
    started = time.process_time()
    for group in events:
        articles = [_article(r) for r in group]
        mentions = analyses.get(articles)
        comparison, claims = bench.compare(articles, mentions)
        contested = [f for f in comparison.facts if f.status == "contested"]
        if contested:
            false_alarm_events += 1
            examples.append({"event": group[0]["event"], "false_alarm": [[f.note, *(s.text for s in f.supports)] for f in contested[:2]]})
        for kind, (claim, other) in _candidates(claims, alterations).items():
            altered = _alter(kind, claim, other, alterations)
            if altered is None:
                continue
            new_claim, start, end, expected = altered
            row = next(r for r in group if _article(r).id == claim.article.id)
            text = claim.article.text[:start] + new_claim + claim.article.text[end:]
            changed = [_article(r, text if r is row else None) for r in group]
            index = next(i for i, r in enumerate(group) if r is row)
            new_mentions = dict(mentions)
            new_mentions.update(analyses.get([changed[index]]))
            again, _ = bench.compare(changed, new_mentions)
            totals[kind] += 1
            ok = _found(again, changed[index].id, start, expected, kind)
            found[kind] += ok
            if not ok:
                together = any(any(s.article == changed[index].id and s.start == start for s in f.supports)
                               and any(s.article == other.article.id and s.start == other.start for s in f.supports)
                               for f in again.facts)
                missed[(kind, together)] += 1
                if len(examples) < n_examples:
                    examples.append({"kind": kind, "missed": new_claim, "other": other.text, "aligned": together})
                if len(misses[kind]) < n_misses:
                    misses[kind].append({"event": group[0]["event"], "missed": new_claim, "other": other.text, "aligned": together})
    recall = {k: round(found[k] / totals[k], 3) if totals[k] else None for k in KINDS}
    n = sum(totals.values())
    out = {"comparer": bench.comparer.name, "n_events": len(events), "false_alarm_events": false_alarm_events,
           "false_alarm_rate": round(false_alarm_events / max(1, len(events)), 4), "n_altered": n, "altered_by_kind": dict(totals),
           "recall": round(sum(found.values()) / max(1, n), 4), "recall_by_kind": recall,
           "missed_aligned": {k: missed[(k, True)] for k in KINDS}, "missed_not_aligned": {k: missed[(k, False)] for k in KINDS},
           "cpu_seconds": round(time.process_time() - started, 1), "examples": examples[:n_examples]}
    if n_misses:
        out["misses"] = dict(misses)
    return out


def run(paths: list[str], max_reports: int, limit: int | None, comparer: str | None = None, n_examples: int = 40,
        comparers: list[str] | None = None, split: str = "all", cache: str | None = None, n_misses: int = 0,
        offset: int = 0, alterations: int = 2) -> dict:
    """Score the default comparer (or ``comparer``), or each of ``comparers`` side by side on the same analyses."""
    names = comparers or [comparer]
    events = _events(paths, max_reports, limit, split, offset)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        engine = storyline.Storyline(Path(folder) / "bench.db", load_options(environ={}))
        bench = Bench(engine)
        analyses = Analyses(bench, cache)
        from storyline import registry

        for name in names:
            bench.comparer = registry.create(name, engine.options) if name else engine.components.get("comparer")
            results.append({"corpora": [Path(p).name for p in paths], "split": split, "alterations": alterations,
                            **_score(bench, analyses, events, n_examples, n_misses, alterations)})
            analyses.save()
        engine.close()
    return results[0] if len(results) == 1 else {"side_by_side": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+")
    parser.add_argument("--max-reports", type=int, default=6)
    parser.add_argument("--limit", type=int, default=None, help="At most this many events per corpus.")
    parser.add_argument("--offset", type=int, default=0, help="Skip this many events of each corpus first.")
    parser.add_argument("--comparer", action="append", default=[],
                        help="A registered comparer (default: the default setting); repeat it to score several side by side.")
    parser.add_argument("--split", choices=("all", "fit", "heldout"), default="all",
                        help="Only the events of one half (by a hash of the event id): read the misses of fit, report heldout.")
    parser.add_argument("--cache", default=None, help="A pickle file keeping the reports' analyses between runs.")
    parser.add_argument("--misses", type=int, default=0, help="Show this many misses of each kind.")
    parser.add_argument("--examples", type=int, default=40, help="At most this many false alarms and misses shown.")
    parser.add_argument("--alterations", type=int, choices=(1, 2), default=2,
                        help="1: the alterations before comparer.facts.v6; 2: denials of what the other claim states, "
                             "weekday names read either way (see the module doc).")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.corpora, args.max_reports, args.limit, n_examples=args.examples, comparers=args.comparer or None,
                 split=args.split, cache=args.cache, n_misses=args.misses, offset=args.offset,
                 alterations=args.alterations)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        for r in result.get("side_by_side", [result]):
            print(f"{r['comparer']}: {r['n_events']} events: false alarms {r['false_alarm_rate']:.3f} ({r['false_alarm_events']} events); "
                  f"altered {r['n_altered']} {r['altered_by_kind']}: recall {r['recall']:.3f} {r['recall_by_kind']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
