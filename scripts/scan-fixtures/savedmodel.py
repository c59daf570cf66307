"""TensorFlow SavedModel protobufs written at the wire level (no TensorFlow needed):
SavedModel{1: schema version, 2: MetaGraphDef{1: MetaInfoDef{4: tags}, 2: GraphDef{1: NodeDef}}},
NodeDef{1: name, 2: op, 3: input}."""


def _varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number, payload):
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    if isinstance(payload, str):
        payload = payload.encode()
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _node(name, op, *inputs):
    return _field(1, name) + _field(2, op) + b"".join(_field(3, i) for i in inputs)


def saved_model(nodes):
    """A saved_model.pb whose one graph holds `nodes`: (name, op, *inputs) tuples."""
    graph = b"".join(_field(1, _node(*node)) for node in nodes)
    meta_graph = _field(1, _field(4, "serve")) + _field(2, graph)
    return _field(1, 1) + _field(2, meta_graph)


BENIGN = [("x", "Placeholder"), ("w", "Const"), ("y", "MatMul", "x", "w"), ("out", "Identity", "y")]
READ_WRITE = [
    ("path", "Const"),
    ("contents", "ReadFile", "path"),
    ("target", "Const"),
    ("write", "WriteFile", "target", "contents"),
    ("out", "Identity", "contents"),
]
