"""Benign fixtures made by the real libraries (torch, scikit-learn, joblib, numpy, h5py, onnx)
plus formats simple enough to write by hand (safetensors, GGUF, Keras v3 zip)."""

import collections
import io
import json
import pickle
import pickletools
import struct
import zipfile

import h5py
import joblib
import numpy as np
import torch
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_iris
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from containers import gguf_bytes, safetensors_bytes

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def build(out):
    """Writes every benign fixture through `out(path, why, data=None)`; returns nothing."""
    _torch(out)
    _sklearn(out)
    _numpy(out)
    _keras(out)
    _onnx(out)
    _handwritten(out)
    _pickles(out)


class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.norm = torch.nn.BatchNorm1d(8)
        self.fc2 = torch.nn.Linear(8, 3)


def _torch(out):
    torch.manual_seed(0)
    state = _Net().state_dict()
    torch.save(state, out("torch_state_dict.pt", "torch.save of an nn.Module state_dict (zip)"))
    legacy = io.BytesIO()
    torch.save(state, legacy, _use_new_zipfile_serialization=False)
    out("torch_state_dict_legacy.pt", "torch.save legacy (non-zip) stream of a state_dict",
        _stable_storage_keys(legacy.getvalue()))
    dtypes = collections.OrderedDict(
        f32=torch.arange(6, dtype=torch.float32).reshape(2, 3),
        f64=torch.linspace(0, 1, 4, dtype=torch.float64),
        f16=torch.ones(3, dtype=torch.float16),
        bf16=torch.zeros(2, dtype=torch.bfloat16),
        i64=torch.arange(5),
        i32=torch.arange(3, dtype=torch.int32),
        u8=torch.arange(4, dtype=torch.uint8),
        flag=torch.tensor([True, False]),
        view=torch.arange(10, dtype=torch.float32)[2:6],
    )
    torch.save(dtypes, out("torch_dtypes.pt", "torch.save of tensors in nine dtypes and a view"))
    checkpoint = {"epoch": 3, "model": state, "optimizer": {"lr": 0.01, "betas": (0.9, 0.999)}}
    torch.save(checkpoint, out("torch_checkpoint.pth", "training checkpoint: nested dicts, tuple"))


ELEMENT_SIZE = {"FloatStorage": 4, "LongStorage": 8}


def _stable_storage_keys(stream):
    """The legacy format names storages by memory address and sorts them by it; rename them
    0, 1, ... in order of first use and reorder their data so every run gives the same bytes.
    Stream: magic, version, sys_info, model and key-list pickles, then each storage's data."""
    starts = [0]
    for _ in range(5):
        *_, last = pickletools.genops(stream[starts[-1]:])
        starts.append(starts[-1] + last[2] + 1)
    memo, pushed = {}, []
    for op, arg, _ in pickletools.genops(stream[starts[3]:starts[4]]):
        if op.name == "BINPUT":
            memo[arg] = pushed[-1]
        else:
            pushed.append(memo.get(arg) if op.name == "BINGET" else arg)
    kinds = {}
    for at, value in enumerate(pushed):
        if value == "storage":
            kinds.setdefault(pushed[at + 2], pushed[at + 1].split()[1])
    listed = pickle.loads(stream[starts[4]:starts[5]])  # a list of str, written by torch above
    blocks, at = {}, starts[5]
    for key in listed:
        (count,) = struct.unpack("<q", stream[at:at + 8])
        end = at + 8 + count * ELEMENT_SIZE[kinds[key]]
        blocks[key], at = stream[at:end], end
    model = stream[starts[3]:starts[4]]
    for index, key in enumerate(kinds):
        old, new = key.encode(), str(index).encode()
        model = model.replace(b"X" + struct.pack("<I", len(old)) + old,
                              b"X" + struct.pack("<I", len(new)) + new)
    order = [str(i) for i in range(len(kinds))]
    return (stream[:starts[3]] + model + pickle.dumps(order, protocol=2)
            + b"".join(blocks[key] for key in kinds))


