"""GUI tests run without a display: the offscreen platform must be chosen before Qt starts."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
