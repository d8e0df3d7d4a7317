"""Batch jobs on an :class:`~circumspect.engines.base.Engine`: ``screen-file`` and
``declarations score``, with the same results on the local engine and on Spark.

The local engine runs the reference implementations unchanged
(:func:`circumspect.matching.batch.screen_file`,
:func:`circumspect.risk.score.score_declarations`). The Spark engine runs the *same* per-row
and per-batch functions partition by partition:

``screen-file``
    rows are parsed exactly as locally (same line numbers and row problems), then each
    partition calls :func:`circumspect.matching.batch.screen_row` with the broadcast
    screener. Outputs are ordered by input line.

``declarations score``
    1. every row gets its record number (``_row``) from partition offsets;
    2. pass A, rows partitioned by declaration id (so duplicates meet):
       :func:`~circumspect.risk.pipeline.validate_frame` gives the error records, the
       unit-value key of every valid row and the distinct parties;
    3. whole-dataset features: the HS-6 unit-value medians (a grouped aggregation with the
       same pandas median) and the party screening cache (each distinct party screened
       once, distributed over the executors) are collected and broadcast;
    4. pass B, valid rows partitioned by consignee (so a consignee's history is in one
       partition): validate, :func:`~circumspect.risk.pipeline.history_features` (medians
       replaced by the broadcast global ones), :func:`~circumspect.risk.pipeline.screen_frame`
       over the broadcast cache, :func:`~circumspect.risk.pipeline.score_batch`.

Outputs on local paths are written by the same writers as the local engine (one file,
atomically); on a Hadoop-compatible URL Spark writes a folder of part files.
"""

from __future__ import annotations

from circumspect.engines.declarations_job import (
    _A_COLUMNS,
    PrefetchedScreener,
    _driver_transfers,
    _out_format,
    _score_spark,
    score_declarations_job,
    score_partition,
    screen_parties,
    uv_medians,
    validate_partition,
)
from circumspect.engines.screen_job import (
    _BLANKS,
    _QUERY_FIELDS,
    _SCREEN_SCHEMA,
    _parse_screen_input,
    _screen_file_spark,
    screen_file_job,
    screen_partition,
)
from circumspect.engines.spark_io import (
    _SPACES,
    PARTITION_ROWS,
    _collect,
    _csv,
    _is_local,
    _local,
    _partitions,
    _read_strings,
    _spark,
    _strings,
    _whole_partition,
    _with_row_numbers,
    errors_path_for,
)

__all__ = [
    "PARTITION_ROWS",
    "_A_COLUMNS",
    "_BLANKS",
    "_QUERY_FIELDS",
    "_SCREEN_SCHEMA",
    "_SPACES",
    "PrefetchedScreener",
    "_collect",
    "_csv",
    "_driver_transfers",
    "_is_local",
    "_local",
    "_out_format",
    "_parse_screen_input",
    "_partitions",
    "_read_strings",
    "_score_spark",
    "_screen_file_spark",
    "_spark",
    "_strings",
    "_whole_partition",
    "_with_row_numbers",
    "errors_path_for",
    "score_declarations_job",
    "score_partition",
    "screen_file_job",
    "screen_parties",
    "screen_partition",
    "uv_medians",
    "validate_partition",
]
