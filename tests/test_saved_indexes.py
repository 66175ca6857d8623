"""The near-duplicate index saved beside the vector index (``<db>.faiss.dedup``): a writer loads it when it holds
exactly the store's originals, without reading a signature; a file left from an earlier state of the store is
rebuilt from the store, never trusted."""

from __future__ import annotations

import shutil

import storyline
from storyline.engine.state import duplicates_location
from storyline.pipeline.embed import HashingEmbedder
from support import CHESS_A, CHESS_B, FLOOD_A, FLOOD_B, CapitalisedEntities, options

#: a wire reprint of CHESS_A: a near-duplicate of it
CHESS_WIRE = CHESS_A | {
    "id": "chess-wire", "source": "Wire Service", "title": "Okonkwo wins in Reykjavik",
    "text": "(Wire Service) " + CHESS_A["text"].replace(" The Reykjavik organisers said", " Organisers said"),
}


def _engine(db) -> storyline.Storyline:
    return storyline.Storyline(db, options(records=False), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities())


def test_an_ingest_saves_the_near_duplicate_index_and_the_next_writer_loads_it_without_reading_a_signature(tmp_path, monkeypatch):
    db = tmp_path / "t.db"
    with _engine(db) as engine:
        engine.ingest_records([FLOOD_A, FLOOD_B, CHESS_A])
        saved = duplicates_location(engine.index_path)
    assert saved is not None and saved.exists()
    with _engine(db) as engine:
        def unread(*_args):
            raise AssertionError("the signatures were read although the saved index matches them")

        monkeypatch.setattr(type(engine.store), "signatures", unread)
        summary = engine.ingest_records([CHESS_WIRE])
        assert summary.duplicates == 1 and engine.store.article("chess-wire").duplicate_of == "chess-1"


def test_a_near_duplicate_index_file_older_than_the_store_is_rebuilt_from_the_store(tmp_path):
    db = tmp_path / "t.db"
    with _engine(db) as engine:
        engine.ingest_records([FLOOD_A, FLOOD_B])
        saved = duplicates_location(engine.index_path)
    shutil.copyfile(saved, tmp_path / "old.dedup")
    with _engine(db) as engine:
        engine.ingest_records([CHESS_A, CHESS_B])  # originals the old file does not hold
    shutil.copyfile(tmp_path / "old.dedup", saved)  # as a file left from before (a restored backup, a crash)
    with _engine(db) as engine:
        summary = engine.ingest_records([CHESS_WIRE])
        assert summary.duplicates == 1 and engine.store.article("chess-wire").duplicate_of == "chess-1"
