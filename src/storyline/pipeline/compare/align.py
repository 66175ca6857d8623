"""Align: claims of different reports that make the same statement become one fact.

Two claims are scored by the cosine of their sentence embeddings and the
overlap of their content words (a set cosine); a slot both state the same
way (an event date, a count, an actor; in v2 also an entity few claims of
the event name, so "ISIS" and "the Islamic State" agree) adds to the score.
Links between two reports' claims above the threshold are their mutual best
matches (v1) or a one-to-one matching, strongest pair first (v2: a claim
whose best partner was taken by a stronger pair may take its next best).
Links are merged strongest first into facts that never hold two claims of
one report: two different statements of one report are never called one
fact, and a claim states at most one fact of another report.

The cost is one matrix product per event (claims x claims) plus the matching
of each pair of reports: linear in the pairs of claims, bounded by ``MAX_CLAIMS`` per report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .claims import Claim

__all__ = ["AlignParams", "pair_scores", "align", "align_scored", "group_links", "lexical_overlap"]

#: the share of an event's claims an entity may be named in and still count as a slot (see ``_rare_entities``)
RARE_ENTITY = 0.2


@dataclass(frozen=True)
class AlignParams:
    cosine: float = 0.55
    lexical: float = 0.45
    slot_bonus: float = 0.08
    threshold: float = 0.42
    #: claims whose best word overlap with another report is below this are not embedded (see ``_vectors``)
    min_lexical: float = 0.1
    #: "mutual" links only mutual best matches of two reports (v1); "greedy" matches them one to one, strongest first
    matching: str = "mutual"
    #: entities rare in the event count as a slot two claims agree on (v2)
    entity_slots: bool = False
    #: two dated claims share the slot "date" whatever their days (v4: a claim giving another day for the same act
    #: is scored as close as one giving the same day; the conflict rules then compare the days)
    any_date: bool = False
    #: v5: pairs of claims left in two facts that carry a comparable slot and score at least this are checked for a
    #: conflict (:mod:`.slotpairs`); 0 = never
    slot_pairs: float = 0.0

    def __post_init__(self) -> None:
        if self.matching not in ("mutual", "greedy"):
            raise ValueError(f"AlignParams.matching must be 'mutual' or 'greedy', not {self.matching!r}")


def lexical_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Set cosine of two content-word sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / float(np.sqrt(len(a) * len(b)))


def _compounds(words: set[str]) -> dict[str, str]:
    """Word -> the event's word it ends with ("hotline" -> "line", "airstrike" -> "strike"): one noun, two spellings."""
    out = {}
    for w in words:
        for k in range(3, len(w) - 3):
            if w[k:] in words:
                out[w] = w[k:]
                break
    return out


def _word_matrix(claims: Sequence[Claim]) -> np.ndarray:
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    compounds = _compounds({w for c in claims for w in c.words})
    for i, c in enumerate(claims):
        for w in c.words | {compounds[w] for w in c.words if w in compounds}:
            rows.append(i)
            cols.append(vocabulary.setdefault(w, len(vocabulary)))
    return _weighted_words(rows, cols, len(claims), len(vocabulary))


