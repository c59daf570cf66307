"""Malicious containers around a pickle payload: PyTorch zip tricks, polyglots, the legacy
torch stream, NumPy object arrays and joblib compressed with each compressor."""

import bz2
import gzip
import lzma
import pickle
import struct
import zlib

from containers import Entry, npy_bytes, torch_zip, zip_bytes
from opcodes import Pickle, call_pickle, torch_state_dict

CMD = "echo rampart-fixture"
PAYLOAD = Pickle().global_("os", "system").unicode(CMD).tuple1().reduce().bytes()
EVIL_STATE = torch_state_dict(PAYLOAD)
BENIGN_STATE = torch_state_dict()


def _zips(out):
    def torch(name, why, rule="RS101", also=None, **options):
        out(f"zip/{name}", why, torch_zip(EVIL_STATE, **options), rule=rule, also=also)

    torch("torch_payload.pt", "PyTorch zip whose archive/data.pkl calls os.system")
    torch("torch_renamed_member.pt", "pickle member renamed archive/weights (no .pkl, CVE-2025-1889)",
          member="archive/weights")
    hidden = call_pickle("os", "system", CMD, protocol=0)
    out("zip/torch_hidden_protocol0.pt",
        "protocol-0 pickle (no PROTO header) in an extension-less member (picklescan misses it)",
        torch_zip(hidden, member="archive/x"), rule="RS101")
    out("zip/torch_bad_crc.pt", "every CRC wrong; PyTorch ignores CRCs (CVE-2025-10156)",
        zip_bytes([Entry("archive/data.pkl", EVIL_STATE, crc=0xDEADBEEF),
                   Entry("archive/version", b"3\n", crc=0)]), rule="RS101")
    for flag in (0x1, 0x20, 0x40):
        out(f"zip/torch_flag_{flag:#x}.pt",
            f"general-purpose flag bit {flag:#x} set on a stored member (CVE-2025-1945)",
            zip_bytes([Entry("archive/data.pkl", EVIL_STATE, flags=flag),
                       Entry("archive/version", b"3\n")]), rule="RS101")
    out("zip/torch_name_mismatch.pt",
        "local header names archive/data.pkl, central directory names archive/notes.txt (CVE-2025-1944)",
        zip_bytes([Entry("archive/notes.txt", EVIL_STATE, local_name="archive/data.pkl"),
                   Entry("archive/version", b"3\n")]), rule="RS202", also=["RS101"])
    out("zip/torch_duplicate_names.pt", "two archive/data.pkl members: benign first, payload second",
        zip_bytes([Entry("archive/data.pkl", BENIGN_STATE), Entry("archive/data.pkl", EVIL_STATE),
                   Entry("archive/version", b"3\n")]), rule="RS203", also=["RS101"])
    out("zip/path_traversal.zip", "member ../../evil.pkl climbs out of the extraction folder",
        zip_bytes([Entry("model/README.txt", b"a model\n"),
                   Entry("../../evil.pkl", call_pickle("os", "system", CMD))]),
        rule="RS201", also=["RS101"])
    out("zip/absolute_path.zip", "member with an absolute path /tmp/rampart-fixture.sh",
        zip_bytes([Entry("/tmp/rampart-fixture.sh", b"#!/bin/sh\necho hi\n")]), rule="RS201")
    out("zip/torch_prefixed_junk.pt", "4 KiB of junk before the zip (offsets relative to the zip)",
        bytes(range(256)) * 16 + torch_zip(EVIL_STATE), rule="RS101")
    torch("torch_zip64.pt", "zip64 end records and zip64 extra fields", zip64=True)
    out("zip/torch_deflated.pt", "data.pkl deflated instead of stored",
        zip_bytes([Entry("archive/data.pkl", EVIL_STATE, deflate=True),
                   Entry("archive/version", b"3\n")]), rule="RS101")
    out("zip/nested_zip.zip", "a zip holding a PyTorch zip holding the payload",
        zip_bytes([Entry("inner/model.pt", torch_zip(EVIL_STATE))]), rule="RS101")
    benign_zip = torch_zip(BENIGN_STATE)
    out("zip/polyglot_pickle_zip.pt",
        "malicious pickle at offset 0 with a benign PyTorch zip appended (torch.load reads the pickle)",
        call_pickle("os", "system", CMD) + benign_zip, rule="RS101", also=["RS206"])
    out("zip/polyglot_zip_payload.pt",
        "benign pickle at offset 0 with a malicious PyTorch zip appended",
        pickle.dumps({"ok": True}, protocol=2) + torch_zip(EVIL_STATE), rule="RS101",
        also=["RS206"])
    npy = npy_bytes("|O", (1,), _object_array_pickle())
    out("zip/npz_object_payload.npz", "npz whose object array element is os.system(...)",
        zip_bytes([Entry("weights.npy", npy_bytes("<f4", (2,), b"\x00" * 8)), Entry("arr.npy", npy)]),
        rule="RS101")


def _legacy(out):
    sys_info = {"protocol_version": 1001, "little_endian": True,
                "type_sizes": {"short": 2, "int": 4, "long": 4}}
    head = [pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2), pickle.dumps(1001, protocol=2),
            pickle.dumps(sys_info, protocol=2)]
    data = struct.pack("<q", 4) + struct.pack("<4f", 1, 2, 3, 4)
    keys = pickle.dumps(["0"], protocol=2)
    out("torch/legacy_payload.pt",
        "legacy torch.save stream: magic, version, sys_info, then the model pickle with os.system",
        b"".join(head + [EVIL_STATE, keys, data]), rule="RS101")
    evil_keys = Pickle(2).mark().unicode("0").op(PAYLOAD).pop().op(b"l").stop().bytes()
    out("torch/legacy_payload_in_keys.pt",
        "legacy torch stream whose fifth pickle (the storage keys) calls os.system",
        b"".join(head + [BENIGN_STATE, evil_keys, data]), rule="RS101")


def _object_array_pickle():
    """What np.save writes for an object array, with os.system(...) as the element."""
    p = Pickle(3).global_("numpy.core.multiarray", "_reconstruct").global_("numpy", "ndarray")
    p.int(0).tuple1().binbytes(b"b").tuple3().reduce()
    p.mark().int(1).int(1).tuple1()
    p.global_("numpy", "dtype").unicode("O8").false().true().tuple3().reduce()
    p.mark().int(3).unicode("|").none().none().none().int(-1).int(-1).int(63).tuple().build()
    p.false().empty_list().op(PAYLOAD).append().tuple().build().stop()
    return p.bytes()


def _numpy(out):
    out("numpy/object_payload.npy", "object-dtype .npy whose element is os.system(...)",
        npy_bytes("|O", (1,), _object_array_pickle()), rule="RS101")


def _joblib(out):
    payload = Pickle(4).empty_dict().unicode("model").op(PAYLOAD).setitem().stop().bytes()
    compressors = {
        "zlib": lambda b: zlib.compress(b, 3),
        "gzip": lambda b: gzip.compress(b, 3, mtime=0),
        "bz2": lambda b: bz2.compress(b, 3),
        "xz": lambda b: lzma.compress(b, format=lzma.FORMAT_XZ),
        "lzma": lambda b: lzma.compress(b, format=lzma.FORMAT_ALONE),
    }
    for name, compress in compressors.items():
        out(f"joblib/payload_{name}.joblib", f"joblib-style {name} stream of a pickle calling os.system",
            compress(payload), rule="RS101")


def build(out):
    """Writes every malicious container through `out`."""
    _zips(out)
    _legacy(out)
    _numpy(out)
    _joblib(out)
