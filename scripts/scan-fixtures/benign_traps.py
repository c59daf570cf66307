"""Benign files that bait naive scanners: dangerous-looking strings that nothing runs, names
that merely contain "..", standard ONNX domains, nested Keras models without a Lambda."""

import io
import json
import pickle

import torch
from onnx import helper

from benign import _Net, keras_dense_v3, keras_v3_zip, onnx_mlp
from containers import Entry, gguf_bytes, safetensors_bytes, zip_bytes


def build(out):
    """Writes every trap through `out`."""
    text = {"doc": "never call os.system('rm -rf /') or eval() on user input",
            "module": "subprocess", "name": "Popen", "code": "__import__('os').system('id')"}
    out("traps/dangerous_strings.pkl", "plain dict whose strings mention os.system, eval, Popen",
        pickle.dumps(text, protocol=4))
    torch.manual_seed(0)
    params = io.BytesIO()
    torch.save({"params": list(_Net().parameters())}, params)
    out("traps/torch_parameters.pt", "torch.save of nn.Parameters (torch._utils._rebuild_parameter)",
        params.getvalue())
    out("traps/dotdot_in_name.zip", "zip member names containing '..' inside a segment, no traversal",
        zip_bytes([Entry("notes/v1..v2.txt", b"changelog\n"), Entry("a..b/readme.md", b"# hi\n")]))
    normalizer = helper.make_node("Normalizer", ["y"], ["z"], domain="ai.onnx.ml", norm="L2")
    data, _ = onnx_mlp(extra_nodes=[normalizer], domains=["ai.onnx.ml"])
    out("traps/onnx_ml_domain.onnx", "ONNX graph with a node from the standard ai.onnx.ml domain", data)
    inner = {"module": "keras", "class_name": "Functional", "registered_name": None,
             "config": {"name": "inner", "trainable": True, "layers": [keras_dense_v3()]}}
    outer = {"module": "keras", "class_name": "Functional", "registered_name": None,
             "config": {"name": "outer", "trainable": True, "layers": [inner]}}
    out("traps/keras_nested_functional.keras", "Keras v3: Functional nested in Functional, no Lambda",
        keras_v3_zip(outer))
    metadata = {"format": "pt", "description": "trained with subprocess-free code; see eval.py"}
    out("traps/safetensors_metadata.safetensors", "safetensors whose metadata mentions eval and subprocess",
        safetensors_bytes({"w": ("F16", [2], bytes(4))}, metadata=metadata))
    out("traps/gguf_no_template.gguf", "GGUF without a chat template",
        gguf_bytes({"general.architecture": "llama", "general.name": "plain"}))
    template = ("{% for m in messages %}{{ m['role'] | upper }}: {{ m['content'] | trim }}\n"
                "{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}")
    config = {"chat_template": [{"name": "default", "template": template},
                                {"name": "tool_use", "template": template + "{{ tools | tojson }}"}]}
    out("traps/tokenizer_config_templates.json", "tokenizer_config.json with a list of named templates",
        json.dumps(config, indent=2).encode())
