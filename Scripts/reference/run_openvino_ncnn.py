"""Runs exported OpenVINO IR and ncnn models with their own runtimes (the `openvino` and `ncnn` PyPI packages) for
the export tests, and describes them.

Usage: run_openvino_ncnn.py JOB.json
JOB.json: {"runs": [{"format": "openvino" | "ncnn", "model": "<folder>", "inputs": [{"file": "x.f32",
            "shape": [1, 3, 320, 320]}, ...], "out_dir": "dir"}, ...]}
Inputs are raw little-endian float32 NCHW. OpenVINO runs on CPU with INFERENCE_PRECISION_HINT=f32 (the plugin's
default may pick bf16 on CPUs that have it); ncnn runs with fp16/bf16 storage and arithmetic off, 2 threads; ncnn
has no batch axis, so each image of a batch is run on its own and the outputs are stacked. For run r and input i
the output goes to <out_dir>/out-<i>.f32 (float32, C order). Prints one `RESULT_JSON: {...}` line with, per run,
"describe" (OpenVINO: input/output names and partial shapes, op histogram, rt_info model_info, Const element types;
ncnn: layer/blob counts, layer-type histogram, input/output blob names) and "outputs" [{"file", "shape"}].
Nothing is written outside the given out_dirs.
"""

from __future__ import annotations

import collections
import glob
import json
import os
import sys

import numpy as np


def run_openvino(run):
    import openvino as ov

    core = ov.Core()
    xml = glob.glob(os.path.join(run["model"], "*.xml"))[0]
    model = core.read_model(xml)
    info = {}
    if model.has_rt_info("model_info"):
        for k, v in model.get_rt_info()["model_info"].items():
            info[k] = v.astype(str) if hasattr(v, "astype") else str(v)
    consts = collections.Counter(str(op.get_output_element_type(0)) for op in model.get_ops() if op.get_type_name() == "Constant")
    describe = {
        "runtime": ov.get_version(),
        "inputs": [[sorted(i.get_names()), str(i.get_partial_shape()), str(i.get_element_type())] for i in model.inputs],
        "outputs": [[sorted(o.get_names()), str(o.get_partial_shape()), str(o.get_element_type())] for o in model.outputs],
        "ops": dict(sorted(collections.Counter(op.get_type_name() for op in model.get_ops()).items())),
        "model_info": dict(sorted(info.items())),
        "const_types": dict(sorted(consts.items())),
    }
    compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": "2"})
    outputs = []
    for i, spec in enumerate(run.get("inputs", [])):
        x = np.fromfile(spec["file"], dtype="<f4").reshape(spec["shape"])
        y = compiled([x])[compiled.output(0)]
        outputs.append(save(run, i, y))
    return describe, outputs


def run_ncnn(run):
    import ncnn

    param = os.path.join(run["model"], "model.ncnn.param")
    lines = open(param).read().splitlines()
    layers = [line.split() for line in lines[2:] if line.strip()]
    net = ncnn.Net()
    net.opt.use_fp16_packed = False
    net.opt.use_fp16_storage = False
    net.opt.use_fp16_arithmetic = False
    net.opt.use_bf16_storage = False
    net.opt.num_threads = 2
    assert net.load_param(param) == 0, f"{param}: ncnn cannot load it"
    assert net.load_model(os.path.join(run["model"], "model.ncnn.bin")) == 0, f"{run['model']}: ncnn cannot load the bin"
    describe = {
        "runtime": ncnn.__version__,
        "magic": lines[0],
        "counts": [int(v) for v in lines[1].split()],
        "types": dict(sorted(collections.Counter(layer[0] for layer in layers).items())),
        "inputs": list(net.input_names()),
        "outputs": list(net.output_names()),
    }
    outputs = []
    for i, spec in enumerate(run.get("inputs", [])):
        x = np.fromfile(spec["file"], dtype="<f4").reshape(spec["shape"])
        ys = []
        for image in x:
            with net.create_extractor() as ex:
                ex.input(describe["inputs"][0], ncnn.Mat(np.ascontiguousarray(image)).clone())
                ret, out = ex.extract(describe["outputs"][0])
                assert ret == 0, f"ncnn extract failed with {ret}"
                ys.append(np.array(out))
        outputs.append(save(run, i, np.stack(ys)))
    net.clear()
    return describe, outputs


def save(run, i, y):
    out = os.path.join(run["out_dir"], f"out-{i}.f32")
    np.ascontiguousarray(y, dtype="<f4").tofile(out)
    return {"file": out, "shape": list(y.shape)}


def main():
    job = json.load(open(sys.argv[1]))
    result = {"runs": []}
    for run in job["runs"]:
        describe, outputs = (run_openvino if run["format"] == "openvino" else run_ncnn)(run)
        result["runs"].append({"model": run["model"], "describe": describe, "outputs": outputs})
    print("RESULT_JSON: " + json.dumps(result))


if __name__ == "__main__":
    main()
