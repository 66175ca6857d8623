"""Timeline summarisation metrics (Martschat & Markert 2017), as Ghalandari & Ifrim (2020) report them.

A timeline is a mapping date -> the sentences of that date. Each metric adds
ROUGE counts (:mod:`.rouge`, stop words removed, stemmed) over dates before
dividing, so a long day weighs more than a short one:

* **concat**: all sentences of the predicted timeline against all sentences
  of the reference, dates ignored;
* **agreement**: a predicted day is compared with the reference's summary of
  the same day only (a day the other timeline lacks counts as empty);
* **align+ m:1**: every predicted day is compared with the reference day that
  costs least, cost = (1 - 1/(|days apart| + 1)) x (1 - unigram F1 of the two
  days' summaries); its matched n-grams are weighted by 1/(|days apart| + 1).
  Precision aligns predicted days to reference days, recall reference days to
  predicted days, each to its cheapest partner (several may share one);
* **date F1**: the predicted and the reference dates as sets.
"""

from __future__ import annotations

import datetime as dt
from typing import Mapping, Sequence

from .rouge import Counts, f1, ngram_counts, tokens

__all__ = ["score_timeline", "KEYS"]

Timeline = Mapping[dt.date, Sequence[str]]

#: the keys of :func:`score_timeline`
KEYS = ("ar1_f1", "ar2_f1", "date_f1", "concat_r1_f1", "concat_r2_f1", "agreement_r1_f1", "agreement_r2_f1")


def _tokenised(timeline: Timeline) -> dict[dt.date, list[str]]:
    return {day: [t for s in sentences for t in tokens(s, remove_stop_words=True)] for day, sentences in timeline.items()}


def _concat(pred: dict[dt.date, list[str]], ref: dict[dt.date, list[str]], n: int) -> Counts:
    mine = [t for day in sorted(pred) for t in pred[day]]
    theirs = [t for day in sorted(ref) for t in ref[day]]
    return ngram_counts(mine, [theirs], n)


def _agreement(pred: dict[dt.date, list[str]], ref: dict[dt.date, list[str]], n: int) -> Counts:
    total = Counts()
    for day in set(pred) | set(ref):
        total = total + ngram_counts(pred.get(day, []), [ref.get(day, [])], n)
    return total


def _cost(a: dt.date, b: dt.date, a_tokens: list[str], b_tokens: list[str]) -> float:
    date_factor = 1 - 1 / (abs(a.toordinal() - b.toordinal()) + 1)
    return date_factor * (1 - ngram_counts(a_tokens, [b_tokens], 1).f1())


def _cheapest(days: list[dt.date], partners: list[dt.date], text: dict, partner_text: dict) -> dict[dt.date, dt.date]:
    """Each day's cheapest partner day (many days may share one partner); earliest wins a tie."""
    out = {}
    for day in days:
        costs = [(_cost(day, other, text[day], partner_text[other]), i) for i, other in enumerate(partners)]
        out[day] = partners[min(costs)[1]]
    return out


def _aligned(pred: dict[dt.date, list[str]], ref: dict[dt.date, list[str]], n: int) -> tuple[float, float]:
    """Precision and recall of align+ m:1 for n-grams of size ``n``."""
    if not pred or not ref:
        return 0.0, 0.0
    pred_days, ref_days = sorted(pred), sorted(ref)
    hits = summary = 0.0
    for day, other in _cheapest(pred_days, ref_days, pred, ref).items():
        counts = ngram_counts(pred[day], [ref[other]], n)
        hits += counts.hits / (abs(day.toordinal() - other.toordinal()) + 1)
        summary += counts.summary
    precision = hits / summary if summary else 0.0
    hits = reference = 0.0
    for day, other in _cheapest(ref_days, pred_days, ref, pred).items():
        counts = ngram_counts(pred[other], [ref[day]], n)
        hits += counts.hits / (abs(day.toordinal() - other.toordinal()) + 1)
        reference += counts.reference
    recall = hits / reference if reference else 0.0
    return precision, recall


def _date_f1(pred: Timeline, ref: Timeline) -> float:
    common = len(set(pred) & set(ref))
    return f1(common / len(pred) if pred else 0.0, common / len(ref) if ref else 0.0)


def score_timeline(predicted: Timeline, reference: Timeline) -> dict[str, float]:
    """Every metric of one predicted timeline against one reference timeline (F1 values, keys :data:`KEYS`)."""
    pred, ref = _tokenised(predicted), _tokenised(reference)
    scores = {"date_f1": _date_f1(predicted, reference)}
    for n in (1, 2):
        scores[f"ar{n}_f1"] = f1(*_aligned(pred, ref, n))
        scores[f"concat_r{n}_f1"] = _concat(pred, ref, n).f1()
        scores[f"agreement_r{n}_f1"] = _agreement(pred, ref, n).f1()
    return {key: scores[key] for key in KEYS}
