#!/usr/bin/env python3
"""Writes N-alert benchmark files from the real fixtures, in any layout.

Alerts of the fixture files are replicated and jittered: each copy gets a new
unique candid, a new objectId, coordinates moved by up to ~1 degree, and every
magnitude shifted by Gaussian noise (sigma 0.05 mag). Full-schema files keep
every column, cutouts included (about 44 KB per alert), so readers are timed on
realistic bytes. Output files are named like the finkvra consumer's polls:
YYYYMMDD_HHMMSS_alerts.parquet, `--per-file` alerts each.

`--layout lsst` does the same with the two LSST sample files (assets/sample),
in turn, one per output file (schema 10 with Fink's lc_features, then schema
7.1 with long histories): a new unique diaSourceId (top-level and in the
diaSource), a new diaObjectId (0 kept for solar-system alerts), coordinates
moved, every psfFlux scaled by 1 + N(0, 0.05); cutouts kept (raw FITS, about
60 KB per alert).

`--first-alert K` numbers the alerts from K (ids and file names continue from
there), so that a second folder holds other alerts than a first one of K.

`--compact` stores the replicated cutouts once per file (dictionary
encoding): files a hundred times smaller, for tests that need many alerts
but not realistic bytes (tests/e2e/round_scale.test.mjs).

usage: bench/generate.py --layout full|clean|lsst --alerts N --out DIR [--per-file 1000] [--seed 7]
                         [--first-alert K] [--compact]
"""
import argparse
import glob
import os
import string

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures")
SAMPLES = os.path.join(os.path.dirname(__file__), "..", "assets", "sample")
FIRST_CANDID = 3_100_000_000_000_000_000  # above every real candid, below 2**63
LSST_SAMPLES = ["lsst_v10_fink_27alerts.parquet", "lsst_v7_1_simulated_50alerts.parquet"]
FIRST_DIA_SOURCE_ID = 4_000_000_000_000_000_000  # above every real diaSourceId
FIRST_DIA_OBJECT_ID = 5_000_000_000_000_000_000


def template(layout):
    """The source alerts: one table, one schema."""
    if layout == "full":
        return pq.read_table(os.path.join(FIXTURES, "raw", "ztf_hostless_72alerts.parquet"))
    tables = [pq.read_table(path) for path in sorted(glob.glob(os.path.join(FIXTURES, "clean", "*hostless*.parquet")))]
    tables = [table.drop_columns([c for c in table.column_names if c.startswith("__index")]) for table in tables]
    schema = tables[0].schema
    return pa.concat_tables([table.cast(schema) for table in tables])


def jitter_list(array, rng, sigma):
    """Adds Gaussian noise to every value of a list<double> column, nulls kept."""
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    values = array.flatten()
    noise = pa.array(rng.normal(0.0, sigma, len(values)))
    shifted = pc.add(values.cast(pa.float64()), noise).cast(values.type)
    return pa.ListArray.from_arrays(array.offsets, shifted, mask=array.is_null())


def jitter_struct(array, rng, fields):
    """Returns the struct array with `fields` replaced by `fields[name](child)`."""
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    children, names = [], []
    for index, field in enumerate(array.type):
        child = array.field(index)
        children.append(fields[field.name](child) if field.name in fields else child)
        names.append(field.name)
    return pa.StructArray.from_arrays(children, names=names, mask=array.is_null())


def noisy(rng, sigma):
    def apply(child):
        noise = pa.array(rng.normal(0.0, sigma, len(child)))
        return pc.add(child.cast(pa.float64()), noise).cast(child.type)
    return apply


def object_ids(rng, count):
    letters = np.array(list(string.ascii_lowercase))
    picks = rng.integers(0, 26, size=(count, 7))
    return pa.array(["ZTF24" + "".join(letters[row]) for row in picks])


def wrap_degrees(array):
    """Brings right ascensions back into [0, 360)."""
    return pc.subtract(array, pc.multiply(pc.floor(pc.divide(array, 360.0)), 360.0))


def clip_declination(array):
    return pc.max_element_wise(pc.min_element_wise(array, 89.9), -89.9)


