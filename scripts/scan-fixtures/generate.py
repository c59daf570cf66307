"""Generates the scanner's fixture corpus: test/fixtures/scan/{benign,malicious}/ and
manifest.json. Run from the repository root with Debian's Python and its ML packages:

    /usr/bin/python3 scripts/scan-fixtures/generate.py

Benign files are made by the real libraries (python3-torch, -sklearn, -numpy, -h5py, -onnx,
-joblib). Malicious files are hand-built bytes; nothing here ever loads, unpickles or runs a
fixture. Output is deterministic: running twice gives identical bytes (checked with --check).
"""

import hashlib
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ beside the committed sources

import benign  # noqa: E402
import benign_traps  # noqa: E402
import malicious_archives  # noqa: E402
import malicious_models  # noqa: E402
import malicious_pickle  # noqa: E402
from savedmodel import BENIGN, saved_model  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "test", "fixtures", "scan")
LIMIT = 3 * 1024 * 1024


class Output:
    """Writes fixtures of one kind and records each in the manifest."""

    def __init__(self, root, kind, manifest):
        self.root = root
        self.kind = kind
        self.manifest = manifest

    def path(self, name):
        return os.path.join(self.root, self.kind, name)

    def __call__(self, name, why, data=None, rule=None, also=None):
        """Records `name`; writes `data` if given, else returns the path for a library to write."""
        key = f"{self.kind}/{name}"
        if key in self.manifest:
            raise ValueError(f"duplicate fixture {key}")
        entry = {"expect": "clean" if self.kind == "benign" else "flagged"}
        if rule is not None:
            entry["rule"] = rule
        if also:
            entry["also"] = also
        entry["why"] = why
        self.manifest[key] = entry
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if data is not None:
            with open(path, "wb") as f:
                f.write(data)
        return path


def generate(root):
    """Writes the corpus under `root`; returns the manifest."""
    shutil.rmtree(root, ignore_errors=True)
    manifest = {}
    good = Output(root, "benign", manifest)
    benign.build(good)
    benign_traps.build(good)
    good("savedmodel/saved_model.pb", "SavedModel graph of Placeholder, Const, MatMul, Identity",
         saved_model(BENIGN))
    bad = Output(root, "malicious", manifest)
    malicious_pickle.build(bad)
    malicious_archives.build(bad)
    malicious_models.build(bad)
    ordered = dict(sorted(manifest.items()))
    with open(os.path.join(root, "manifest.json"), "w") as f:
        json.dump(ordered, f, indent=2)
        f.write("\n")
    return ordered


def digest(root):
    """One SHA-256 over every file's relative path and bytes."""
    total = hashlib.sha256()
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = os.path.join(folder, name)
            total.update(os.path.relpath(path, root).encode() + b"\0")
            with open(path, "rb") as f:
                total.update(f.read())
    return total.hexdigest()


def size(root):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs)


def main():
    manifest = generate(ROOT)
    for key in manifest:
        if not os.path.isfile(os.path.join(ROOT, key)):
            raise SystemExit(f"manifest names a missing file: {key}")
    total = size(ROOT)
    if total > LIMIT:
        raise SystemExit(f"fixtures take {total} bytes, over the {LIMIT}-byte budget")
    first = digest(ROOT)
    if "--check" in sys.argv:
        generate(ROOT)
        if digest(ROOT) != first:
            raise SystemExit("output is not deterministic")
    print(f"{len(manifest)} fixtures, {total} bytes, sha256 {first}")


if __name__ == "__main__":
    main()
