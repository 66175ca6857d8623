"""The analysis on Apache Spark (the ``spark`` extra): ``storyline spark analyse`` and ``ingest --analysed``.

:mod:`.rows` (an analysed article as a Parquet row and back), :mod:`.worker` (what an executor runs),
:mod:`.job` (the driver) and :mod:`.analysed` (reading the rows back, pyarrow only). See docs/scaling.md.
"""
