"""Writes Fixtures/quant/input.f32: 8 rows x 512 little-endian f32 values covering what the
k-quant searches branch on (see Fixtures/README.md). Deterministic (numpy seed 17)."""
import pathlib
import sys

import numpy as np

rng = np.random.default_rng(17)
cols = 512
rows = [
    rng.standard_normal(cols),                        # unit gaussian
    rng.standard_normal(cols) * 0.02,                 # weight-like scale
    rng.uniform(-1, 1, cols),                         # uniform
    rng.standard_normal(cols) * np.where(rng.uniform(size=cols) < 0.03, 40.0, 1.0),  # outliers
    np.abs(rng.standard_normal(cols)) + 0.5,          # all positive (min > 0 paths)
    -np.abs(rng.standard_normal(cols)),               # all negative
    rng.standard_normal(cols) * 1e-6,                 # tiny: subnormal f16 scales
    rng.standard_normal(cols) * 3e3,                  # large
]
special = np.zeros(cols)
special[32:64] = 0.25                                 # constant block
special[64:96] = rng.standard_normal(32) * 1e-17      # below GROUP_MAX_EPS
special[96:128] = np.where(np.arange(32) % 2 == 0, 1.0, -1.0)
special[256:512] = np.round(rng.standard_normal(256) * 4) / 4   # coarse grid values, many ties
rows.append(special)
data = np.stack(rows).astype("<f4")
out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).with_name("input.f32"))
out.write_bytes(data.tobytes())
print(f"wrote {out}: {data.shape[0]} rows x {cols}")