def _sklearn(out):
    x, y = load_iris(return_X_y=True)
    models = {
        "logistic_regression": LogisticRegression(max_iter=200).fit(x, y),
        "random_forest": RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(x, y),
        "pipeline_scaler_lr": Pipeline(
            [("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=200))]
        ).fit(x, y),
        "gradient_boosting": GradientBoostingClassifier(
            n_estimators=3, max_depth=2, random_state=0
        ).fit(x, y),
    }
    for name, model in models.items():
        kind = type(model).__name__
        with open(out(f"sklearn_{name}.pkl", f"scikit-learn {kind} pickled with pickle"), "wb") as f:
            pickle.dump(model, f)
    rf = models["random_forest"]
    joblib.dump(rf, out("joblib_random_forest.joblib", "joblib.dump of a RandomForest, plain"))
    for method in ("zlib", "gzip", "bz2", "xz", "lzma"):
        path = out(f"joblib_lr_{method}.joblib", f"joblib.dump of a LogisticRegression, {method}")
        joblib.dump(models["logistic_regression"], path, compress=(method, 3))
    # joblib's gzip writer stamps the current time into the gzip header; zero it.
    _zero_gzip_mtime(out.path("joblib_lr_gzip.joblib"))


def _zero_gzip_mtime(path):
    with open(path, "r+b") as f:
        f.seek(4)
        f.write(b"\x00\x00\x00\x00")


def _numpy(out):
    np.save(out("numpy_float.npy", "numeric .npy"), np.arange(12, dtype=np.float32).reshape(3, 4))
    objects = np.array([1, "two", {"three": 3.0}, [4, 5], None], dtype=object)
    np.save(out("numpy_object.npy", "object-dtype .npy of plain Python values"), objects)
    arrays = {"a": np.arange(5), "b": np.eye(3), "c": np.array(["x", "y"])}
    np.savez(out("numpy_arrays.npz", "np.savez of three numeric arrays"), **arrays)
    np.savez_compressed(out("numpy_compressed.npz", "np.savez_compressed"), **arrays)


def _keras_h5_config():
    dense = {
        "name": "dense", "trainable": True, "dtype": "float32", "units": 2,
        "activation": "relu", "use_bias": True,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None,
    }
    return {
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4],
                 "dtype": "float32", "sparse": False, "ragged": False, "name": "dense_input"}},
                {"class_name": "Dense", "config": dense},
            ],
        },
    }


