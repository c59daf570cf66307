"""Raw pickle opcodes, written by hand.

Malicious fixtures are built from these bytes and never produced by pickling a live object
with a hostile __reduce__, and nothing here ever unpickles anything.
"""

import struct


class Pickle:
    """An opcode stream under construction; every method appends and returns self."""

    def __init__(self, protocol=None):
        self.data = bytearray()
        self.protocol = protocol or 0
        if protocol is not None and protocol >= 2:
            self.op(b"\x80", bytes([protocol]))

    def op(self, *parts):
        for part in parts:
            self.data += part
        return self

    def bytes(self):
        return bytes(self.data)

    # Structure
    def mark(self):
        return self.op(b"(")

    def stop(self):
        return self.op(b".")

    def pop(self):
        return self.op(b"0")

    def pop_mark(self):
        return self.op(b"1")

    def dup(self):
        return self.op(b"2")

    def frame(self, length):
        return self.op(b"\x95", struct.pack("<Q", length))

    # Constants
    def none(self):
        return self.op(b"N")

    def true(self):
        return self.op(b"\x88")

    def false(self):
        return self.op(b"\x89")

    def int(self, value):
        if self.protocol < 1:
            return self.int0(value)
        if 0 <= value < 256:
            return self.op(b"K", bytes([value]))
        if 0 <= value < 65536:
            return self.op(b"M", struct.pack("<H", value))
        return self.op(b"J", struct.pack("<i", value))

    def int0(self, value):
        """Protocol-0 INT (text)."""
        return self.op(b"I", str(value).encode(), b"\n")

    def float(self, value):
        return self.op(b"G", struct.pack(">d", value))

    def unicode(self, text):
        """A str in the opcode the declared protocol's pickler would use."""
        if self.protocol < 2:
            return self.unicode0(text)
        raw = text.encode("utf-8")
        if self.protocol >= 4 and len(raw) < 256:
            return self.op(b"\x8c", bytes([len(raw)]), raw)
        return self.op(b"X", struct.pack("<I", len(raw)), raw)

    def string0(self, text):
        """Protocol-0 STRING: a quoted repr on one line."""
        return self.op(b"S", repr(text).encode("ascii"), b"\n")

    def unicode0(self, text):
        """Protocol-0 UNICODE: raw-unicode-escape text on one line."""
        return self.op(b"V", text.encode("raw_unicode_escape"), b"\n")

    def binbytes(self, raw):
        if len(raw) < 256:
            return self.op(b"C", bytes([len(raw)]), raw)
        return self.op(b"B", struct.pack("<I", len(raw)), raw)

    # Collections
    def empty_tuple(self):
        return self.op(b")")

    def tuple(self):
        return self.op(b"t")

    def tuple1(self):
        return self.op(b"\x85")

    def tuple2(self):
        return self.op(b"\x86")

    def tuple3(self):
        return self.op(b"\x87")

    def empty_list(self):
        return self.op(b"]")

    def list0(self):
        return self.op(b"l")

    def append(self):
        return self.op(b"a")

    def appends(self):
        return self.op(b"e")

    def empty_dict(self):
        return self.op(b"}")

    def dict0(self):
        return self.op(b"d")

    def setitem(self):
        return self.op(b"s")

    def setitems(self):
        return self.op(b"u")

    # Memo
    def put(self, index):
        return self.op(b"p", str(index).encode(), b"\n")

    def get(self, index):
        return self.op(b"g", str(index).encode(), b"\n")

    def binput(self, index):
        return self.op(b"q", bytes([index]))

    def binget(self, index):
        return self.op(b"h", bytes([index]))

    def long_binput(self, index):
        return self.op(b"r", struct.pack("<I", index))

    def long_binget(self, index):
        return self.op(b"j", struct.pack("<I", index))

    def memoize(self):
        return self.op(b"\x94")

    # Globals and calls
    def global_(self, module, name):
        return self.op(b"c", module.encode(), b"\n", name.encode(), b"\n")

    def stack_global(self, module, name):
        return self.unicode(module).unicode(name).op(b"\x93")

    def inst(self, module, name):
        return self.op(b"i", module.encode(), b"\n", name.encode(), b"\n")

    def obj(self):
        return self.op(b"o")

    def reduce(self):
        return self.op(b"R")

    def build(self):
        return self.op(b"b")

    def newobj(self):
        return self.op(b"\x81")

    def newobj_ex(self):
        return self.op(b"\x92")

    def ext1(self, code):
        return self.op(b"\x82", bytes([code]))

    def binpersid(self):
        return self.op(b"Q")

    # Shapes used again and again
    def call(self, module, name, *args, protocol4=False):
        """module.name(*args) with string/int/bytes arguments, via GLOBAL or STACK_GLOBAL."""
        if protocol4:
            self.stack_global(module, name)
        else:
            self.global_(module, name)
        self.mark()
        for arg in args:
            self.value(arg)
        return self.tuple().reduce()

    def value(self, arg):
        if isinstance(arg, str):
            return self.unicode(arg)
        if isinstance(arg, bytes):
            return self.binbytes(arg)
        if isinstance(arg, bool):
            return self.true() if arg else self.false()
        if isinstance(arg, int):
            return self.int(arg)
        if arg is None:
            return self.none()
        raise TypeError(f"unsupported argument {arg!r}")


def call_pickle(module, name, *args, protocol=2, protocol4=None):
    """A whole pickle whose only content is module.name(*args)."""
    use_stack = protocol >= 4 if protocol4 is None else protocol4
    return Pickle(protocol).call(module, name, *args, protocol4=use_stack).stop().bytes()


def torch_state_dict(payload=None, protocol=2):
    """A PyTorch-style data.pkl: OrderedDict of one float tensor, plus optional payload bytes.

    `payload` is raw opcodes that leave one value on the stack (stored under key "extra").
    """
    p = Pickle(protocol)
    p.global_("collections", "OrderedDict").empty_tuple().reduce()
    p.mark()
    p.unicode("weight")
    p.global_("torch._utils", "_rebuild_tensor_v2")
    p.mark()
    p.mark().unicode("storage").global_("torch", "FloatStorage").unicode("0").unicode("cpu")
    p.int(4).tuple().binpersid()
    p.int(0).int(2).int(2).tuple2().int(2).int(1).tuple2().false()
    p.global_("collections", "OrderedDict").empty_tuple().reduce()
    p.tuple().reduce()
    if payload is not None:
        p.unicode("extra").op(payload)
    p.setitems().stop()
    return p.bytes()
