"""Runs ONNX models with ONNX Runtime (CPU) for the export tests and describes them.

Usage: run_onnx.py JOB.json
JOB.json: {"runs": [{"model": "a.onnx", "inputs": [{"file": "x.f32", "shape": [1, 3, 320, 320]}, ...],
                     "out_dir": "dir"}, ...]}
Inputs are raw little-endian float32 (NCHW). For run r and input i the output is written to
<out_dir>/out-<i>.f32 (float32, C order). Prints one `RESULT_JSON: {...}` line:
{"runs": [{"model", "describe": {...}, "outputs": [{"file", "shape"}, ...]}]} where describe holds the model's
ir_version, opset, producer, input/output names with dims (int or symbolic name), metadata_props, op histogram,
node and initializer counts and initializer data types. Nothing is written outside the given out_dirs.
"""

from __future__ import annotations

import collections
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort


def dims(value_info):
    out = []
    for d in value_info.type.tensor_type.shape.dim:
        out.append(d.dim_param if d.HasField("dim_param") else int(d.dim_value))
    return out


def describe(path):
    m = onnx.load(path)
    g = m.graph
    return {
        "ir_version": m.ir_version,
        "opset": [[o.domain, o.version] for o in m.opset_import],
        "producer": [m.producer_name, m.producer_version],
        "graph_name": g.name,
        "inputs": [[i.name, i.type.tensor_type.elem_type, dims(i)] for i in g.input],
        "outputs": [[o.name, o.type.tensor_type.elem_type, dims(o)] for o in g.output],
        "metadata": [[p.key, p.value] for p in m.metadata_props],
        "ops": dict(sorted(collections.Counter(n.op_type for n in g.node).items())),
        "nodes": len(g.node),
        "initializers": len(g.initializer),
        "initializer_types": dict(sorted(collections.Counter(str(t.data_type) for t in g.initializer).items())),
        "value_info": len(g.value_info),
        "checker": check(m),
    }


def check(m):
    try:
        onnx.checker.check_model(m, full_check=True)
        return "ok"
    except Exception as e:  # noqa: BLE001 - reported to the test
        return f"{type(e).__name__}: {e}"


def main():
    job = json.load(open(sys.argv[1]))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = int(os.environ.get("ORT_THREADS", "2"))
    opts.log_severity_level = 3
    result = {"onnxruntime": ort.__version__, "runs": []}
    for run in job["runs"]:
        entry = {"model": run["model"], "describe": describe(run["model"]), "outputs": []}
        sess = ort.InferenceSession(run["model"], opts, providers=["CPUExecutionProvider"])
        name = sess.get_inputs()[0].name
        for i, spec in enumerate(run.get("inputs", [])):
            x = np.fromfile(spec["file"], dtype="<f4").reshape(spec["shape"])
            y = sess.run(None, {name: x})[0]
            out = os.path.join(run["out_dir"], f"out-{i}.f32")
            np.ascontiguousarray(y, dtype="<f4").tofile(out)
            entry["outputs"].append({"file": out, "shape": list(y.shape)})
        result["runs"].append(entry)
    print("RESULT_JSON: " + json.dumps(result))


if __name__ == "__main__":
    main()