def keras_h5(config):
    """A Keras 2 style HDF5 model file with `config` as its model_config attribute."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.attrs["keras_version"] = "2.11.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = [b"dense"]
        dense = weights.create_group("dense/dense")
        dense.create_dataset("kernel:0", data=np.full((4, 2), 0.5, dtype=np.float32), track_times=False)
        dense.create_dataset("bias:0", data=np.zeros(2, dtype=np.float32), track_times=False)
    return buffer.getvalue()


def keras_v3_config(layers):
    """A Keras 3 config.json for a Sequential model of `layers`."""
    return {
        "module": "keras", "class_name": "Sequential", "registered_name": None,
        "config": {"name": "sequential", "trainable": True, "layers": layers,
                   "dtype": {"module": "keras", "class_name": "DTypePolicy",
                             "config": {"name": "float32"}, "registered_name": None}},
        "build_config": {"input_shape": [None, 4]}, "compile_config": None,
    }


def keras_dense_v3():
    return {
        "module": "keras.layers", "class_name": "Dense", "registered_name": None,
        "config": {"name": "dense", "trainable": True, "units": 2, "activation": "relu",
                   "use_bias": True,
                   "kernel_initializer": {"module": "keras.initializers",
                                          "class_name": "GlorotUniform",
                                          "config": {"seed": None}, "registered_name": None}},
        "build_config": {"input_shape": [None, 4]},
    }


def keras_v3_zip(config):
    """A .keras archive as Keras 3 writes it: config.json, metadata.json, model.weights.h5."""
    weights = io.BytesIO()
    with h5py.File(weights, "w") as f:
        group = f.create_group("layers/dense/vars")
        group.create_dataset("0", data=np.full((4, 2), 0.5, dtype=np.float32), track_times=False)
        group.create_dataset("1", data=np.zeros(2, dtype=np.float32), track_times=False)
    members = {
        "metadata.json": json.dumps({"keras_version": "3.3.3", "date_saved": "2024-05-01@12:00:00"}),
        "config.json": json.dumps(config),
        "model.weights.h5": weights.getvalue(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2024, 5, 1, 12, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _keras(out):
    out("keras_sequential.h5", "Keras HDF5 with a Sequential/Dense model_config",
        keras_h5(_keras_h5_config()))
    out("keras_sequential.keras", "Keras v3 zip with a Sequential/Dense config",
        keras_v3_zip(keras_v3_config([keras_dense_v3()])))


def onnx_mlp(external=None, extra_nodes=(), domains=()):
    """A 4-8-3 MLP. `external` stores w1 as external data at that relative location."""
    rng = np.random.default_rng(0)
    w1 = numpy_helper.from_array(rng.standard_normal((4, 8)).astype(np.float32), "w1")
    w2 = numpy_helper.from_array(rng.standard_normal((8, 3)).astype(np.float32), "w2")
    raw = None
    if external is not None:
        raw = w1.raw_data
        w1.ClearField("raw_data")
        w1.data_location = TensorProto.EXTERNAL
        for key, value in (("location", external), ("offset", "0"), ("length", str(len(raw)))):
            w1.external_data.add(key=key, value=value)
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h"]),
        helper.make_node("Relu", ["h"], ["r"]),
        helper.make_node("MatMul", ["r", "w2"], ["y"]),
        *extra_nodes,
    ]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
        initializer=[w1, w2],
    )
    opsets = [helper.make_opsetid("", 13)] + [helper.make_opsetid(d, 1) for d in domains]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="rampart-fixtures")
    model.ir_version = 8
    return model.SerializeToString(), raw


def _onnx(out):
    data, _ = onnx_mlp()
    out("onnx_mlp.onnx", "ONNX MLP made with onnx.helper", data)
    data, raw = onnx_mlp(external="onnx_external.data")
    out("onnx_external.onnx", "ONNX MLP with w1 in external data at a relative path", data)
    out("onnx_external.data", "raw float32 external data of onnx_external.onnx", raw)


def _handwritten(out):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(4, dtype=np.int64)
    tensors = {"a": ("F32", [2, 3], a.tobytes()), "b": ("I64", [4], b.tobytes())}
    out("model.safetensors", "safetensors: two tensors, metadata, contiguous offsets",
        safetensors_bytes(tensors, metadata={"format": "pt"}))
    meta = {
        "general.architecture": "llama",
        "general.name": "rampart-tiny",
        "general.alignment": 32,
        "tokenizer.ggml.model": "llama",
        "tokenizer.ggml.tokens": ["<s>", "</s>", "hi"],
        "tokenizer.chat_template": CHAT_TEMPLATE,
    }
    out("tiny.gguf", "GGUF v3 with a ChatML chat template", gguf_bytes(meta))
    config = {"model_max_length": 2048, "bos_token": "<s>", "eos_token": "</s>",
              "chat_template": CHAT_TEMPLATE, "tokenizer_class": "LlamaTokenizer"}
    out("tokenizer_config.json", "tokenizer_config.json with a ChatML chat template",
        json.dumps(config, indent=2).encode())


def _pickles(out):
    value = {"name": "rampart", "sizes": [1, 2, 3], "nested": {"pi": 3.14, "ok": True},
             "raw": b"\x00\x01", "pair": (1, "a"), "none": None, "big": 2**70}
    for protocol in range(6):
        data = pickle.dumps(value, protocol=protocol)
        out(f"plain_dict_p{protocol}.pkl", f"plain dict pickled with protocol {protocol}", data)
    ordered = collections.OrderedDict([("b", 1), ("a", [2.5, "x"])])
    out("ordered_dict_p2.pkl", "collections.OrderedDict, protocol 2", pickle.dumps(ordered, 2))
    out("list_p4.pkl", "list of floats and strings, protocol 4",
        pickle.dumps([0.5 * i for i in range(50)] + ["end"], protocol=4))
