#!/usr/bin/python3
"""Trains the demo iris classifier and exports it as ONNX (fixtures/demo/).

Run from the repository root with Debian's Python (python3-sklearn, python3-onnx,
python3-numpy):

    /usr/bin/python3 scripts/demo-model/train.py

The graph is built by hand with onnx.helper (no skl2onnx): input `input` FP32 [N, 4];
outputs `probabilities` FP32 [N, 3] (MatMul + Add + Softmax) and `label` INT64 [N]
(ArgMax over the logits, keepdims 0); opset 13. The run is deterministic: a fixed seed for
the split, and lbfgs (which has no randomness) for the fit.
"""

import json
import os
import sys

import numpy as np
import onnx
import sklearn
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

SEED = 7
TEST_SIZE = 0.3
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "demo")


def train():
    """Fits multinomial logistic regression on a stratified split of iris."""
    iris = load_iris()
    x_train, x_test, y_train, y_test = train_test_split(
        iris.data, iris.target, test_size=TEST_SIZE, random_state=SEED, stratify=iris.target
    )
    model = LogisticRegression(max_iter=1000)
    model.fit(x_train, y_train)
    return iris, model, x_test, y_test


def build_graph(model):
    """Builds the ONNX graph for the fitted model's linear layer + softmax + argmax."""
    weights = model.coef_.T.astype(np.float32)  # [4, 3]
    bias = model.intercept_.astype(np.float32)  # [3]
    nodes = [
        helper.make_node("MatMul", ["input", "weights"], ["scores"], name="matmul"),
        helper.make_node("Add", ["scores", "bias"], ["logits"], name="add"),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=-1),
        helper.make_node("ArgMax", ["logits"], ["label"], name="argmax", axis=1, keepdims=0),
    ]
    graph = helper.make_graph(
        nodes,
        "iris_classifier",
        inputs=[helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4])],
        outputs=[
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 3]),
            helper.make_tensor_value_info("label", TensorProto.INT64, ["batch"]),
        ],
        initializer=[
            numpy_helper.from_array(weights, "weights"),
            numpy_helper.from_array(bias, "bias"),
        ],
    )
    onnx_model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 13)],
        producer_name="rampart-demo",
        producer_version="1",
        doc_string="Iris classifier (multinomial logistic regression); see fixtures/demo/README.md.",
    )
    onnx_model.ir_version = 8
    onnx.checker.check_model(onnx_model, full_check=True)
    return onnx_model


def graph_predict(model, x):
    """Evaluates the exported graph's arithmetic in float32 with NumPy (no onnxruntime in Python)."""
    logits = x.astype(np.float32) @ model.coef_.T.astype(np.float32) + model.intercept_.astype(
        np.float32
    )
    return np.argmax(logits, axis=1)


def to_json(value, indent=""):
    """JSON laid out as Prettier lays it out (objects expanded, short scalar lists inline)."""
    if isinstance(value, dict):
        inner = indent + "  "
        items = [f"{inner}{json.dumps(key)}: {to_json(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    return json.dumps(value)


def main():
    iris, model, x_test, y_test = train()
    onnx_model = build_graph(model)
    predicted = graph_predict(model, x_test)
    # The exported arithmetic must agree with sklearn on every held-out row.
    if not np.array_equal(predicted, model.predict(x_test)):
        sys.exit("exported graph disagrees with sklearn on the held-out rows")
    accuracy = float(np.mean(predicted == y_test))
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "iris-classifier.onnx"), "wb") as out:
        out.write(onnx_model.SerializeToString())
    evaluation = {
        "dataset": "iris (sklearn.datasets.load_iris, 150 rows, 3 classes)",
        "classes": [str(name) for name in iris.target_names],
        "metric": "accuracy",
        "value": round(accuracy, 6),
        "samples": int(len(y_test)),
        "held_out_split": {"test_size": TEST_SIZE, "stratified": True},
        "seed": SEED,
        "sklearn_version": sklearn.__version__,
        "onnx_version": onnx.__version__,
        "numpy_version": np.__version__,
    }
    with open(os.path.join(OUT_DIR, "evaluation.json"), "w", encoding="utf-8") as out:
        out.write(to_json(evaluation) + "\n")
    print(json.dumps(evaluation))


if __name__ == "__main__":
    main()