def replicate(table, layout, count, first_candid, rng):
    rows = pa.array(rng.integers(0, table.num_rows, size=count))
    batch = table.take(rows)
    columns = {name: batch.column(name).combine_chunks() for name in batch.column_names}
    candids = pa.array(np.arange(first_candid, first_candid + count, dtype=np.int64))
    columns["candid"] = candids.cast(batch.schema.field("candid").type)
    columns["objectId"] = object_ids(rng, count).cast(batch.schema.field("objectId").type)
    coordinate, magnitude = noisy(rng, 0.5), noisy(rng, 0.05)
    if layout == "full":
        columns["candidate"] = jitter_struct(columns["candidate"], rng, {
            "ra": lambda child: wrap_degrees(coordinate(child)),
            "dec": lambda child: clip_declination(coordinate(child)),
            "magpsf": magnitude,
            "candid": lambda child: candids.cast(child.type),
        })
        history = columns["prv_candidates"]
        elements = jitter_struct(history.flatten(), rng, {"magpsf": magnitude})
        columns["prv_candidates"] = pa.ListArray.from_arrays(history.offsets, elements, mask=history.is_null())
    else:
        columns["ra"] = wrap_degrees(coordinate(columns["ra"]))
        columns["dec"] = clip_declination(coordinate(columns["dec"]))
        columns["mag"] = jitter_list(columns["mag"], rng, 0.05)
    arrays = [columns[name] for name in batch.column_names]
    return pa.Table.from_arrays(arrays, schema=batch.schema)


def replicate_lsst(table, count, first_id, rng):
    """Jittered copies of LSST alerts: new ids, moved coordinates, scaled fluxes."""
    rows = pa.array(rng.integers(0, table.num_rows, size=count))
    batch = table.take(rows)
    columns = {name: batch.column(name).combine_chunks() for name in batch.column_names}
    ids = pa.array(np.arange(first_id, first_id + count, dtype=np.int64))
    for top in ("diaSourceId", "alertId"):
        if top in columns:
            columns[top] = ids.cast(batch.schema.field(top).type)
    coordinate = noisy(rng, 0.5)

    def scaled(child):
        factor = pa.array(1.0 + rng.normal(0.0, 0.05, len(child)))
        return pc.multiply(child.cast(pa.float64()), factor).cast(child.type)

    def new_objects(child):
        objects = np.arange(first_id, first_id + count, dtype=np.int64) - FIRST_DIA_SOURCE_ID + FIRST_DIA_OBJECT_ID
        solar = pc.equal(child, 0).to_numpy(zero_copy_only=False)
        return pa.array(np.where(solar, 0, objects)).cast(child.type)

    columns["diaSource"] = jitter_struct(columns["diaSource"], rng, {
        "diaSourceId": lambda child: ids.cast(child.type),
        "diaObjectId": new_objects,
        "ra": lambda child: wrap_degrees(coordinate(child)),
        "dec": lambda child: clip_declination(coordinate(child)),
        "psfFlux": scaled,
    })
    history = columns["prvDiaSources"]
    elements = jitter_struct(history.flatten(), rng, {"psfFlux": scaled})
    columns["prvDiaSources"] = pa.ListArray.from_arrays(history.offsets, elements, mask=history.is_null())
    arrays = [columns[name] for name in batch.column_names]
    return pa.Table.from_arrays(arrays, schema=batch.schema)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layout", choices=["full", "clean", "lsst"], required=True)
    parser.add_argument("--alerts", type=int, required=True)
    parser.add_argument("--per-file", type=int, default=1000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--first-alert", type=int, default=0)
    parser.add_argument("--compact", action="store_true")
    arguments = parser.parse_args()

    rng = np.random.default_rng(arguments.seed)
    if arguments.layout == "lsst":
        tables = [pq.read_table(os.path.join(SAMPLES, name)) for name in LSST_SAMPLES]
    else:
        table = template(arguments.layout)
    os.makedirs(arguments.out, exist_ok=True)
    written, hour = 0, arguments.first_alert // arguments.per_file
    while written < arguments.alerts:
        count = min(arguments.per_file, arguments.alerts - written)
        first = arguments.first_alert + written
        if arguments.layout == "lsst":
            chunk = replicate_lsst(tables[hour % 2], count, FIRST_DIA_SOURCE_ID + first, rng)
        else:
            chunk = replicate(table, arguments.layout, count, FIRST_CANDID + first, rng)
        day, hour_of_day = divmod(hour, 24)
        name = f"2025{6 + day // 28:02d}{1 + day % 28:02d}_{hour_of_day:02d}0102_alerts.parquet"
        # No dictionary encoding (unless --compact): replicated cutouts would
        # otherwise be stored once per file, and the files would be ten times
        # smaller than real polls.
        pq.write_table(
            chunk,
            os.path.join(arguments.out, name),
            compression="snappy",
            use_dictionary=arguments.compact,
            # Room for a sample file's distinct cutouts in one dictionary.
            dictionary_pagesize_limit=64 << 20,
        )
        written += count
        hour += 1
    files = hour - arguments.first_alert // arguments.per_file
    print(f"wrote {written} {arguments.layout}-layout alerts in {files} files to {arguments.out}")


if __name__ == "__main__":
    main()