def _weighted_words(rows, cols, n_rows: int, n_cols: int):
    """The claims x words matrix of ones at (``rows``, ``cols``), each row scaled to unit length."""
    from scipy import sparse

    m = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_rows, max(1, n_cols)))
    norms = np.sqrt(np.asarray(m.sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sparse.diags(1.0 / norms) @ m).tocsr()


def _slot_keys(c: Claim, rare: frozenset[str] = frozenset(), any_date: bool = False) -> set[str]:
    keys = ({"date"} if c.dates else set()) if any_date else {f"date:{d[0]}" for d in c.dates}
    keys |= {f"count:{m.kind}" for m in c.counts}
    keys |= {f"qty:{q.unit}" for q in c.quantities}
    keys |= {f"actor:{a.key}" for a in (c.actor1, c.actor2) if a is not None}
    keys |= {f"entity:{k}" for k in c.entities & rare}
    return keys


def _rare_entities(claims: Sequence[Claim]) -> frozenset[str]:
    """Entities named by at most :data:`RARE_ENTITY` of the event's claims: naming one of them is a slot two claims
    agree on ("ISIS" and "the Islamic State"); the entities most claims name (the countries of the event) are not."""
    df: dict[str, int] = {}
    for c in claims:
        for k in c.entities:
            df[k] = df.get(k, 0) + 1
    return frozenset(k for k, n in df.items() if n <= max(2, RARE_ENTITY * len(claims)))


def _vectors(claims: Sequence[Claim], lexical: np.ndarray, other: np.ndarray, embed, params: AlignParams) -> np.ndarray:
    """Sentence embeddings of the claims that may align: a claim sharing almost no word with any claim of another
    report (set cosine below ``min_lexical``) would need a near-paraphrase embedding to pass the threshold, so it is
    not embedded (its vector is zero). This keeps the embedder's cost to the claims a comparison can use."""
    best = np.where(other, lexical, 0.0).max(axis=1) if len(claims) else np.zeros(0)
    wanted = [i for i in range(len(claims)) if best[i] >= params.min_lexical]
    if not wanted:
        return np.zeros((len(claims), 1), dtype=np.float32)
    found = np.asarray(embed([claims[i].text for i in wanted]), dtype=np.float32)
    vectors = np.zeros((len(claims), found.shape[1]), dtype=np.float32)
    vectors[wanted] = found
    return vectors


def pair_scores(claims: Sequence[Claim], embed, params: AlignParams) -> np.ndarray:
    """The claims x claims alignment score (0 between claims of one report); ``embed`` gives sentence embeddings."""
    n = len(claims)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    ids: dict[str, int] = {}
    article = np.array([ids.setdefault(c.article.id, len(ids)) for c in claims])
    other = article[:, None] != article[None, :]
    words = _word_matrix(claims)
    lexical = np.asarray((words @ words.T).todense(), dtype=np.float32)
    vectors = _vectors(claims, lexical, other, embed, params)
    cosine = np.clip(vectors @ vectors.T, 0.0, 1.0).astype(np.float32)
    score = params.cosine * cosine + params.lexical * lexical
    rare = _rare_entities(claims) if params.entity_slots else frozenset()
    slots = [_slot_keys(c, rare, params.any_date) for c in claims]
    for i in range(n):
        if not slots[i]:
            continue
        for j in np.nonzero(score[i] >= params.threshold - params.slot_bonus)[0]:
            if slots[i] & slots[j]:
                score[i, j] += params.slot_bonus
    score[~other] = 0.0
    return score


def _mutual_best(block: np.ndarray, a: Sequence[int], b: Sequence[int], threshold: float) -> list[tuple[float, int, int]]:
    """The pairs of two reports' claims that are each other's best match, scoring at least ``threshold`` (v1)."""
    if block.size == 0:
        return []
    best_b, best_a = block.argmax(axis=1), block.argmax(axis=0)
    return [(float(block[ia, jb]), a[ia], b[jb]) for ia, jb in enumerate(best_b)
            if best_a[jb] == ia and block[ia, jb] >= threshold]


def _matches(block: np.ndarray, a: Sequence[int], b: Sequence[int], threshold: float) -> list[tuple[float, int, int]]:
    """A one-to-one matching of two reports' claims, strongest pair first, of pairs scoring at least ``threshold``:
    every mutual best pair, and a claim whose best partner was taken by a stronger pair may take its next best
    (one sentence of a report may state what two clauses of the other state)."""
    rows, cols = np.nonzero(block >= threshold)
    if not len(rows):
        return []
    order = np.argsort(-block[rows, cols], kind="stable")
    used_a, used_b, out = set(), set(), []
    for k in order:
        i, j = int(rows[k]), int(cols[k])
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((float(block[i, j]), a[i], b[j]))
    return out


def align(claims: Sequence[Claim], embed, params: AlignParams) -> list[list[int]]:
    """Facts as lists of claim indices (every claim in exactly one fact), in order of their first claim."""
    return align_scored(claims, embed, params)[0]


def align_scored(claims: Sequence[Claim], embed, params: AlignParams) -> tuple[list[list[int]], np.ndarray]:
    """:func:`align` and the claims x claims scores it linked them by (v3 asks which claims of a fact are close)."""
    score = pair_scores(claims, embed, params)
    by_article: dict[str, list[int]] = {}
    for i, c in enumerate(claims):
        by_article.setdefault(c.article.id, []).append(i)
    links: list[tuple[float, int, int]] = []
    groups = list(by_article.values())
    for gi, a in enumerate(groups):
        for b in groups[gi + 1:]:
            pick = _matches if params.matching == "greedy" else _mutual_best
            links += pick(score[np.ix_(a, b)], a, b, params.threshold)
    return group_links([c.article.id for c in claims], [links]), score


def group_links(report_of: Sequence, links) -> list[list[int]]:
    """Facts as lists of claim indices, in order of their first claim: the ``links`` (lists of (score, claim, claim)),
    strongest first, join two claims' facts unless that puts two claims of one report (``report_of``) in one."""
    n = len(report_of)
    parent = list(range(n))
    members = {i: {report_of[i]} for i in range(n)}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _, i, j in sorted((link for part in links for link in part), reverse=True):
        ri, rj = root(i), root(j)
        if ri == rj or members[ri] & members[rj]:
            continue
        parent[rj] = ri
        members[ri] |= members.pop(rj)
    facts: dict[int, list[int]] = {}
    for i in range(n):
        facts.setdefault(root(i), []).append(i)
    return sorted(facts.values(), key=lambda f: f[0])
