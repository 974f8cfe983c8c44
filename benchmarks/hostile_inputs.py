"""A sweep of hostile and unlucky inputs over the command line and the Python API (issue #16).

Every case runs in its own subprocess with a deadline and a capped address space
(resource.setrlimit(RLIMIT_AS) in the child), and must give the promised answer:

- a command: exit status 1 and exactly one line on stderr,
  `netbuilder: error: <file>: <what is wrong>`, no traceback, within the deadline and memory;
- the Python API: an EngineError (ProjectError, DatasetError) whose message names the file,
  never another exception, a hang or a MemoryError;
- a project that points at a file outside it: it opens without data and never embeds it.

    python benchmarks/hostile_inputs.py            # prints each failure, then "N of N as promised"
    python benchmarks/hostile_inputs.py -k fifo    # only cases whose name contains "fifo"

Exit status 0 when every case kept its promise. POSIX only (FIFOs, /dev/zero, rlimits).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 30.0
MEMORY_BYTES = 2 * 1024**3
SECRET = (
    b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH "
    b"PRIVATE KEY-----\n"
)

API_HARNESS = """
import sys
from engine.errors import EngineError
kind, path = sys.argv[1], sys.argv[2]
try:
    if kind == "project":
        from engine.project import Project, runtime
        project = Project.load(path)
        runtime.build_model(project)
    elif kind == "csv":
        from engine import data
        data.load_csv(path, target=sys.argv[3] if len(sys.argv) > 3 else -1)
    elif kind == "npz":
        from engine import data
        data.load_npz(path)
except EngineError as exc:
    if path not in str(exc):
        print(f"the message does not name {path}: {exc}")
        sys.exit(3)
    print("refused:", " ".join(str(exc).split())[:200])
    sys.exit(0)
print("loaded")
sys.exit(4)
"""

OUTSIDE_HARNESS = """
import sys, zipfile
from engine.project import Project
path, secret = sys.argv[1], sys.argv[2].encode()
project = Project.load(path)
assert project.dataset is None, "it loaded the outside file as its dataset"
assert any("without data" in w for w in project.warnings), project.warnings
project.save(path)
with zipfile.ZipFile(path) as archive:
    for name in archive.namelist():
        assert secret not in archive.read(name), f"{name} holds the outside file"
print("never embedded")
"""


EVERY_COMMAND = {
    "fifo",
    "symlink_loop",
    "dev_zero",
    "deflate_lies_small",
    "bzip2_json",
    "valid_300mb_dataset",
    "units_5000_digits",
    "units_10e9",
}


@dataclass
class Case:
    name: str
    argv: list[str]  # after the interpreter
    expect: str  # "cli-error", "api-refused", "ok"
    file: str = ""  # the file a cli-error must name
    after: list = field(default_factory=list)  # extra checks: callables -> problem or None


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def run_case(case: Case) -> str | None:
    """None when the case kept its promise, else what went wrong."""
    env = dict(
        os.environ, OPENBLAS_NUM_THREADS="1", PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen"
    )
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, *case.argv],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            preexec_fn=_limit_child,
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return f"hung: still running after {TIMEOUT_S:.0f} s"
    seconds = time.perf_counter() - start
    err = result.stderr
    if "Traceback" in err or "MemoryError" in err:
        return f"traceback or MemoryError (exit {result.returncode}): {err.strip()[-300:]}"
    if case.expect == "cli-error":
        lines = err.splitlines()
        prefix = f"netbuilder: error: {case.file}: "
        if result.returncode != 1 or len(lines) != 1 or not lines[0].startswith(prefix):
            return f"exit {result.returncode}, stderr {err.strip()[:300]!r}"
        if "this is a bug" in lines[0]:
            return f"reported as a bug: {lines[0][:300]}"
    elif result.returncode != 0:
        return f"exit {result.returncode}: {(result.stdout + err).strip()[:300]}"
    for check in case.after:
        problem = check()
        if problem:
            return problem
    if seconds > TIMEOUT_S / 2:
        return f"took {seconds:.1f} s"
    return None


# ---------------------------------------------------------------------------- making inputs


def _zip(path: Path, members: dict[str, bytes], methods: dict[str, int] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in members.items():
            method = (methods or {}).get(name, zipfile.ZIP_DEFLATED)
            archive.writestr(
                name,
                payload,
                compress_type=method,
                compresslevel=1 if method == zipfile.ZIP_DEFLATED else None,
            )
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _lie(data: bytes, member: str, declared: int) -> bytes:
    """Set `member`'s uncompressed size to `declared` in the local and central headers."""
    out, name = bytearray(data), member.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := out.find(signature, start)) >= 0:
            if out[start + name_at : start + name_at + len(name)] == name:
                struct.pack_into("<I", out, start + size_at, declared)
            start += 4
    return bytes(out)


def _with_json(src: Path, dst: Path, edit) -> Path:
    members = _members(src)
    text = members["project.json"].decode()
    members["project.json"] = edit(text).encode()
    return _zip(dst, members)


