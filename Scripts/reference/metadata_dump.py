"""Encodes a metadata dict the way the reference's exporters do, for MetadataEncodingTests.

Usage: metadata_dump.py FILE  (FILE holds a Python literal dict, e.g. our MetadataValue.pythonRepr)
Prints `RESULT_JSON: {"yaml": yaml.safe_dump(d, sort_keys=False, allow_unicode=True), "json": json.dumps(d),
"str": [[key, str(value)], ...]}` — metadata.yaml (OpenVINO/NCNN/… folders), TorchScript/MNN JSON, ONNX props.
"""

import ast
import json
import sys

import yaml

d = ast.literal_eval(open(sys.argv[1], encoding="utf-8").read())
print("RESULT_JSON: " + json.dumps({
    "yaml": yaml.safe_dump(d, sort_keys=False, allow_unicode=True),
    "json": json.dumps(d),
    "str": [[k, str(v)] for k, v in d.items()],
}))
