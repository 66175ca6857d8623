"""Compare (memory): an event's aligned claims kept between its comparisons, so that an arrival aligns its own claims.

An event is compared again each time a report joins it. An :class:`Alignment`
remembers the reports of the last comparison in their order (the article, its
mentions and the upstream it relays), their claims, and what the aligner
computed between the claims (:mod:`.align`): each claim's content words and
its best word overlap with another report, the claims it embedded, the
claims x claims scores, the pairs of claims a shared slot raises, and the
links of each pair of reports. When the event only gained reports -- every
report aligned before is unchanged and still first, with the same comparer
and the same cap on claims per report -- only the new reports' claims are
split and scored against the others; what their arrival changes in the
earlier scores is redone for the claims it touches (a claim that now shares
words with another report is embedded; an entity that is no longer rare in
the event, or now is, changes the slot bonus of the pairs that share it),
and the links of the pairs of reports whose scores changed are matched
again. Otherwise, or when a new word changes how an earlier word is read
(the compound it ends with), every claim is aligned again (``recounts``
counts those). The facts are then grouped from all links as a build from
nothing groups them: the scores and links are the ones it computes, so the
comparison is the same.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

from .align import RARE_ENTITY, AlignParams, _matches, _mutual_best, _slot_keys, _weighted_words, group_links
from .claims import Claim

__all__ = ["Alignment"]

#: capacity of the score matrices when they first grow (claims)
_START = 256


def _same(a, b) -> bool:
    return a is b or a == b or (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and list(a) == list(b))


def _grown(a: np.ndarray, size: int, square: bool) -> np.ndarray:
    """``a`` with room for ``size`` rows (and columns when ``square``), its content kept."""
    if a.shape[0] >= size:
        return a
    cap = max(size, 2 * a.shape[0], _START)
    out = np.zeros((cap, cap) if square else (cap, *a.shape[1:]), dtype=a.dtype)
    n = a.shape[0]
    if square:
        out[:n, :n] = a
    else:
        out[:n] = a
    return out


class Alignment:
    """One event's claims, scores and links between its comparisons (see the module's docstring)."""

    def __init__(self) -> None:
        self.recounts = self.relabels = 0
        self._reset(None)

    def _reset(self, key) -> None:
        self.key, self.inputs, self.claims = key, [], []
        self.report_of: list[int] = []  # each claim's report (index into inputs)
        self.spans: list[tuple[int, int]] = []  # each report's claims
        self.words: set[str] = set()
        self.compound: dict[str, str] = {}
        self.by_suffix: dict[str, list[str]] = {}
        self.vocab: dict[str, int] = {}
        self.cols: list[np.ndarray] = []  # each claim's columns in the word matrix
        self.best = np.zeros(0, dtype=np.float32)
        self.wanted = np.zeros(0, dtype=bool)
        self.vectors: np.ndarray | None = None
        self.base = np.zeros((0, 0), dtype=np.float32)
        self.lex = np.zeros((0, 0), dtype=np.float32)
        self.score = np.zeros((0, 0), dtype=np.float32)
        self.static: list[frozenset[str]] = []
        self.pairs: dict[tuple[int, int], tuple[bool, frozenset[str]]] = {}
        self.pairs_of: dict[int, set[tuple[int, int]]] = {}
        self.by_entity: dict[str, set[tuple[int, int]]] = {}
        self.raised: set[tuple[int, int]] = set()
        self.df: Counter = Counter()
        self.rare: frozenset[str] = frozenset()
        self.links: dict[tuple[int, int], list[tuple[float, int, int]]] = {}
        #: the comparer's facts of the last comparison, by their claims (see ``FactsComparer._facts``)
        self.facts: dict = {}

    @property
    def size(self) -> int:
        """Reports remembered."""
        return len(self.inputs)

    @property
    def cells(self) -> int:
        """Cells of each of its claims x claims matrices (room included): what a bounded memory of alignments counts."""
        return int(self.base.shape[0]) ** 2

    def align(self, key, inputs: Sequence[tuple], split, embed, params: AlignParams):
        """Claims, facts (lists of claim indices) and the claims x claims scores of the event whose kept reports are
        ``inputs`` (article, mentions, upstream); ``split`` gives one report's claims; ``key`` names the comparer and
        its cap on claims (another key aligns afresh). The same as :func:`.align.align_scored` of all the claims."""
        old = self.inputs
        if key != self.key or len(inputs) < len(old) or not all(
                _same(a, x) and _same(m, y) and u == z for (a, m, u), (x, y, z) in zip(old, inputs)):
            if self.key is not None:
                self.recounts += 1
            self._reset(key)
        new = list(inputs[len(self.inputs):])
        claims = [split(*i) for i in new]
        self._add(new, claims, embed, params)
        n = len(self.claims)
        return self.claims, group_links(self.report_of, self.links.values()), self.score[:n, :n]

    def _relabelled(self, new_words: set[str]) -> set[str]:
        """The earlier words a new word changes the compound of (the longest word they end with; ``align._compounds``)."""
        out = set()
        for u in new_words:
            for w in self.by_suffix.get(u, ()):
                cur = self.compound.get(w)
                if cur is None or len(cur) < len(u):
                    out.add(w)
        return out

    def _learn_words(self, new_words: set[str], relabelled: set[str]) -> None:
        self.words |= new_words
        for w in new_words:
            for k in range(3, len(w) - 3):
                self.by_suffix.setdefault(w[k:], []).append(w)
        for w in new_words | relabelled:
            for k in range(3, len(w) - 3):
                if w[k:] in self.words:
                    self.compound[w] = w[k:]
                    break

    def _add(self, inputs: list[tuple], claims: list[list[Claim]], embed, params: AlignParams) -> None:
        new_words = {w for cl in claims for c in cl for w in c.words} - self.words
        relabelled = self._relabelled(new_words)
        self._learn_words(new_words, relabelled)
        n0 = len(self.claims)
        reread = [i for i, c in enumerate(self.claims) if c.words & relabelled] if relabelled else []
        self.relabels += bool(reread)
        for item, cl in zip(inputs, claims):
            r = len(self.inputs)
            self.inputs.append(item)
            self.spans.append((len(self.claims), len(self.claims) + len(cl)))
            self.claims += cl
            self.report_of += [r] * len(cl)
        self._score(n0, np.asarray(reread, dtype=np.int64), embed, params)

    def _word_rows(self, redo: Sequence[int], any_date: bool = False):
        """The claims' content words and the compounds they end with, as the rows of a normalised word matrix (the
        claims in ``redo`` and the new ones read again)."""
        for i in list(redo) + list(range(len(self.static), len(self.claims))):
            c = self.claims[i]
            ws = c.words | {self.compound[w] for w in c.words if w in self.compound}
            cols = np.fromiter((self.vocab.setdefault(w, len(self.vocab)) for w in ws), dtype=np.int64, count=len(ws))
            if i < len(self.static):
                self.cols[i] = cols
            else:
                self.cols.append(cols)
                self.static.append(frozenset(_slot_keys(c, any_date=any_date)))
        n = len(self.claims)
        rows = np.repeat(np.arange(n, dtype=np.int64), [len(c) for c in self.cols])
        cols = np.concatenate(self.cols) if n else np.zeros(0, dtype=np.int64)
        return _weighted_words(rows, cols, n, len(self.vocab))

    def _score(self, n0: int, reread: np.ndarray, embed, params: AlignParams) -> None:
        """Score the claims from ``n0`` on, and the earlier ones whose words were ``reread`` or whose embedding a new
        claim changes, against every claim."""
        n = len(self.claims)
        words = self._word_rows(reread.tolist(), params.any_date)
        before = self.lex[:n0, reread] if len(reread) else None
        report = np.asarray(self.report_of, dtype=np.int64)
        lexed = np.concatenate([reread, np.arange(n0, n)]).astype(np.int64)
        self.lex = _grown(self.lex, n, True)
        lexical = np.asarray((words[lexed] @ words.T).todense(), dtype=np.float32)
        self.lex[lexed, :n], self.lex[:n, lexed] = lexical, lexical.T
        self.best = np.concatenate([self.best, np.zeros(n - n0, dtype=np.float32)])
        if n > n0:
            fresh = self.lex[n0:n, :n]
            self.best[n0:] = np.where(report[n0:, None] != report[None, :], fresh, 0.0).max(axis=1)
            if n0:
                self.best[:n0] = np.maximum(self.best[:n0], fresh[:, :n0].max(axis=0))
        if len(reread):  # an overlap with a reread claim may have dropped: those claims' best overlaps again
            again = np.union1d(np.nonzero((before != self.lex[:n0, reread]).any(axis=1))[0], reread)
            self.best[again] = np.where(report[again, None] != report[None, :], self.lex[again, :n], 0.0).max(axis=1)
        wanted = self.best >= params.min_lexical
        flipped = np.nonzero(wanted[:n0] != self.wanted)[0]
        embedded = np.concatenate([flipped, np.arange(n0, n)]).astype(np.int64)
        self.wanted = wanted
        touched = np.union1d(lexed, embedded).astype(np.int64)
        self._embed(embedded, embed)
        if self.vectors is not None:
            cosine = np.clip(self.vectors[touched] @ self.vectors[:n].T, 0.0, 1.0).astype(np.float32)
        else:
            cosine = np.zeros((len(touched), n), dtype=np.float32)
        rows = params.cosine * cosine + params.lexical * self.lex[touched, :n]
        rows[report[touched][:, None] == report[None, :]] = 0.0
        self.base, self.score = _grown(self.base, n, True), _grown(self.score, n, True)
        self.base[touched, :n], self.base[:n, touched] = rows, rows.T
        self.score[touched, :n], self.score[:n, touched] = rows, rows.T
        dirty = {int(r) for r in report[touched]}
        pairs = self._candidates(touched, rows, params)
        self._relink(dirty, self._bonus(pairs, n0, params), params)

    def _embed(self, embedded: np.ndarray, embed) -> None:
        """The sentence vectors of the claims that may align among ``embedded``; zero for the others."""
        n = len(self.claims)
        wanted = [int(i) for i in embedded if self.wanted[i]]
        if self.vectors is not None:
            self.vectors = _grown(self.vectors, n, False)
            self.vectors[embedded] = 0.0
        if not wanted:
            return
        found = np.asarray(embed([self.claims[i].text for i in wanted]), dtype=np.float32)
        if self.vectors is None:
            self.vectors = _grown(np.zeros((0, found.shape[1]), dtype=np.float32), n, False)
        self.vectors[wanted] = found

    def _candidates(self, touched: np.ndarray, rows: np.ndarray, params: AlignParams) -> set[tuple[int, int]]:
        """The pairs of ``touched`` claims with another that a shared slot may raise (scored within the bonus of the
        threshold): the earlier candidate pairs of those claims are dropped first."""
        for i in touched:
            for p in self.pairs_of.pop(int(i), ()):
                if p in self.pairs:
                    _, shared = self.pairs.pop(p)
                    self.raised.discard(p)
                    for e in shared:
                        self.by_entity.get(e, set()).discard(p)
                    j = p[0] if p[1] == i else p[1]
                    self.pairs_of.get(j, set()).discard(p)
        out = set()
        entity_slots = params.entity_slots
        for r, i in enumerate(touched):
            i = int(i)
            ci, si = self.claims[i], self.static[i]
            for j in np.nonzero(rows[r] >= params.threshold - params.slot_bonus)[0]:
                j = int(j)
                p = (i, j) if i < j else (j, i)
                if p in self.pairs or p in out:
                    continue
                static = bool(si & self.static[j])
                shared = ci.entities & self.claims[j].entities if entity_slots else frozenset()
                if not static and not shared:
                    continue
                self.pairs[p] = (static, shared)
                self.pairs_of.setdefault(i, set()).add(p)
                self.pairs_of.setdefault(j, set()).add(p)
                for e in shared:
                    self.by_entity.setdefault(e, set()).add(p)
                out.add(p)
        return out

    def _bonus(self, pairs: set[tuple[int, int]], n0: int, params: AlignParams) -> set[tuple[int, int]]:
        """Raise the scores of the pairs sharing a slot; an entity now rare in the event or no longer rare changes the
        pairs that share it."""
        n, changed = len(self.claims), set()
        if params.entity_slots:
            for c in self.claims[n0:]:
                self.df.update(c.entities)
            limit = max(2, RARE_ENTITY * n)
            rare = frozenset(k for k, v in self.df.items() if v <= limit)
            for e in rare ^ self.rare:
                pairs |= self.by_entity.get(e, set())
            self.rare = rare
        for p in pairs:
            static, shared = self.pairs[p]
            up = static or bool(shared & self.rare)
            if up == (p in self.raised):
                continue
            i, j = p
            if up:
                self.raised.add(p)
                self.score[i, j] = self.base[i, j] + params.slot_bonus
                self.score[j, i] = self.base[j, i] + params.slot_bonus
            else:
                self.raised.discard(p)
                self.score[i, j], self.score[j, i] = self.base[i, j], self.base[j, i]
            changed.add((self.report_of[i], self.report_of[j]))
        return changed

    def _relink(self, reports: set[int], pairs: set[tuple[int, int]], params: AlignParams) -> None:
        """Match again the claims of every pair of reports holding one of ``reports``, and of ``pairs`` of reports."""
        n = len(self.claims)
        pick = _matches if params.matching == "greedy" else _mutual_best
        report = np.asarray(self.report_of, dtype=np.int64)
        todo = {(min(a, b), max(a, b)) for a, b in pairs}
        for r in reports:
            s, e = self.spans[r]
            for q in range(len(self.spans)):
                if q != r:
                    self.links.pop((min(q, r), max(q, r)), None)
            if s == e:
                continue
            near = np.nonzero((self.score[s:e, :n] >= params.threshold).any(axis=0))[0]
            todo |= {(min(int(q), r), max(int(q), r)) for q in set(report[near].tolist()) if q != r}
        for a, b in todo:
            (sa, ea), (sb, eb) = self.spans[a], self.spans[b]
            found = pick(self.score[sa:ea, sb:eb], range(sa, ea), range(sb, eb), params.threshold) if ea > sa and eb > sb else []
            if found:
                self.links[(a, b)] = found
            else:
                self.links.pop((a, b), None)
