"""Wrong-country notes of an errors file of ``acled_place_errors.py``, by cause and by what the text writes (issue 12).

    PYTHONPATH=src python scripts/acled_country_causes.py /tmp/train_errors.jsonl

For each note whose country is wrong: the script's cause, crossed with whether the note writes, in parentheses,
a name the built-in gazetteer knows as a place in the gold country (``parenthesised_known``), only names it does
not know there (``parenthesised_unknown``), or no parentheses (``no_parentheses``); and the ten commonest
(gold country, chosen country) pairs. The summary goes to stdout as JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter

_GROUP = re.compile(r"\(([^()]{1,80})\)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("errors")
    args = parser.parse_args(argv)

    from storyline.evaluate.events import _country_code
    from storyline.pipeline.geo.gazetteer import Gazetteer, name_key

    gazetteer = Gazetteer(None)
    causes: Counter = Counter()
    written: Counter = Counter()
    pairs: Counter = Counter()
    n = 0
    with open(args.errors, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if not row["wrong_country"]:
                continue
            n += 1
            code = _country_code(row["gold"]["country"])
            groups = _GROUP.findall(row["text"])
            names = [n.strip() for g in groups for part in g.split(",") for n in re.split(r"\s+-\s+", part)
                     if n.strip()[:1].isupper()]
            known = any(e.country_code == code and e.feature_class in ("A", "P")
                        for name in names for e in gazetteer.lookup(name_key(name)))
            where = "parenthesised_known" if known else "parenthesised_unknown" if groups else "no_parentheses"
            causes[row["cause"]] += 1
            written[f"{row['cause']}/{where}"] += 1
            pairs[f"{row['gold']['country']} -> {(row['chosen'] or {}).get('country_code')}"] += 1
    json.dump({"wrong_country": n, "causes": dict(causes.most_common()), "by_text": dict(written.most_common()),
               "pairs": dict(pairs.most_common(10))}, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
