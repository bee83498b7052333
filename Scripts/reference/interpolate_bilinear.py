"""Run by ResizeTests: torch's F.interpolate(mode="bilinear", align_corners=False) of a raw float32 NHWC file.

Usage: interpolate_bilinear.py IN.f32 N H W C OUT_DIR HxW [HxW …]   (writes OUT_DIR/out-HxW.f32, NHWC float32)
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

src, n, h, w, c, out_dir, *sizes = sys.argv[1:]
x = np.fromfile(src, dtype=np.float32).reshape(int(n), int(h), int(w), int(c))
t = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
for size in sizes:
    oh, ow = (int(v) for v in size.split("x"))
    y = F.interpolate(t, size=(oh, ow), mode="bilinear", align_corners=False)
    y.permute(0, 2, 3, 1).contiguous().numpy().astype(np.float32).tofile(f"{out_dir}/out-{size}.f32")
