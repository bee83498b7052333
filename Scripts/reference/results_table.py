"""`Results.to_json()` and `Results.to_csv()` of Ultralytics 8.4.190 for one prediction, as the reference writes them.

Writes Tests/Fixtures/predict/results-table.json: overfit-n-pose.pt on coco8-pose val 000000000136.jpg (default
predict arguments), plain and normalized. Run: /path/to/refvenv/bin/python Scripts/reference/results_table.py
"""
import json
import os

os.environ.setdefault("YOLO_OFFLINE", "1")
from ultralytics import YOLO  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "../.."))
image = os.path.normpath(os.path.join(ROOT, "../shared/datasets/coco8-pose/images/val/000000000136.jpg"))
r = YOLO(os.path.join(ROOT, "Tests/Fixtures/overfit-n-pose.pt")).predict(image, verbose=False)[0]
out = dict(generator="Scripts/reference/results_table.py", image="val/000000000136.jpg", detections=len(r),
           json=r.to_json(), csv=r.to_csv(), json_normalized=r.to_json(normalize=True),
           csv_normalized=r.to_csv(normalize=True))
with open(os.path.join(ROOT, "Tests/Fixtures/predict/results-table.json"), "w") as f:
    json.dump(out, f, indent=1)
print(len(r), "detections")
