"""Clean pages on Apache Spark (the `spark` extra): a DataFrame of pages in, clean text out.

`clean_pages` adds the output of `cleaner.batch.RecordCleaner` (the step the CLI runs) to
each row with `mapInPandas`, so a page gives the same fields on Spark as in
`cleaner clean -o out.jsonl`. Each Python worker of an executor loads the model once and
keeps it for every task it runs (Spark reuses Python workers by default).

`read_pages` turns WARC, JSONL, page-file and Parquet paths into such a DataFrame; the
archive readers run on the executors, so only the list of files passes through the driver.

Run as a job:  spark-submit path/to/cleaner/spark.py IN... -o OUT.parquet [--labels]
(or `cleaner spark IN... -o OUT.parquet --master local[4]`).
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__" and sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)  # run as a file by spark-submit: cleaner/html.py must not shadow the standard library's html

import argparse
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleaner.batch import OUTPUT_FIELDS, Record, RecordCleaner, find_inputs, limit_threads, read_files
from cleaner.records import record_from_fields

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

#: Columns of a DataFrame of pages: the page is `html` (binary or string) or `text` (string).
PAGE_COLUMNS = ("id", "url", "warc_record_id", "source", "html", "text", "kind", "encoding", "read_error")


def page_schema() -> StructType:
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType

    return StructType([StructField(name, BinaryType() if name == "html" else StringType())
                       for name in PAGE_COLUMNS])


def output_schema(labels: bool = False, comments: bool = False) -> StructType:
    """The columns `clean_pages` adds: OUTPUT_FIELDS, then comments, paragraphs and error."""
    from pyspark.sql.types import ArrayType, DoubleType, StringType, StructField, StructType

    fields = [StructField(name, StringType()) for name in OUTPUT_FIELDS]
    if comments:
        fields.append(StructField("comments", ArrayType(StringType())))
    if labels:
        paragraph = StructType([StructField("text", StringType()), StructField("label", StringType()),
                                StructField("score", DoubleType())])
        fields.append(StructField("paragraphs", ArrayType(paragraph)))
    fields.append(StructField("error", StringType()))
    return StructType(fields)


# One RecordCleaner per Python worker process and options, made on the first batch it sees.
_workers: dict[str, RecordCleaner] = {}


def _worker(options: dict[str, Any]) -> RecordCleaner:
    key = repr(sorted(options.items()))
    if key not in _workers:
        _workers[key] = worker = RecordCleaner(options)
        worker.cleaner  # noqa: B018 - load the model, then keep this worker to one core
        limit_threads()
    return _workers[key]


def _clean_batches(batches: Iterator[pd.DataFrame], options: dict[str, Any], passthrough: list[str],
                   columns: list[str]) -> Iterator[pd.DataFrame]:
    import pandas as pd

    worker = _worker(options)
    for frame in batches:
        rows = []
        for row in frame.to_dict("records"):
            out = worker(_record(row))
            out.pop("relpath", None)
            for name in passthrough:
                out[name] = row.get(name)
            rows.append(out)
        yield pd.DataFrame(rows, columns=columns)


def _record(row: dict[str, Any]) -> Record:
    """A row as a Record; a page with no id, record id or URL gets the hash of its content."""
    content = row.get("html") if row.get("html") is not None else row.get("text")
    digest = hashlib.sha1(content if isinstance(content, bytes) else str(content).encode()).hexdigest()
    source = row.get("source") if isinstance(row.get("source"), str) else None
    record = record_from_fields(row, f"sha1:{digest}", None, source)
    read_error = row.get("read_error")
    if isinstance(read_error, str):
        record.meta["error"] = read_error
    return record


def clean_pages(pages: DataFrame, *, labels: bool = False, comments: bool = False, model: str | None = None,
                trust_model: bool = False, settle: bool = False) -> DataFrame:
    """The clean text (and with `labels` every paragraph and its label) of each page of `pages`.

    `pages` has an `html` (binary or string) or a `text` column, and may have `id`, `url`,
    `warc_record_id`, `source`, `encoding` and `kind`. The result has the columns of
    `output_schema` and keeps the other columns of `pages` (the page content is dropped).
    A page that fails has `error` set; it is never dropped. `settle`: as `Cleaner(settle=True)`.
    """
    from pyspark.sql.types import StructType

    options = {"model": model, "trust_model": trust_model, "include_comments": comments, "labels": labels,
               "settle": settle}
    schema = output_schema(labels, comments)
    taken = set(schema.fieldNames()) | set(PAGE_COLUMNS)
    passthrough = [f for f in pages.schema.fields if f.name not in taken]
    full = StructType(list(schema.fields) + passthrough)
    names = [f.name for f in passthrough]
    columns = full.fieldNames()
    return pages.mapInPandas(lambda batches: _clean_batches(batches, options, names, columns), schema=full)


def _read_file(item: tuple[str | None, str]) -> Iterator[tuple[Any, ...]]:
    """The page rows of one input file (a page, a WARC, a JSONL file), read on an executor."""
    root, path = item
    for record in read_files([(Path(root) if root else None, Path(path))]):
        # str stays str (text column), bytes stay bytes (html column): both reach `clean` as they came
        html, text = (None, record.content) if isinstance(record.content, str) else (record.content, None)
        meta = record.meta
        yield (record.id, meta.get("url"), meta.get("warc_record_id"), meta.get("source"), html, text,
               meta.get("kind") or "auto", meta.get("encoding"), meta.get("error"))


def read_pages(spark: SparkSession, paths: Sequence[str], partitions: int | None = None) -> DataFrame:
    """A DataFrame of pages (PAGE_COLUMNS) from WARC, JSONL, page files, folders, globs and Parquet.

    Files are listed on the driver (as `cleaner clean` lists them) and read on the executors,
    `partitions` slices of them (default: a file a slice, at most 4 per core).
    """
    parquet = [p for p in paths if p.lower().endswith(".parquet") or (Path(p) / "_SUCCESS").exists()]
    others = [p for p in paths if p not in parquet]
    frames = []
    if others:
        found = find_inputs(others, archives=True)
        files = [(str(root) if root is not None else None, str(path)) for root, path in found]
        cores = spark.sparkContext.defaultParallelism
        slices = partitions or max(1, min(len(files), 4 * cores))
        rdd = spark.sparkContext.parallelize(files, slices).flatMap(_read_file)
        if slices < cores:  # fewer files than cores (one big WARC): spread its pages over the cores
            rdd = rdd.repartition(cores)
        frames.append(spark.createDataFrame(rdd, page_schema()))
    if parquet:
        from pyspark.sql import functions as F

        table = spark.read.parquet(*parquet)
        present = set(table.columns)
        cols = [F.col(name) if name in present else F.lit(None).cast("string").alias(name)
                for name in PAGE_COLUMNS if name != "html"]
        html = F.col("html").cast("binary") if "html" in present else F.lit(None).cast("binary")
        frames.append(table.select(*cols[:4], html.alias("html"), *cols[4:]))
    if not frames:
        raise ValueError("no input paths")
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result


def clean_paths(spark: SparkSession, paths: Sequence[str], output: str, *, labels: bool = False,
                comments: bool = False, model: str | None = None, trust_model: bool = False,
                partitions: int | None = None, settle: bool = False) -> None:
    """Read pages from `paths`, clean them and write Parquet to `output` (replacing it)."""
    pages = read_pages(spark, paths, partitions)
    cleaned = clean_pages(pages, labels=labels, comments=comments, model=model, trust_model=trust_model,
                          settle=settle)
    cleaned.write.mode("overwrite").parquet(output)


def session(master: str | None = None, app_name: str = "cleaner") -> SparkSession:
    """A SparkSession (the active one if any); `master` e.g. local[2] when not set by spark-submit."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
        if master.startswith("local"):  # workers must run this Python, the one with cleaner installed
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # a local run needs no network
    return builder.getOrCreate()


