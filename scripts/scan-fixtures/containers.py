"""Container formats written byte by byte: zip (with the tricks real readers disagree on),
NumPy .npy headers, safetensors and GGUF. Deterministic: fixed timestamps, no randomness."""

import json
import struct
import zlib

DOS_TIME = 0  # 00:00:00
DOS_DATE = (2024 - 1980) << 9 | 1 << 5 | 1  # 2024-01-01


class Entry:
    """One zip member. `local_name` differs from `name` to fake a header mismatch."""

    def __init__(self, name, data, local_name=None, flags=0, crc=None, deflate=False):
        self.name = name
        self.data = data
        self.local_name = name if local_name is None else local_name
        self.flags = flags
        self.crc = zlib.crc32(data) if crc is None else crc
        self.deflate = deflate


def _compress(entry):
    if not entry.deflate:
        return 0, entry.data
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return 8, packer.compress(entry.data) + packer.flush()


def zip_bytes(entries, zip64=False, comment=b""):
    """A zip archive of `entries`, stored (or deflated), optionally with zip64 records."""
    out = bytearray()
    central = bytearray()
    for entry in entries:
        method, payload = _compress(entry)
        offset = len(out)
        size, usize = len(payload), len(entry.data)
        local_name = entry.local_name.encode()
        name = entry.name.encode()
        if zip64:
            extra = struct.pack("<HHQQ", 1, 16, usize, size)
            sizes = (0xFFFFFFFF, 0xFFFFFFFF)
            version = 45
        else:
            extra = b""
            sizes = (size, usize)
            version = 20
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, version, entry.flags, method, DOS_TIME, DOS_DATE,
            entry.crc, sizes[0], sizes[1], len(local_name), len(extra),
        )
        out += local_name + extra + payload
        if zip64:
            cextra = struct.pack("<HHQQQ", 1, 24, usize, size, offset)
            coffset = 0xFFFFFFFF
        else:
            cextra = b""
            coffset = offset
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, version, entry.flags, method, DOS_TIME,
            DOS_DATE, entry.crc, sizes[0], sizes[1], len(name), len(cextra), 0, 0, 0,
            0o100644 << 16, coffset,
        )
        central += name + cextra
    directory_offset = len(out)
    out += central
    count = len(entries)
    if zip64:
        record_offset = len(out)
        out += struct.pack(
            "<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, len(central),
            directory_offset,
        )
        out += struct.pack("<IIQI", 0x07064B50, 0, record_offset, 1)
        out += struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, len(comment)
        )
    else:
        out += struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), directory_offset,
            len(comment),
        )
    return bytes(out + comment)


def torch_zip(data_pkl, member="archive/data.pkl", storages=1, **options):
    """A PyTorch-style zip: data.pkl, float storages, version. `member` renames the pickle."""
    entries = [Entry(member, data_pkl)]
    for key in range(storages):
        entries.append(Entry(f"archive/data/{key}", struct.pack("<4f", 1.0, 2.0, 3.0, 4.0)))
    entries.append(Entry("archive/version", b"3\n"))
    return zip_bytes(entries, **options)


def npy_bytes(descr, shape, body):
    """An .npy v1.0 file: magic, padded header dict, then `body`."""
    header = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (descr, shape)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * (pad % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + body


def safetensors_bytes(tensors, metadata=None, raw_header=None, data=None):
    """A safetensors file. `tensors` maps name -> (dtype, shape, bytes) laid out in order;
    `raw_header` and `data` override the computed header and data to build broken files."""
    header = {}
    blob = bytearray()
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    text = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":"))
    encoded = text.encode()
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded)) + encoded + bytes(blob if data is None else data)


GGUF_UINT32, GGUF_STRING, GGUF_ARRAY, GGUF_FLOAT32 = 4, 8, 9, 6


def _gguf_string(text):
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def _gguf_value(value):
    if isinstance(value, str):
        return struct.pack("<I", GGUF_STRING) + _gguf_string(value)
    if isinstance(value, float):
        return struct.pack("<If", GGUF_FLOAT32, value)
    if isinstance(value, int):
        return struct.pack("<II", GGUF_UINT32, value)
    if isinstance(value, list):
        items = b"".join(_gguf_string(item) for item in value)
        return struct.pack("<IIQ", GGUF_ARRAY, GGUF_STRING, len(value)) + items
    raise TypeError(value)


def gguf_bytes(metadata, alignment=32):
    """A GGUF v3 file with `metadata` and one F32 tensor of four values."""
    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, 1, len(metadata)))
    for key, value in metadata.items():
        out += _gguf_string(key) + _gguf_value(value)
    out += _gguf_string("output.weight") + struct.pack("<IQIQ", 1, 4, 0, 0)
    out += b"\x00" * (-len(out) % alignment)
    out += struct.pack("<4f", 0.5, -0.5, 0.25, -0.25)
    return bytes(out)
