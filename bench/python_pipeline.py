#!/usr/bin/env python3
"""The feature pipeline as it is done in Python today, for the benchmark baseline.

For each file: pandas `read_parquet` (every column, as the notebooks do), then
one feature row per alert with `DataFrame.apply(..., axis=1)`, then E(B-V)
from the same SFD HEALPix map with astropy-healpix. Definitions follow the
data-core issue (see README's feature table); output is the same CSV as
`fink-vra features`, so the two can be compared value by value.

usage: bench/python_pipeline.py FILE... > features.csv
"""
import os
import sys

import numpy as np
import pandas as pd
from astropy import units
from astropy.coordinates import Galactic, SkyCoord
from astropy_healpix import HEALPix

SFD_MAP = os.path.join(os.path.dirname(__file__), "..", "src", "core", "features", "sfd",
                       "sfd_ebv_nside64_ring_galactic.f32le")
LC_NAMES = ["amplitude", "linear_fit_reduced_chi2", "linear_fit_slope", "linear_fit_slope_sigma",
            "median", "median_absolute_deviation"]
COLUMNS = (["candid", "objectId", "ra", "dec", "drb", "ndets", "nnondets", "dets_median", "dets_std",
            "sep_arcsec"] + [f"{name}_g" for name in LC_NAMES] + [f"{name}_r" for name in LC_NAMES] + ["ebv"])


def light_curve(row):
    """(magnitudes, isdiffpos) with the current candidate first, in both layouts."""
    if "candidate" in row:
        points = [row["candidate"]] + list(row["prv_candidates"] if row["prv_candidates"] is not None else [])
        return [p["magpsf"] for p in points], [p["isdiffpos"] for p in points]
    return list(row["mag"]), list(row["isdiffpos"])


def is_missing(value):
    return value is None or (isinstance(value, float) and not np.isfinite(value))


def lc_values(features):
    if features is None:
        return [np.nan] * len(LC_NAMES)
    return [np.nan if features.get(name) is None else features[name] for name in LC_NAMES]


def row_features(row):
    magnitudes, signs = light_curve(row)
    detections = [m for m, s in zip(magnitudes, signs) if s in ("t", "1") and not is_missing(m)]
    candidate = row["candidate"] if "candidate" in row else row
    sep = row["sep_arcsec"] if "sep_arcsec" in row else None
    values = [
        row["candid"], row["objectId"], candidate["ra"], candidate["dec"], candidate["drb"],
        len(detections), sum(1 for m in magnitudes if is_missing(m)),
        np.median(detections) if detections else np.nan,
        np.std(detections) if detections else np.nan,
        float(sep) if sep is not None else np.nan,
    ]
    values += lc_values(row.get("lc_features_g")) + lc_values(row.get("lc_features_r"))
    return pd.Series(values, index=COLUMNS[:-1])


def main(paths):
    ebv_map = np.fromfile(SFD_MAP, dtype="<f4")
    healpix = HEALPix(nside=64, order="ring", frame=Galactic())
    header = True
    for path in paths:
        alerts = pd.read_parquet(path)
        features = alerts.apply(row_features, axis=1)
        coordinates = SkyCoord(features["ra"].astype(float).values * units.deg,
                               features["dec"].astype(float).values * units.deg, frame="icrs")
        features["ebv"] = ebv_map[healpix.skycoord_to_healpix(coordinates)].astype(float)
        features.to_csv(sys.stdout, index=False, header=header, float_format="%.17g")
        header = False


if __name__ == "__main__":
    main(sys.argv[1:])
