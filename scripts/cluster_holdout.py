"""Held-out check of `storyline fit cluster`: fit on one half of each corpus, score the other half.

    python scripts/cluster_holdout.py ../shared/data/clustering/allsides_dev.jsonl \
        ../shared/data/clustering/ecbplus_dev.jsonl [--l2 0.003] [--cache /tmp/datasets.pkl] [--v5] [--no-v2]

Halves: a dated corpus splits at the middle of its dates (earlier / later), an
undated one by topic (the gold ``story``: odd / even number, or position when not a number).
Each fold runs the whole v3 fit procedure (`storyline.evaluate.fit.fit_models`)
on one half and replays the fitted clusterer on the other; for comparison, the
v2 procedure (teacher-forced logistic model only, thresholds on the same grid)
is fitted on the same half. Prints B3-F1 / pairwise F1 per held-out half. ``--v5``: also replays
``clusterer.online.v5`` (v4's batched IDF and bounded second pass, v5's move step) with the same fitted models,
as v5 ships them (the models of v3); ``--no-v2`` skips the v2 procedure; ``--cache``: the analysed corpora are
pickled there (outside the repository) on the first run and read back on the next.
"""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import numpy as np

from storyline.evaluate import fit
from storyline.evaluate.clustering import load_corpus
from storyline.evaluate.learners import fit_logistic
from storyline.evaluate.metrics import score_clustering
from storyline.pipeline.cluster import FEATURES, OnlineClusterer
from storyline.pipeline.cluster.online_v5 import OnlineClustererV5
from storyline.pipeline.cluster.scoring import scorer_from_json
from storyline.settings import load_options


def halves(path: str, items, gold) -> list[int]:
    """0 or 1 per item (items are in stream order, a permutation of the file's rows)."""
    if any(i.date for i in items):
        dates = sorted({i.date for i in items if i.date})
        cut = dates[len(dates) // 2]
        return [0 if i.date and i.date < cut else 1 for i in items]
    story_of = {row["event"]: str(row.get("story")) for row in load_corpus(path)}
    stories = sorted(set(story_of.values()))
    parity = {s: int(s) % 2 if s.isdigit() else n % 2 for n, s in enumerate(stories)}
    return [parity[story_of[g]] for g in gold]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+")
    parser.add_argument("--l2", type=float, default=None, help="L2 penalty of the event model (default: the fit's)")
    parser.add_argument("--cache", type=Path, default=None, help="pickle of the analysed corpora (made when absent)")
    parser.add_argument("--v5", action="store_true", help="also score clusterer.online.v5 with the fitted models")
    parser.add_argument("--no-v2", action="store_true", help="skip the v2 procedure")
    args = parser.parse_args()
    if args.l2 is not None:
        fit.EVENT_MODEL = dict(fit.EVENT_MODEL, l2=args.l2)
    options = load_options()
    quiet = lambda message: None  # noqa: E731
    if args.cache is not None and args.cache.exists():
        with open(args.cache, "rb") as f:
            datasets = pickle.load(f)
    else:
        datasets = fit.prepare_all(args.corpora, options, log=print)
        if args.cache is not None:
            with open(args.cache, "wb") as f:
                pickle.dump(datasets, f)
    paths = {f"{Path(p).name}{suffix}": p for p in args.corpora for suffix in ("", " (titles)")}
    folds = [halves(paths[name], items, gold) for name, items, gold in datasets]

    def part(k: int):
        return [(name, [i for i, f in zip(items, fs) if f == k], [g for g, f in zip(gold, fs) if f == k])
                for (name, items, gold), fs in zip(datasets, folds)]

    for train_half in (0, 1):
        train, test = part(train_half), part(1 - train_half)
        document = fit.fit_models(train, options, quiet)
        join, event = scorer_from_json(document["join"]), scorer_from_json(document["event"])

        def v3(items, kind=OnlineClusterer):
            clusterer = kind(join, 0.5, options.event_window_days, memory=options.event_memory,
                             merge_threshold=document["merge_threshold"], event_params=event,
                             split_threshold=document["split_threshold"])
            return fit.run_stream(clusterer, items, options)

        if args.no_v2:
            print(f"fitted on half {train_half}, scored on half {1 - train_half} "
                  f"(v3 join {document['chosen_join_threshold']} merge {document['merge_threshold']})")
            for name, items, gold in test:
                a = score_clustering(gold, v3(items))
                line = f"  {name:30s} {len(items):5d} articles   v3 {a.b3_f1:.4f} / {a.pairwise_f1:.4f}"
                if args.v5:
                    c = score_clustering(gold, v3(items, OnlineClustererV5))
                    line += f"   v5 {c.b3_f1:.4f} / {c.pairwise_f1:.4f}"
                print(line, flush=True)
            continue

        rng = np.random.default_rng(0)
        jittered = [fit._jitter(items, gold, rng) for _, items, gold in train]
        xs, ys = zip(*(fit.teacher_forced_pairs(items, gold, options) for items, gold in jittered))
        linear = fit_logistic(np.vstack(xs), np.concatenate(ys), FEATURES)
        _, t, m = max((fit._sweep(train, quiet, "", lambda items: fit.replay(items, linear, t, options, m))["objective"], t, m)
                      for t in (0.2,) + fit.JOIN_THRESHOLDS for m in fit.MERGE_THRESHOLDS)
        print(f"fitted on half {train_half}, scored on half {1 - train_half} "
              f"(v3 join {document['chosen_join_threshold']} merge {document['merge_threshold']}; v2 join {t} merge {m})")
        for name, items, gold in test:
            a = score_clustering(gold, v3(items))
            b = score_clustering(gold, fit.replay(items, linear, t, options, m))
            line = (f"  {name:30s} {len(items):5d} articles   v3 {a.b3_f1:.3f} / {a.pairwise_f1:.3f}   "
                    f"v2 procedure {b.b3_f1:.3f} / {b.pairwise_f1:.3f}")
            if args.v5:
                c = score_clustering(gold, v3(items, OnlineClustererV5))
                line += f"   v5 {c.b3_f1:.3f} / {c.pairwise_f1:.3f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