def main(argv: Sequence[str] | None = None) -> None:
    """The spark-submit entry point: clean IN... into Parquet at OUT."""
    parser = argparse.ArgumentParser(prog="cleaner.spark", description=main.__doc__)
    parser.add_argument("paths", nargs="+", help="WARC, JSONL, Parquet, page files, folders or globs")
    parser.add_argument("-o", "--output", required=True, help="Parquet folder to write")
    parser.add_argument("--labels", action="store_true", help="add every paragraph and its label")
    parser.add_argument("--comments", action="store_true", help="add readers' comments")
    parser.add_argument("--model", help="model file (default: the shipped one)")
    parser.add_argument("--trust-model", action="store_true", help="load a model from outside models/")
    parser.add_argument("--partitions", type=int, help="slices of the input files")
    parser.add_argument("--settle", action="store_true", help="text pages: clean the article again until it "
                        "stays the same (idempotent, slower)")
    parser.add_argument("--master", help="Spark master when not given by spark-submit, e.g. local[2]")
    args = parser.parse_args(argv)
    spark = session(args.master)
    clean_paths(spark, args.paths, args.output, labels=args.labels, comments=args.comments, model=args.model,
                trust_model=args.trust_model, partitions=args.partitions, settle=args.settle)


if __name__ == "__main__":  # spark-submit runs this file: use the installed module, not this copy
    from cleaner.spark import main as installed_main

    installed_main()
