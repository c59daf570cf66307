"""Malicious non-pickle model formats: Keras Lambda and module tricks, ONNX external data and
custom domains, Jinja chat-template injection (CVE-2024-34359), broken safetensors, SavedModel
file ops and an unscannable 7z archive."""

import base64
import json
import struct

from onnx import helper

from benign import keras_dense_v3, keras_h5, keras_v3_config, keras_v3_zip, onnx_mlp
from containers import gguf_bytes, safetensors_bytes, torch_zip
from malicious_archives import EVIL_STATE
from savedmodel import READ_WRITE, saved_model

# CVE-2024-34359 (llama-cpp-python): a chat template that reaches os.popen.
SSTI = (
    "{% for x in ().__class__.__base__.__subclasses__() %}"
    "{% if \"warning\" in x.__name__ %}"
    "{{ x()._module.__builtins__['__import__']('os').popen(\"echo rampart-fixture\").read() }}"
    "{% endif %}{% endfor %}"
)
# Stands in for marshalled bytecode; never real code.
FAKE_CODE = base64.b64encode(b"\xe3rampart-fixture-not-bytecode").decode()


def _h5_input(name):
    return {"class_name": "InputLayer", "name": name, "inbound_nodes": [],
            "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": name}}


def _h5_lambda_nested():
    lam = {"class_name": "Lambda", "name": "lambda", "inbound_nodes": [[["inner_input", 0, 0, {}]]],
           "config": {"name": "lambda", "function": [FAKE_CODE, None, None],
                      "function_type": "lambda", "module": "__main__", "output_shape": None}}
    inner = {"class_name": "Functional", "name": "inner",
             "inbound_nodes": [[["outer_input", 0, 0, {}]]],
             "config": {"name": "inner", "layers": [_h5_input("inner_input"), lam],
                        "input_layers": [["inner_input", 0, 0]],
                        "output_layers": [["lambda", 0, 0]]}}
    return {"class_name": "Functional",
            "config": {"name": "outer", "layers": [_h5_input("outer_input"), inner],
                       "input_layers": [["outer_input", 0, 0]], "output_layers": [["inner", 0, 0]]}}


def _h5_module():
    dense = {"name": "dense", "units": 2,
             "activation": {"module": "subprocess", "class_name": "function",
                            "config": "Popen", "registered_name": "function"}}
    return {"class_name": "Sequential",
            "config": {"name": "sequential", "layers": [_h5_input("x"),
                                                          {"class_name": "Dense", "config": dense}]}}


def _v3_functional(name, layers):
    return {"module": "keras", "class_name": "Functional", "registered_name": None,
            "config": {"name": name, "trainable": True, "layers": layers}}


def _keras(out):
    out("keras/lambda_nested.h5", "Lambda layer inside a Functional model nested in another (CVE-2024-3660)",
        keras_h5(_h5_lambda_nested()), rule="RS304")
    out("keras/module_subprocess.h5", "activation deserialised from module subprocess (CVE-2025-1550)",
        keras_h5(_h5_module()), rule="RS305")
    lam = {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
           "config": {"name": "lambda", "function": {"class_name": "__lambda__",
                                                     "config": {"code": FAKE_CODE, "defaults": None,
                                                                "closure": None}}}}
    nested = _v3_functional("outer", [_v3_functional("inner", [keras_dense_v3(), lam])])
    out("keras/lambda_nested.keras", "Keras v3: Lambda inside a nested Functional model",
        keras_v3_zip(nested), rule="RS304")
    dense = keras_dense_v3()
    dense["config"]["activation"] = {"module": "os", "class_name": "function", "config": "system",
                                     "registered_name": "system"}
    out("keras/module_os.keras", "Keras v3: an activation resolved from module os (CVE-2025-1550)",
        keras_v3_zip(keras_v3_config([dense])), rule="RS305")
    wrapper = {"module": "keras.layers", "class_name": "TorchModuleWrapper", "registered_name": None,
               "config": {"name": "torch_module_wrapper",
                          "module": base64.b64encode(torch_zip(EVIL_STATE)).decode()}}
    out("keras/torch_module_wrapper.keras",
        "Keras v3 TorchModuleWrapper carrying a torch.save blob (CVE-2025-49655)",
        keras_v3_zip(keras_v3_config([wrapper])))


def _onnx(out):
    data, _ = onnx_mlp(external="../../etc/passwd")
    out("onnx/external_traversal.onnx", "external data location ../../etc/passwd", data, rule="RS307")
    data, _ = onnx_mlp(external="/etc/passwd")
    out("onnx/external_absolute.onnx", "external data at the absolute path /etc/passwd", data,
        rule="RS307")
    custom = helper.make_node("EvilOp", ["y"], ["z"], domain="com.evil.ops")
    data, _ = onnx_mlp(extra_nodes=[custom], domains=["com.evil.ops"])
    out("onnx/custom_domain.onnx", "an operator from the custom domain com.evil.ops", data, rule="RS308")


def _templates(out):
    meta = {"general.architecture": "llama", "general.name": "ssti", "general.alignment": 32,
            "tokenizer.chat_template": SSTI}
    out("template/ssti.gguf", "GGUF whose tokenizer.chat_template is the CVE-2024-34359 payload",
        gguf_bytes(meta), rule="RS303")
    named = {"general.architecture": "llama", "general.name": "ssti",
             "tokenizer.chat_template": "{{ messages[0]['content'] }}",
             "tokenizer.chat_template.tool_use": SSTI}
    out("template/ssti_named.gguf", "GGUF whose named template tokenizer.chat_template.tool_use is the payload",
        gguf_bytes(named), rule="RS303")
    config = {"model_max_length": 2048, "chat_template": SSTI, "tokenizer_class": "LlamaTokenizer"}
    out("template/tokenizer_config.json", "tokenizer_config.json with the CVE-2024-34359 template",
        json.dumps(config, indent=2).encode(), rule="RS303")
    listed = {"chat_template": [{"name": "default", "template": "{{ messages[0]['content'] }}"},
                                {"name": "rag", "template": SSTI}]}
    out("template/tokenizer_config_list.json", "chat_template as a list of named templates, one the payload",
        json.dumps(listed, indent=2).encode(), rule="RS303")


def _safetensors(out):
    data = bytes(48)
    overlap = json.dumps({"a": {"dtype": "F32", "shape": [6], "data_offsets": [0, 24]},
                          "b": {"dtype": "F32", "shape": [6], "data_offsets": [16, 40]}})
    out("safetensors/overlap.safetensors", "two tensors whose byte ranges overlap",
        safetensors_bytes({}, raw_header=overlap, data=data[:40]), rule="RS301")
    good = safetensors_bytes({"a": ("F32", [2], bytes(8))})
    past = struct.pack("<Q", 10_000_000) + good[8:]
    out("safetensors/header_past_eof.safetensors", "declared header length runs past the end of the file",
        past, rule="RS301")
    shape = json.dumps({"a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}})
    out("safetensors/shape_mismatch.safetensors", "F32 [2, 3] needs 24 bytes but offsets give 20",
        safetensors_bytes({}, raw_header=shape, data=data[:20]), rule="RS301")


def build(out):
    """Writes every malicious non-pickle model through `out`."""
    _keras(out)
    _onnx(out)
    _templates(out)
    _safetensors(out)
    out("savedmodel/saved_model.pb", "SavedModel graph with ReadFile and WriteFile ops",
        saved_model(READ_WRITE), rule="RS306")
    out("archive/payload.7z", "7z archive (signature and start header only): cannot be scanned",
        b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(24) + b"rampart-fixture", rule="RS205")
