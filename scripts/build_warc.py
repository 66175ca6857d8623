#!/usr/bin/env python3
"""Build a WARC from a folder of saved pages, for the ingest benchmarks in docs/benchmarks.md.

    python scripts/build_warc.py ../shared/data/html/pages pages.warc.gz
    python scripts/build_warc.py ../shared/data/html/pages big.warc.gz --repeat 5 --size-gb 1

Every page (``.html`` or ``.html.gz``) becomes a request record and a 200
``text/html`` response record; ``--repeat N`` writes the pages N times (each
copy under its own URL); ``--size-gb`` then pads the archive with 1 MB
``image/jpeg`` responses (random bytes, seeded) until it reaches that size,
so that a reader must stream past records it does not want.
"""

from __future__ import annotations

import argparse
import gzip
import io
import random
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--size-gb", type=float, default=0.0)
    args = parser.parse_args()
    pages = sorted(p for p in args.pages.iterdir() if p.name.endswith((".html", ".html.gz")))
    rng = random.Random(0)
    with args.output.open("wb") as out:
        writer = WARCWriter(out, gzip=args.output.suffix == ".gz")

        def response(uri: str, ctype: str, body: bytes) -> None:
            request = writer.create_warc_record(uri, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"),
                                                warc_content_type="application/http; msgtype=request")
            writer.write_record(request)
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers))

        for copy in range(args.repeat):
            for page in pages:
                data = page.read_bytes()
                body = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
                response(f"https://pages.example/{copy}/{page.name.split('.')[0]}", "text/html; charset=utf-8", body)
        filler = 0
        while out.tell() < args.size_gb * 1e9:
            response(f"https://pages.example/img/{filler}.jpg", "image/jpeg", rng.randbytes(1_000_000))
            filler += 1
    print(f"{args.output}: {len(pages) * args.repeat} pages, {filler} filler images, {args.output.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
