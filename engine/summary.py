"""summary(): Keras 3's table of a Sequential model's layers, output shapes and parameter
counts, or, before the model has weights, how to give it some."""

from __future__ import annotations

_WIDTHS = (34, 25, 15)  # the column widths Keras 3 prints


def summary(model, print_fn=None) -> None:
    """Print the table for `model` (a Sequential) through print_fn (default print)."""
    print_fn = print_fn or print
    if not model.built:
        lines = [model._how_to_build(f'Model "{model.name}" has no weights yet')]
        for layer in model.layers:
            lines.append(
                f"  {layer.name} (Dense): {layer.units} unit{'s' * (layer.units != 1)}, "
                f"{layer.activation.name}"
            )
        print_fn("\n".join(lines))
        return
    rows = [
        (f"{layer.name} (Dense)", f"(None, {layer.units})", f"{layer.count_params():,}")
        for layer in model.layers
    ]
    top = "┏" + "┳".join("━" * w for w in _WIDTHS) + "┓"
    head = "┃" + "┃".join(_cells(("Layer (type)", "Output Shape", "Param #"))) + "┃"
    sep = "┡" + "╇".join("━" * w for w in _WIDTHS) + "┩"
    body = ["│" + "│".join(_cells(row)) + "│" for row in rows]
    bottom = "└" + "┴".join("─" * w for w in _WIDTHS) + "┘"
    total = model.count_params()
    size = total * model.weights[0].dtype.itemsize
    lines = [
        f'Model: "{model.name}"',
        top,
        head,
        sep,
        *body,
        bottom,
        f" Total params: {total:,} ({_bytes(size)})",
        f" Trainable params: {total:,} ({_bytes(size)})",
        " Non-trainable params: 0 (0.00 B)",
    ]
    print_fn("\n".join(lines))


def _cells(texts) -> list[str]:
    """The first two columns left-aligned, the parameter count right-aligned."""
    return [
        f" {t:<{w - 2}} " if i < 2 else f" {t:>{w - 2}} "
        for i, (t, w) in enumerate(zip(texts, _WIDTHS))
    ]


def _bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.2f} {unit}"
        n /= 1024
    return f"{n:.2f} GB"
