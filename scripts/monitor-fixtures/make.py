#!/usr/bin/env python3
"""Generate test/fixtures/monitor/shapiro.json: seeded samples and scipy.stats.shapiro's W and p.

Run from the repository root with numpy and scipy installed:
    python3 scripts/monitor-fixtures/make.py
Samples are rounded to 8 decimals before the test, so the JSON holds exactly the tested values.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "monitor", "shapiro.json")

SIZES = [3, 4, 5, 6, 7, 8, 10, 11, 12, 15, 20, 30, 50, 101, 200, 500, 1000, 2500, 5000]


def draw(rng, kind, n):
    if kind == "normal":
        return rng.normal(3.0, 2.0, n)
    if kind == "uniform":
        return rng.uniform(-1.0, 1.0, n)
    if kind == "exponential":
        return rng.exponential(1.5, n)
    if kind == "lognormal":
        return rng.lognormal(0.0, 1.0, n)
    if kind == "student_t3":
        return rng.standard_t(3, n)
    if kind == "bimodal":
        return np.where(rng.uniform(size=n) < 0.5, rng.normal(-2.0, 0.5, n), rng.normal(2.0, 0.5, n))
    if kind == "ties":
        return rng.integers(0, 6, n).astype(float)
    raise ValueError(kind)


def main():
    rng = np.random.default_rng(20260808)
    cases = []
    kinds = ["normal", "uniform", "exponential", "lognormal", "student_t3", "bimodal", "ties"]
    for i, n in enumerate(SIZES):
        # Every size with the normal, and two more distributions in rotation; the big sizes
        # only twice so the fixture stays small.
        chosen = ["normal"] + [kinds[1 + (i + k) % (len(kinds) - 1)] for k in (0, 3)]
        if n >= 2500:
            chosen = chosen[:2]
        for kind in chosen:
            x = np.round(draw(rng, kind, n), 8)
            if np.ptp(x) == 0:
                continue
            res = stats.shapiro(x)
            cases.append({
                "label": f"{kind}-{n}",
                "x": [float(v) for v in x],
                "w": float(res.statistic),
                "p_value": float(res.pvalue),
            })
    doc = {"scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
