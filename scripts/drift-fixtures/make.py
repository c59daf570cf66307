#!/usr/bin/python3
"""Generate test/fixtures/drift/scipy-1.10.json: seeded inputs and Debian scipy's outputs.

Run with Debian's interpreter (python3-scipy 1.10, numpy 1.24):
    /usr/bin/python3 scripts/drift-fixtures/make.py
Evidently is not installed; its stattests are re-stated below from its source
(legacy/calculations/stattests: get_binned_data, z, chisquare, psi, kl_div, jensenshannon,
hellinger, wasserstein) on top of the same numpy/scipy calls.
"""
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "drift", "scipy-1.10.json")


def num(x):
    """JSON-safe float: non-finite values become strings."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def arr(a, decimals=None):
    a = np.asarray(a, dtype=float)
    if decimals is not None:
        a = np.round(a, decimals)
    return [float(v) for v in a]


# --- Evidently's definitions (see module docstring) -----------------------------------------

def binned(ref, cur, kind, fill):
    ref = list(ref)
    cur = list(cur)
    if kind == "numerical" and len(set(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list(dict.fromkeys(ref + cur))
        r = np.array([ref.count(k) / len(ref) for k in keys])
        c = np.array([cur.count(k) / len(cur) for k in keys])
    if fill:
        for a in (r, c):
            m = min(a[a != 0])
            np.place(a, a == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return r, c


def z_test(ref, cur):
    if len(set(ref)) == 1 and len(set(cur)) == 1 and ref[0] == cur[0]:
        return 0.0, 1.0
    first = sorted(set(ref) | set(cur))[0]
    a = [0 if x == first else 1 for x in ref]
    b = [0 if x == first else 1 for x in cur]
    n1, n2 = len(a), len(b)
    p1, p2 = float(sum(a)) / n1, float(sum(b)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return z, 2 * (1 - stats.norm.cdf(np.abs(z)))


def chi_gof(ref, cur):
    keys = list(dict.fromkeys(ref + cur))
    k = len(cur) / len(ref)
    res = stats.chisquare([cur.count(x) for x in keys], [ref.count(x) * k for x in keys])
    return res[0], res[1]


def hellinger(ref, cur, kind):
    keys = list(dict.fromkeys(list(ref) + list(cur)))  # set order would vary with hash seeds
    if kind == "categorical":
        s = sum(math.sqrt(ref.count(k) / len(ref) * cur.count(k) / len(cur)) for k in keys)
    else:
        bins = np.histogram_bin_edges(keys, bins="sturges")
        h1 = np.histogram(np.array(ref), bins=bins, density=True)[0]
        h2 = np.histogram(np.array(cur), bins=bins, density=True)[0]
        width = (max(bins) - min(bins)) / (len(bins) - 1)
        s = sum(math.sqrt(h1[i] * h2[i]) * width for i in range(len(h1)))
    return math.sqrt(1 - np.clip(s, 0, 1))


# --- Seeded samples ---------------------------------------------------------------------------

def numeric_pairs(rng, large):
    """(label, reference, current) pairs: small/large, ties, constant, shifted, scaled."""
    n = (lambda s: s * 40) if large else (lambda s: s)
    d = 3 if large else 6
    yield "normal same", rng.normal(0, 1, n(60)), rng.normal(0, 1, n(45))
    yield "normal shifted", rng.normal(0, 1, n(50)), rng.normal(0.6, 1, n(70))
    yield "normal scaled", rng.normal(0, 1, n(80)), rng.normal(0, 2.5, n(80))
    yield "integer ties", rng.integers(0, 8, n(40)).astype(float), rng.integers(1, 9, n(55)).astype(float)
    yield "constant equal", np.full(n(20), 3.0), np.full(n(15), 3.0)
    yield "constant different", np.full(n(20), 3.0), np.full(n(25), 4.0)
    yield "exponential vs lognormal", rng.exponential(1, n(90)), rng.lognormal(0, 0.5, n(75))
    yield "uniform tiny", rng.uniform(0, 1, 5), rng.uniform(0.2, 1.2, 7)
    for label, ref, cur in [("n", rng.normal(0, 1, n(33)), rng.normal(0.1, 1.1, n(33)))]:
        yield "equal sizes " + label, ref, cur
    yield "many ties", np.round(rng.normal(0, 1, n(70)), 1), np.round(rng.normal(0.2, 1, n(64)), 1)
    if not large:
        return
    yield "one small side", rng.normal(0, 1, 30), rng.normal(0.3, 1, 12000)
    yield "tiny vs huge", rng.normal(0, 1, 3), rng.normal(0, 1, 10500)
    yield "asymptotic same", rng.normal(0, 1, 10500), rng.normal(0, 1, 11000)
    yield "asymptotic shifted", rng.normal(0, 1, 12000), rng.normal(0.05, 1, 10001)


def main():
    rng = np.random.default_rng(20240808)
    out = {"generator": "scripts/drift-fixtures/make.py", "scipy": scipy.__version__, "numpy": np.__version__,
           "ks": [], "kstwo_sf": [], "chi2_sf": [], "chisquare": [], "chi2_contingency": [], "evidently": []}

    for large in (False, True):
        for label, ref, cur in numeric_pairs(rng, large):
            ref = np.round(ref, 3 if len(ref) > 2000 else 6)
            cur = np.round(cur, 3 if len(cur) > 2000 else 6)
            r = stats.ks_2samp(ref, cur)
            out["ks"].append({"label": label, "reference": arr(ref), "current": arr(cur),
                              "statistic": num(r.statistic), "p_value": num(r.pvalue)})
            if len(ref) + len(cur) > 6000:
                continue
            kind = "numerical"
            rl, cl = list(map(float, ref)), list(map(float, cur))
            jr, jc = binned(rl, cl, kind, False)
            pr, pc = binned(rl, cl, kind, True)
            out["evidently"].append({
                "label": label, "kind": kind, "reference": arr(ref), "current": arr(cur),
                "wasserstein": num(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)),
                "jensenshannon": num(distance.jensenshannon(jr, jc)),
                "psi": num(np.sum((pr - pc) * np.log(pr / pc))),
                "kl_div": num(stats.entropy(pr, pc)),
                "hellinger": num(hellinger(rl, cl, kind)),
            })

    for n in (1, 2, 5, 10, 30, 100, 140, 141, 500, 1000, 5000, 20000, 100001):
        for d in (0.001, 0.01, 0.03, 0.05, 0.08, 0.12, 0.2, 0.35, 0.5, 0.7, 0.95):
            out["kstwo_sf"].append({"n": n, "d": d, "sf": num(stats.kstwo.sf(d, n))})

    for dof in (1, 2, 3, 5, 10, 29, 100, 1000):
        for x in (0.001, 0.5, 1, 2.5, 7, 15, 40, 120, 900, 1100, 3000):
            out["chi2_sf"].append({"x": x, "dof": dof, "sf": num(stats.chi2.sf(x, dof))})

    cats = list("abcdefghij")
    for i in range(20):
        k = 2 + i % 8
        p = rng.dirichlet(np.ones(k))
        q = p if i % 3 == 0 else rng.dirichlet(np.ones(k))
        n1 = int(rng.integers(5, 900))
        n2 = int(rng.integers(5, 900))
        ref = list(rng.choice(cats[:k], n1, p=p))
        cur = list(rng.choice(cats[:k], n2, p=q))
        if i == 7:
            cur = cur + ["z"] * 3  # a category unseen in the reference
        if i == 11:
            ref, cur = ["a"] * 30, ["a"] * 12  # constant and equal
        keys = list(dict.fromkeys(ref + cur))
        obs = [cur.count(x) for x in keys]
        exp = [ref.count(x) * len(cur) / len(ref) for x in keys]
        with np.errstate(divide="ignore", invalid="ignore"):
            g = stats.chisquare(obs, exp)
        out["chisquare"].append({"observed": obs, "expected": exp, "statistic": num(g[0]), "p_value": num(g[1])})
        table = [[ref.count(x) for x in keys], [cur.count(x) for x in keys]]
        if len(keys) > 1:
            c = stats.chi2_contingency(table)
            out["chi2_contingency"].append({"table": table, "statistic": num(c[0]), "p_value": num(c[1]),
                                            "dof": int(c[2])})
        jr, jc = binned(ref, cur, "categorical", False)
        pr, pc = binned(ref, cur, "categorical", True)
        z, zp = z_test(ref, cur) if len(set(ref) | set(cur)) <= 2 else (None, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            gs, gp = chi_gof(ref, cur)
        out["evidently"].append({
            "label": f"categorical {i}", "kind": "categorical", "reference": ref, "current": cur,
            "chisquare": num(gp), "chisquare_statistic": num(gs),
            "z": None if zp is None else num(zp), "z_statistic": None if z is None else num(z),
            "jensenshannon": num(distance.jensenshannon(jr, jc)),
            "psi": num(np.sum((pr - pc) * np.log(pr / pc))),
            "kl_div": num(stats.entropy(pr, pc)),
            "hellinger": num(hellinger(ref, cur, "categorical")),
        })
    for i in range(16):
        # Binary columns: Evidently's Z-test path (≤ 2 categories, reference ≤ 1000 rows).
        labels = [["no", "yes"], [0.0, 1.0]][i % 2]
        p1, p2 = rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95) if i % 4 else None
        n1, n2 = int(rng.integers(8, 1000)), int(rng.integers(8, 1000))
        ref = [labels[int(v)] for v in rng.random(n1) < p1]
        cur = [labels[int(v)] for v in rng.random(n2) < (p1 if p2 is None else p2)]
        if i == 5:
            cur = [labels[1]] * n2  # current constant, reference mixed
        z, zp = z_test(ref, cur)
        with np.errstate(divide="ignore", invalid="ignore"):
            gs, gp = chi_gof(ref, cur)
        jr, jc = binned(ref, cur, "categorical", False)
        pr, pc = binned(ref, cur, "categorical", True)
        out["evidently"].append({
            "label": f"binary {i}", "kind": "categorical", "reference": ref, "current": cur,
            "chisquare": num(gp), "chisquare_statistic": num(gs), "z": num(zp), "z_statistic": num(z),
            "jensenshannon": num(distance.jensenshannon(jr, jc)),
            "psi": num(np.sum((pr - pc) * np.log(pr / pc))),
            "kl_div": num(stats.entropy(pr, pc)),
            "hellinger": num(hellinger(ref, cur, "categorical")),
        })
    for t in ([[10, 20], [20, 10]], [[3, 0], [0, 4]], [[12, 5, 9], [7, 11, 3], [1, 2, 30]], [[100, 1], [90, 11]]):
        c = stats.chi2_contingency(t)
        out["chi2_contingency"].append({"table": t, "statistic": num(c[0]), "p_value": num(c[1]), "dof": int(c[2])})

    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: " + ", ".join(f"{k}={len(v)}" for k, v in out.items() if isinstance(v, list)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
