"""The layers of the code (pyproject.toml, [tool.importlinter]) hold: the engine never imports
Qt or the app, the command line never imports Qt, the worker's computations stay Qt-free,
and the project package builds upwards from its specs. import-linter follows indirect imports,
so a Qt import two modules away breaks a contract too."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_contract_is_kept():
    lint_imports = shutil.which("lint-imports")
    assert lint_imports, "import-linter is a test dependency: pip install '.[test]'"
    result = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