def make_inputs(work: Path) -> tuple[dict[str, Path], dict[str, Path], Path, Path]:
    """(hostile projects by name, hostile CSV files by name, a good project, a good CSV)."""
    sys.path.insert(0, str(ROOT))
    from engine import data
    from engine.project import Project, runtime

    good_csv = work / "good.csv"
    good_csv.write_text("a,b,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(60)))
    good = work / "good.nnproj"
    project = Project.new_for_dataset(data.load_csv(good_csv, target="label"))
    project.weights = runtime.initial_weights(project)
    project.save(good)
    base = _members(good)

    projects: dict[str, Path] = {}

    def special(name: str, make) -> None:
        path = work / f"{name}.nnproj"
        make(path)
        projects[name] = path

    special("fifo", os.mkfifo)
    special("symlink_loop", lambda p: p.symlink_to(p))
    special("dev_zero", lambda p: p.symlink_to("/dev/zero"))
    special("dev_urandom", lambda p: p.symlink_to("/dev/urandom"))
    special("dangling_link", lambda p: p.symlink_to(work / "nowhere"))
    special("folder", lambda p: p.mkdir())
    special("empty", lambda p: p.write_bytes(b""))
    special("not_a_zip", lambda p: p.write_bytes(b"hello, not a zip\n" * 100))
    special("truncated", lambda p: p.write_bytes(good.read_bytes()[:-300]))

    # Lying and bombing zips.
    bomb = dict(base, **{"dataset.csv": bytes(300 * 1024**2)})
    honest = _zip(work / "bomb_src.nnproj", bomb).read_bytes()
    special("deflate_lies_small", lambda p: p.write_bytes(_lie(honest, "dataset.csv", 100)))
    special("deflate_300mb_dataset", lambda p: p.write_bytes(honest))
    zeros = json.dumps({"pad": "0" * (100 * 1024**2)}).encode()
    special(
        "bzip2_json",
        lambda p: _zip(
            p, dict(base, **{"project.json": zeros}), {"project.json": zipfile.ZIP_BZIP2}
        ),
    )
    special(
        "bzip2_dataset",
        lambda p: _zip(
            p, dict(base, **{"dataset.csv": bytes(10**8)}), {"dataset.csv": zipfile.ZIP_BZIP2}
        ),
    )
    special("lzma_weights", lambda p: _zip(p, base, {"weights.npz": zipfile.ZIP_LZMA}))
    big_csv = b"a,b,label\n" + b"1.5,2.5,1\n0.5,1.5,0\n" * (14 * 1024**2)  # ~300 MB, valid
    special("valid_300mb_dataset", lambda p: _zip(p, dict(base, **{"dataset.csv": big_csv})))

    # Numbers project.json lets through.
    text = base["project.json"].decode()
    meta = json.loads(text)
    units = f'"units": {meta["layers"][0]["units"]}'
    lr = f'"learning_rate": {meta["compile"]["learning_rate"]}'
    for name, old, new in [
        ("units_5000_digits", units, '"units": ' + "9" * 5000),
        ("units_10e9", units, '"units": 1000000000'),
        ("units_1e5_squared", units, '"units": 100000'),
        ("learning_rate_400_digits", lr, '"learning_rate": ' + "1" * 400),
        ("learning_rate_inf", lr, '"learning_rate": 1e999'),
        ("l2_400_digits", '"l2": 0.0', '"l2": ' + "7" * 400),
        ("seed_4500_digits", '"seed": ', '"seed": ' + "3" * 4500 + ', "x": '),
        ("epochs_huge", '"epochs": ', '"epochs": ' + "9" * 40 + ', "y": '),
        ("schema_5000_digits", '"schema_version": ', '"schema_version": ' + "9" * 5000 + ', "z": '),
        ("history_400_digits", '"history": {}', '"history": {"loss": [' + "5" * 400 + "]}"),
    ]:
        if old not in text:
            raise SystemExit(f"the sweep's template lost {old!r}; update make_inputs")
        edited = text.replace(old, new, 1)
        if name == "units_1e5_squared":
            edited = edited.replace(f'"units": {meta["layers"][1]["units"]}', '"units": 100000', 1)
        path = _zip(work / f"{name}.nnproj", dict(base, **{"project.json": edited.encode()}))
        projects[name] = path

    # Broken CSV files for `new --data`, `predict` and load_csv.
    csvs: dict[str, Path] = {}

    def csv_file(name: str, payload: bytes | None = None, make=None) -> None:
        path = work / f"{name}.csv"
        if make is not None:
            make(path)
        else:
            path.write_bytes(payload)
        csvs[name] = path

    csv_file("csv_fifo", make=os.mkfifo)
    csv_file("csv_dev_zero", make=lambda p: p.symlink_to("/dev/zero"))
    csv_file("csv_symlink_loop", make=lambda p: p.symlink_to(p))
    csv_file("csv_empty", b"")
    csv_file("csv_header_only", b"a,b,label\n")
    csv_file("csv_binary", b"a,b,label\n1,2,\x00\x01\n")
    csv_file("csv_not_utf8", b"a,b,label\n1,2,caf\xe9\n3,4,x\n")
    csv_file("csv_xlsx", b"PK\x03\x04" + bytes(100))
    csv_file("csv_ragged", b"a,b,label\n1,2,0\n3,4,1,9,9\n5,6,0\n")
    csv_file("csv_unclosed_quote", b'a,b,label\n1,"2,0\n3,4,1\n')
    csv_file("csv_1e308", b"a,b,label\n1,2,0\n1e308,4,1\n5,6,0\n")
    csv_file("csv_first_line_300k", b"x" * 300_000 + b",b,label\n1,2,0\n")
    csv_file("csv_text_in_numbers", b"a,b,label\n1,2,0\n3,oops,1\n5,6,0\n")

    # A project pointing outside itself at a file shaped like an SSH private key.
    secret = work / "home" / ".ssh" / "id_ed25519"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(SECRET)
    outside = dict(base)
    outside.pop("dataset.csv", None)
    m = json.loads(outside["project.json"])
    m["dataset"].update(path=str(secret), absolute_path=str(secret), sha256=None)
    outside["project.json"] = json.dumps(m).encode()
    projects["outside_path"] = _zip(work / "outside_path.nnproj", outside)
    return projects, csvs, good, good_csv


def build_cases(work: Path) -> list[Case]:
    projects, csvs, good, good_csv = make_inputs(work)
    out = work / "out"
    out.mkdir()
    cases: list[Case] = []
    app = ["-m", "app"]
    for name, path in projects.items():
        p = str(path)
        if name == "outside_path":
            cases.append(
                Case(f"api/{name}/save", ["-c", OUTSIDE_HARNESS, p, SECRET.decode()], "ok")
            )
            for command in ("train", "evaluate", "predict"):
                argv = [*app, command, p] + ([str(good_csv)] if command == "predict" else [])
                cases.append(
                    Case(f"cli/{name}/{command}", argv, "cli-error", p, [_never_embeds(path)])
                )
            continue
        cases.append(
            Case(f"api/{name}/Project.load", ["-c", API_HARNESS, "project", p], "api-refused")
        )
        # Every command reads a project through the same load_project; all five run on the
        # cases that once hung or exhausted memory, two on the rest (to keep the sweep short).
        commands = (
            ("summary", "evaluate", "train", "predict", "export")
            if name in EVERY_COMMAND
            else ("summary", "train")
        )
        for command in commands:
            argv = {
                "predict": [*app, "predict", p, str(good_csv)],
                "export": [*app, "export", "keras", p, "-o", str(out / f"{name}.py")],
            }.get(command, [*app, command, p])
            cases.append(Case(f"cli/{name}/{command}", argv, "cli-error", p))
    for name, path in csvs.items():
        c = str(path)
        cases.append(
            Case(f"api/{name}/load_csv", ["-c", API_HARNESS, "csv", c, "label"], "api-refused")
        )
        cases.append(
            Case(
                f"cli/{name}/new",
                [*app, "new", str(out / f"{name}.nnproj"), "--data", c, "--target", "label"],
                "cli-error",
                c,
            )
        )
        cases.append(Case(f"cli/{name}/predict", [*app, "predict", str(good), c], "cli-error", c))
    for name in ("csv_fifo", "csv_dev_zero", "csv_symlink_loop", "csv_xlsx", "csv_empty"):
        cases.append(
            Case(f"api/{name}/load_npz", ["-c", API_HARNESS, "npz", str(csvs[name])], "api-refused")
        )
    return cases


def _never_embeds(path: Path):
    def check() -> str | None:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if SECRET[:30] in archive.read(name):
                    return f"{name} of {path.name} holds the outside file"
        return None

    return check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only cases whose name contains this")
    parser.add_argument(
        "-j", type=int, default=max(2, min(4, os.cpu_count() or 2)), help="cases run at once"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        started = time.perf_counter()
        cases = [c for c in build_cases(Path(folder)) if args.k in c.name]
        # Cases that write the same project run one after another, so they do not race.
        serial = [c for c in cases if "outside_path" in c.name]
        parallel = [c for c in cases if c not in serial]
        with ThreadPoolExecutor(args.j) as pool:
            problems = list(pool.map(run_case, parallel))
        problems += [run_case(c) for c in serial]
        failed = [(c, p) for c, p in zip(parallel + serial, problems) if p]
        for case, problem in failed:
            print(f"FAILED {case.name}: {problem}")
        n = len(cases)
        print(
            f"{n - len(failed)} of {n} as promised "
            f"({time.perf_counter() - started:.0f} s, {TIMEOUT_S:.0f} s and "
            f"{MEMORY_BYTES / 1024**3:.0f} GiB per case)"
        )
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
