"""Read the errors of comparers on one half of the contradiction benchmark, and score a small grid of settings.

    python scripts/contradiction_errors.py ../shared/data/clustering/allsides_dev.jsonl --split fit \
        --comparer comparer.facts.v5 [--base comparer.facts.v4] [--cache FILE] [--dump FILE.jsonl] \
        [--grid slot_pairs=0.3,0.4,0.5]

Uses the events, alterations and scoring of ``contradiction_benchmark.py``
(imported from this folder). ``--dump`` writes one JSON line per false alarm
(every conflict of every contested fact of an unaltered event, each value
with its sources and spans; ``new`` when the ``--base`` comparer does not
contest a fact holding the same claims) and per miss (the altered claim, the
other source's claim, the values expected, and what the fact holding the
altered claim shows). ``--grid NAME=V1,V2`` scores the comparer with its
``AlignParams`` field ``NAME`` set to each value (fit the value on the fit
half only). Sentence embeddings are kept in memory between comparers, so a
grid costs one embedding of each claim.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contradiction_benchmark as cb  # noqa: E402

import storyline  # noqa: E402
from storyline import registry  # noqa: E402
from storyline.settings import load_options  # noqa: E402


class MemoEmbedder:
    """An embedder that embeds each text once per run."""

    def __init__(self, inner) -> None:
        self.inner, self.memo = inner, {}

    def embed(self, texts):
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if todo:
            for t, v in zip(todo, self.inner.embed(todo)):
                self.memo[t] = np.asarray(v, dtype=np.float32)
        return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _support(s) -> dict:
    return {"source": s.source, "article": s.article, "start": s.start, "end": s.end, "text": s.text}


def _conflicts(fact) -> list[dict]:
    shown = list(getattr(fact, "conflicts", ())) or [fact]
    return [{"kind": c.kind, "note": c.note,
             "values": [{"value": v.value, "sources": list(v.sources), "supports": [_support(s) for s in v.supports]}
                        for v in c.values]} for c in shown]


def _keys(comparison) -> set:
    return {frozenset((s.article, s.start) for s in f.supports) for f in comparison.facts if f.status == "contested"}


def dump(bench, base, analyses, events, out, alterations: int = 2) -> None:
    for group in events:
        articles = [cb._article(r) for r in group]
        mentions = analyses.get(articles)
        comparison, claims = bench.compare(articles, mentions)
        before = set()
        if base is not None:
            mine, bench.comparer = bench.comparer, base
            before = _keys(bench.compare(articles, mentions)[0])
            bench.comparer = mine
        for f in comparison.facts:
            if f.status == "contested":
                key = frozenset((s.article, s.start) for s in f.supports)
                out.write(json.dumps({"type": "false_alarm", "event": group[0]["event"], "new": key not in before,
                                      "fact": f.text, "supports": [_support(s) for s in f.supports],
                                      "conflicts": _conflicts(f)}, ensure_ascii=False) + "\n")
        for kind, (claim, other) in cb._candidates(claims, alterations).items():
            altered = cb._alter(kind, claim, other, alterations)
            if altered is None:
                continue
            new_claim, start, end, expected = altered
            row = next(r for r in group if cb._article(r).id == claim.article.id)
            text = claim.article.text[:start] + new_claim + claim.article.text[end:]
            changed = [cb._article(r, text if r is row else None) for r in group]
            index = next(i for i, r in enumerate(group) if r is row)
            new_mentions = dict(mentions)
            new_mentions.update(analyses.get([changed[index]]))
            again, _ = bench.compare(changed, new_mentions)
            if cb._found(again, changed[index].id, start, expected, kind):
                continue
            holding = [f for f in again.facts if any(s.article == changed[index].id and s.start == start for s in f.supports)]
            out.write(json.dumps({"type": "miss", "event": group[0]["event"], "kind": kind, "altered": new_claim,
                                  "other": other.text, "expected": [sorted(e) for e in expected] if isinstance(expected, list) else sorted(expected),
                                  "holding": [{"status": f.status, "sources": list(f.sources), "texts": [s.text for s in f.supports],
                                               "conflicts": _conflicts(f) if f.status == "contested" else []} for f in holding]},
                                 ensure_ascii=False) + "\n")


def _value(text: str):
    return {"true": True, "false": False}.get(text.lower(), None) if text.lower() in ("true", "false") else (
        int(text) if text.isdigit() else float(text))


def _settings(grid: list[str]) -> list[dict]:
    """Every combination of the ``NAME=V1,V2`` settings."""
    out = [{}]
    for item in grid:
        field, _, values = item.partition("=")
        out = [{**s, field: _value(v)} for s in out for v in values.split(",")]
    return out if grid else []


def _variant(name: str, options, setting: dict):
    """The comparer ``name`` with ``setting``: comparer.facts.v6 rules (:class:`RulesV6`), or AlignParams fields."""
    comparer = registry.create(name, options)
    rules = getattr(comparer, "conflict_rules", None)
    if rules is not None:
        own = {k: v for k, v in setting.items() if k in {f.name for f in dataclasses.fields(rules)}}
        comparer = type(comparer)(comparer.lexicons, rules=dataclasses.replace(rules, **own))
        setting = {k: v for k, v in setting.items() if k not in own}
    if setting:
        comparer.params = dataclasses.replace(comparer.params, **setting)
    return comparer


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+")
    parser.add_argument("--split", choices=("all", "fit", "heldout"), default="fit")
    parser.add_argument("--max-reports", type=int, default=6)
    parser.add_argument("--comparer", action="append", default=[])
    parser.add_argument("--base", default=None, help="A comparer whose contested facts are not marked 'new' in --dump.")
    parser.add_argument("--cache", default=None)
    parser.add_argument("--alterations", type=int, choices=(1, 2), default=2)
    parser.add_argument("--dump", default=None)
    parser.add_argument("--grid", action="append", default=[],
                        help="NAME=V1,V2,...: a setting (a comparer.facts.v6 rule, else an AlignParams field) and the "
                             "values to score; repeat it for a grid of every combination.")
    args = parser.parse_args(argv)
    events = cb._events(args.corpora, args.max_reports, None, args.split)
    with tempfile.TemporaryDirectory() as folder:
        engine = storyline.Storyline(Path(folder) / "bench.db", load_options(environ={}))
        bench = cb.Bench(engine)
        bench.embedder = MemoEmbedder(bench.embedder)
        analyses = cb.Analyses(bench, args.cache)
        rows = []
        for name in args.comparer:
            variants = [(None, registry.create(name, engine.options))]
            for setting in _settings(args.grid):
                variants.append((" ".join(f"{k}={v}" for k, v in setting.items()), _variant(name, engine.options, setting)))
            if args.grid:
                variants = variants[1:]
            for label, c in variants:
                bench.comparer = c
                if args.dump:
                    with open(args.dump, "a", encoding="utf-8") as out:
                        dump(bench, registry.create(args.base, engine.options) if args.base else None, analyses, events, out,
                             args.alterations)
                r = cb._score(bench, analyses, events, 0, 0, args.alterations)
                rows.append({"comparer": name, "setting": label, **{k: r[k] for k in (
                    "n_events", "false_alarm_events", "false_alarm_rate", "n_altered", "recall", "recall_by_kind")}})
                print(json.dumps(rows[-1]), flush=True)
                analyses.save()
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
