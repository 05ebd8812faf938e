#!/usr/bin/env python3
"""Checks that two feature CSVs agree: same candids in the same order, every
numeric cell equal within a relative tolerance (empty equals empty).

usage: bench/compare.py A.csv B.csv [--tolerance 1e-9]
"""
import argparse
import sys

import numpy as np
import pandas as pd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("left")
    parser.add_argument("right")
    parser.add_argument("--tolerance", type=float, default=1e-9)
    arguments = parser.parse_args()
    left = pd.read_csv(arguments.left, dtype={"candid": str})
    right = pd.read_csv(arguments.right, dtype={"candid": str})
    if list(left.columns) != list(right.columns) or not left["candid"].equals(right["candid"]):
        sys.exit(f"{arguments.left} and {arguments.right}: different columns or candids")
    numeric = [column for column in left.columns if column not in ("candid", "objectId")]
    a, b = left[numeric].to_numpy(float), right[numeric].to_numpy(float)
    both_nan = np.isnan(a) & np.isnan(b)
    close = np.isclose(a, b, rtol=arguments.tolerance, atol=0.0) | both_nan
    if not close.all():
        rows, columns = np.nonzero(~close)
        sys.exit(f"{close.size - close.sum()} cells differ, first: row {rows[0]} {numeric[columns[0]]}: "
                 f"{a[rows[0], columns[0]]} vs {b[rows[0], columns[0]]}")
    print(f"agree: {len(left)} rows x {len(numeric)} features within {arguments.tolerance:g}")


if __name__ == "__main__":
    main()
