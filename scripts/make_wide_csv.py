"""Write the wide CSV fixtures of tests/fixtures/csv/ (issue #18), from NumPy alone:

- tumours_30.csv: 400 rows x 30 measurements -> benign / malignant, shaped like the breast
  cancer set (correlated features of different scales, two overlapping classes);
- digits_64.csv: 1,500 rows x 64 pixel intensities 0..16 -> ten digits, shaped like the 8x8
  digits set (a blurred prototype per class plus noise); 300 validation rows at the default
  split, more than the 256 rows the old confusion matrix sampled.

    python scripts/make_wide_csv.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "csv"


def tumours(rng: np.random.Generator) -> None:
    n, d = 400, 30
    label = rng.random(n) < 0.37
    mix = rng.normal(size=(4, d))
    latent = rng.normal(size=(n, 4)) + np.outer(label, [1.6, -0.8, 0.5, 0.0])
    scales = np.exp(rng.uniform(-2, 4, d))
    x = (latent @ mix + 0.6 * rng.normal(size=(n, d))) * scales + 3 * scales
    names = [
        f"{stat} {what}"
        for stat in ("mean", "se", "worst")
        for what in (
            "radius",
            "texture",
            "perimeter",
            "area",
            "smoothness",
            "compactness",
            "concavity",
            "concave points",
            "symmetry",
            "fractal dimension",
        )
    ]
    lines = [",".join(names + ["diagnosis"])]
    for row, malignant in zip(x, label):
        lines.append(
            ",".join(f"{v:.4g}" for v in row) + ("," + ("malignant" if malignant else "benign"))
        )
    (OUT / "tumours_30.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def digits(rng: np.random.Generator) -> None:
    n = 1500
    prototypes = rng.random((10, 8, 8)) ** 2 * 16
    label = np.arange(n) % 10
    rng.shuffle(label)
    x = prototypes[label] + rng.normal(scale=4.0, size=(n, 8, 8))
    x = np.clip(np.rint(x), 0, 16).astype(int).reshape(n, 64)
    names = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    lines = [",".join(names + ["digit"])]
    for row, k in zip(x, label):
        lines.append(",".join(map(str, row)) + f",d{k}")
    (OUT / "digits_64.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    generator = np.random.default_rng(18)
    tumours(generator)
    digits(generator)
