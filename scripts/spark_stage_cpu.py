"""CPU seconds per article of each analysis stage, and of the stages ingest --analysed runs (docs/scaling.md).

    PYTHONPATH=src python scripts/spark_stage_cpu.py STREAM.jsonl N

CPU time (time.process_time) does not depend on how loaded the machine is, unlike wall time. Analyses the first N
articles of STREAM in chunks of 32, as an executor does, after one warm-up chunk that loads the models.
"""

from __future__ import annotations

import json
import sys
import time

from storyline.engine.analyse import lead_text
from storyline.engine.components import Components
from storyline.model import RawRecord
from storyline.pipeline.normalise import field_limits, to_article
from storyline.settings import load_options


def main(stream: str, n: int) -> int:
    options = load_options()
    built = Components(options)
    limits = field_limits(options)
    started = time.process_time()
    lines = [json.loads(line) for _, line in zip(range(n + 32), open(stream, encoding="utf-8"))]
    articles = [to_article(RawRecord(stream, i + 1, r), limits=limits) for i, r in enumerate(lines)]
    cpu = {"read+normalise": (time.process_time() - started) / len(articles)}
    warm, articles = articles[:32], articles[32:]
    load = time.process_time()
    from storyline.engine.analyse import analyse

    analyse(warm, built, options.embed_chars)
    cpu["model load + first chunk"] = time.process_time() - load
    hasher = built.fresh("dedup")
    totals = {"embed": 0.0, "entities": 0.0, "quotes+dates+places": 0.0, "minhash": 0.0}
    from storyline.engine.analyse import _entities, _Clocks, _one

    for i in range(0, len(articles), 32):
        chunk = articles[i : i + 32]
        t = time.process_time()
        vectors = built.get("embedder").embed([lead_text(a, options.embed_chars) for a in chunk])
        totals["embed"] += time.process_time() - t
        t = time.process_time()
        clocks = _Clocks(chunk, None)
        spans = _entities(chunk, built.get("entity_extractor"), clocks)
        totals["entities"] += time.process_time() - t
        t = time.process_time()
        for a, v, s in zip(chunk, vectors, spans):
            _one(a, v, s, built, options.embed_chars, clocks)
        totals["quotes+dates+places"] += time.process_time() - t
        t = time.process_time()
        for a in chunk:
            hasher.signature(a.text)
        totals["minhash"] += time.process_time() - t
    cpu.update({k: v / len(articles) for k, v in totals.items()})
    print(json.dumps({"articles": len(articles), "cpu_s_per_article": {k: round(v, 4) for k, v in cpu.items()}}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], int(sys.argv[2])))
