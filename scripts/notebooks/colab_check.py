"""Run the exported Colab notebooks as a reader would on Colab, as closely as
this machine allows, and report for each whether installing and executing it
worked and how long that took.

Each framework gets a virtual environment under _build/colab/ that looks like a
fresh Colab runtime before the install cell runs: Colab's Python (3.11 for
PyTorch, see TORCH_PYTHON), numpy 2, matplotlib, ipykernel, and PyTorch or
TensorFlow where Colab preinstalls them.
It is reset to that state before every notebook and rebuilt only when its
requirements change. A notebook runs top to bottom in the quick profile, in a
kernel of that environment; its install cell takes the book's package from this
checkout instead of GitHub, and the data come from a local folder. When the
install cell restarts the runtime (MXNet's numpy downgrade), the check does what
a reader does: starts a new kernel and runs on from the install cell.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

# Colab's numpy; the frameworks are the ones it preinstalls (CPU builds here).
COLAB_PACKAGES = ("numpy==2.0.2", "matplotlib", "ipykernel==6.29.5", "nbclient==0.10.2", "nbformat==5.10.4")
PREINSTALLED = {"mxnet": (), "pytorch": ("torch==2.13.0",), "tensorflow": ("tensorflow-cpu==2.21.0",)}
COLAB_PYTHON = (3, 12)
# PyPI's torch for Python 3.12 is a multi-GB CUDA build; this machine's only
# local torch wheel is the 2.13.0 CPU build for Python 3.11.
TORCH_PYTHON = (3, 11)
PROBE = "import sys, ensurepip, venv; print(sys.executable); print(*sys.version_info[:3])"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Interpreter:
    executable: str
    version: tuple[int, int, int]

    @property
    def label(self) -> str:
        return ".".join(map(str, self.version))


def interpreters() -> dict[tuple[int, int], Interpreter]:
    """Working Pythons (with venv) on PATH and in pyenv, one per minor version,
    PATH first. pyenv shims on PATH fail for versions not selected, hence the probe."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [shutil.which(f"python3.{minor}") for minor in range(8, 20)]
    candidates += [str(p) for p in pyenv.glob("3.*/bin/python3")]
    found: dict[tuple[int, int], Interpreter] = {}
    for candidate in filter(None, candidates):
        try:
            probe = subprocess.run([candidate, "-c", PROBE], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            executable, version = probe.stdout.splitlines()
            interpreter = Interpreter(executable, tuple(int(v) for v in version.split()))
            found.setdefault(interpreter.version[:2], interpreter)
    return found


def choose_python(framework: str, found: dict) -> tuple[Interpreter, str]:
    """The Python a framework's notebooks run on, and why."""
    if framework == "pytorch":
        if TORCH_PYTHON not in found:
            raise SystemExit("error: the PyTorch notebooks need Python 3.11 (the local CPU wheel "
                             "torch 2.13.0 is built for it) and none was found on PATH or in pyenv")
        return found[TORCH_PYTHON], ("PyPI's torch for Python 3.12 is a multi-GB CUDA build; "
                                     "the local CPU wheel torch 2.13.0 is for Python 3.11")
    if COLAB_PYTHON in found:
        return found[COLAB_PYTHON], "Colab's Python version"
    if not found:
        raise SystemExit("error: no Python 3 with venv found on PATH or in pyenv")
    return found[max(found)], "Colab's Python 3.12 was not found; this is the newest available"


def distribution(line: str) -> str:
    """Normalized project name of a `pip freeze` line."""
    name = re.split(r"==| @ ", line, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


class Runtime:
    """A virtual environment standing in for a fresh Colab runtime."""

    def __init__(self, folder: Path, python: Interpreter, packages: tuple[str, ...]):
        self.folder, self.python_version, self.packages = folder, python, packages
        self.python = folder / "bin" / "python"
        self.stamp = folder / "colab-stamp.json"
        self.baseline = folder / "colab-baseline.txt"

    def requirements(self) -> dict:
        return {"python": self.python_version.executable, "version": self.python_version.label,
                "packages": list(self.packages)}

    def pip(self, *args: str) -> None:
        # Captured: this machine's pip configuration makes pip warn on every call.
        subprocess.run([str(self.python), "-m", "pip", "--quiet", *args],
                       check=True, capture_output=True, text=True)

    def freeze(self) -> set[str]:
        out = subprocess.run([str(self.python), "-m", "pip", "freeze", "--all"],
                             capture_output=True, text=True, check=True)
        return {line for line in out.stdout.splitlines() if line.strip()}

    def prepare(self) -> str:
        """Create the environment, or reuse it and undo what the last notebook
        installed; return what was done."""
        if self.stamp.exists() and json.loads(self.stamp.read_text()) == self.requirements():
            baseline = set(self.baseline.read_text().splitlines())
            current = self.freeze()
            added = {distribution(line) for line in current} - {distribution(line) for line in baseline}
            if added:
                self.pip("uninstall", "--yes", *sorted(added))
            changed = sorted(baseline - current)
            if changed:
                self.pip("install", "--no-deps", *changed)
            return "reused"
        shutil.rmtree(self.folder, ignore_errors=True)
        subprocess.run([self.python_version.executable, "-m", "venv", str(self.folder)], check=True)
        self.pip("install", *self.packages)
        # The executor asks for kernel `python3`; with JUPYTER_PATH pointing
        # here, that is this environment's Python, as on Colab.
        subprocess.run([str(self.python), "-m", "ipykernel", "install", "--sys-prefix",
                        "--name", "python3", "--display-name", "Python 3"],
                       check=True, capture_output=True)
        self.baseline.write_text("\n".join(sorted(self.freeze())) + "\n")
        self.stamp.write_text(json.dumps(self.requirements(), indent=1) + "\n")
        return "created"


@dataclass
class Report:
    lang: str
    framework: str
    page: str
    python: str
    environment: str = "-"
    installed: bool = False
    install_s: float = 0.0
    restarts: int = 0
    executed: bool = False
    execute_s: float = 0.0
    total_s: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.installed and self.executed


def snapshot_package(root: Path, target: Path) -> Path:
    """Copy what pip needs to build the book's package, so that building it
    leaves nothing behind in the checkout."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy2(root / "pyproject.toml", target)
    shutil.copytree(root / "d2l", target / "d2l", ignore=shutil.ignore_patterns("__pycache__"))
    return target


def local_copy(source: Path, target: Path, package_url: str, local_package: Path) -> None:
    """The notebook as committed, except that the install cell takes the
    book's package from `local_package` instead of the repository."""
    nb = nbformat.read(source, as_version=4)
    install = next((c for c in nb.cells if c.get("id") == "install"), None)
    if install is None or package_url not in install.source:
        raise SystemExit(f"error: {source} has no install cell that installs {package_url}")
    install.source = install.source.replace(package_url, local_package.as_uri())
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def kernel_env(runtime: Runtime, data_dir: Path) -> dict[str, str]:
    """The environment of the executor and so of its kernels: nothing of the
    book's own virtual environment, the runtime's kernel first, quick profile."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MPLBACKEND") and not k.startswith("D2L_")}
    env.update(VIRTUAL_ENV=str(runtime.folder), PATH=f"{runtime.folder / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               JUPYTER_PATH=str(runtime.folder / "share" / "jupyter"),
               D2L_PROFILE="quick", D2L_DATA_DIR=str(data_dir), D2L_OFFLINE="1")
    return env


def check_notebook(report: Report, runtime: Runtime, notebook: Path, run_dir: Path, data_dir: Path,
                   package_url: str, local_package: Path, timeout: int) -> None:
    started = time.perf_counter()
    try:
        seconds = time.perf_counter()
        report.environment = f"{runtime.prepare()} {time.perf_counter() - seconds:.0f} s"
        target = run_dir / report.lang / report.framework / f"{report.page}.ipynb"
        local_copy(notebook, target, package_url, local_package)
        content = run_dir / "content"  # an empty working folder, like Colab's /content
        shutil.rmtree(content, ignore_errors=True)
        content.mkdir(parents=True)
        result_file, log = target.with_suffix(".result.json"), target.with_suffix(".log")
        result_file.unlink(missing_ok=True)
        with log.open("w") as out:
            subprocess.run([str(runtime.python), __file__, "--run-notebook", str(target),
                            "--workdir", str(content), "--result", str(result_file),
                            "--timeout", str(timeout)],
                           env=kernel_env(runtime, data_dir), stdout=out, stderr=subprocess.STDOUT)
        if not result_file.exists():
            report.error = f"the executor stopped without a result; see {log}:\n" + log.read_text()[-3000:]
        else:
            result = json.loads(result_file.read_text())
            for key in ("installed", "install_s", "restarts", "executed", "execute_s", "error"):
                setattr(report, key, result[key])
            if report.error:
                report.error += f"\nexecuted copy: {target}"
    except subprocess.CalledProcessError as err:
        output = (err.stdout or "") + (err.stderr or "")
        report.error = f"preparing the environment failed: {err}\n{output[-3000:]}"
    except OSError as err:
        report.error = f"preparing the environment failed: {err}"
    report.total_s = time.perf_counter() - started


def run_notebook(path: Path, workdir: Path, result_file: Path, timeout: int) -> int:
    """Execute one notebook in this Python's kernel (runs inside a runtime)."""
    nb = nbformat.read(path, as_version=4)
    install = next(i for i, c in enumerate(nb.cells) if c.get("id") == "install")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    result = {"installed": False, "install_s": 0.0, "restarts": 0, "executed": False,
              "execute_s": 0.0, "error": None}
    start, current = 0, 0
    while start < len(nb.cells):
        try:
            with client.setup_kernel():
                for current in range(start, len(nb.cells)):
                    began = time.perf_counter()
                    try:
                        client.execute_cell(nb.cells[current], current)
                    finally:
                        key = "install_s" if current == install else "execute_s"
                        result[key] = round(result[key] + time.perf_counter() - began, 1)
                    result["installed"] = result["installed"] or current == install
            start = len(nb.cells)
        except DeadKernelError:
            # The install cell may stop the runtime once on purpose; a reader
            # then runs it again in the new runtime and carries on.
            if current != install or result["restarts"]:
                result["error"] = f"the kernel died in cell {current + 1}"
                break
            result["restarts"] += 1
            start = current
        except CellExecutionError as err:
            trace = ANSI.sub("", str(err)).strip().splitlines()
            result["error"] = f"cell {current + 1} failed:\n" + "\n".join(trace[-25:])
            break
    result["executed"] = result["installed"] and result["error"] is None
    nbformat.write(nb, path)
    result_file.write_text(json.dumps(result))
    return 0 if result["executed"] else 1


def table(reports: list[Report]) -> str:
    def installed(r):
        restart = f", {r.restarts} restart" if r.restarts else ""
        return f"{'yes' if r.installed else 'no'} {r.install_s:5.1f} s{restart}"

    rows = [("notebook", "python", "environment", "installed", "executed", "total")]
    rows += [(f"{r.lang}/{r.framework}/{r.page}", r.python, r.environment, installed(r),
              f"{'yes' if r.executed else 'no'} {r.execute_s:5.1f} s", f"{r.total_s:.1f} s") for r in reports]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def check(args) -> int:
    # Imported here: the runtimes that run notebooks through this same file
    # have neither PyYAML nor the book's scripts on their path.
    from scripts.environment import book
    from scripts.notebooks import export

    colab = book.BUILD / "colab"
    langs = args.lang or list(book.editions())
    frameworks = args.framework or list(book.FRAMEWORKS)
    unknown = set(langs) - set(book.editions()) | set(frameworks) - set(book.FRAMEWORKS)
    if unknown:
        print(f"error: unknown edition or framework: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if args.data_dir is None:
        # The build's own search (D2L_DATA_DIR first), imported here because
        # --run-notebook runs this file in the Colab-like venvs.
        from d2l.fashion_mnist import DataNotFoundError
        from scripts.environment import data
        try:
            args.data_dir = data.locate()
        except DataNotFoundError as err:
            print(f"error: {err}\n(`make data` fetches it, or pass --data-dir)", file=sys.stderr)
            return 1
    unknown = set(args.page or ()) - set(book.pages())
    if unknown:
        print(f"error: not in _toc.yml: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    notebooks = [(lang, fw, page, book.NOTEBOOKS / lang / fw / f"{page}.ipynb")
                 for lang in langs for fw in frameworks for page in args.page or book.pages()]
    notebooks = [n for n in notebooks if n[3].exists()]
    if not notebooks:
        print(f"error: no notebooks under {book.NOTEBOOKS}; run `make notebooks` first", file=sys.stderr)
        return 1
    if export.stale():
        print("warning: some notebooks do not match the chapter sources (`python -m "
              "scripts.notebooks.export --check` lists them); checking them as they are", file=sys.stderr)

    found = interpreters()
    runtimes = {}
    for framework in dict.fromkeys(fw for _, fw, _, _ in notebooks):
        python, why = choose_python(framework, found)
        packages = (*COLAB_PACKAGES, *PREINSTALLED[framework])
        folder = colab / f"py{python.version[0]}{python.version[1]}-{framework}"
        runtimes[framework] = Runtime(folder, python, packages)
        print(f"{book.FRAMEWORK_LABELS[framework]}: Python {python.label} ({python.executable}): {why}")
    package = snapshot_package(book.ROOT, colab / "d2l-package")
    print(f"d2l: installed from {package} (a copy of this checkout); data: {args.data_dir}; D2L_PROFILE=quick\n",
          flush=True)

    reports = []
    for lang, framework, page, path in notebooks:
        report = Report(lang, framework, page, runtimes[framework].python_version.label)
        check_notebook(report, runtimes[framework], path, colab / "run", args.data_dir,
                       export.package_url(), package, args.timeout)
        reports.append(report)
        state = "ok" if report.ok else "FAILED"
        print(f"{lang}/{framework}/{page}: {state} ({report.total_s:.0f} s)", flush=True)
        if report.error:
            print(report.error, file=sys.stderr, flush=True)
    print("\n" + table(reports))
    failed = [r for r in reports if not r.ok]
    if failed:
        print(f"\n{len(failed)} of {len(reports)} notebook(s) failed.", file=sys.stderr)
        return 1
    print(f"\nAll {len(reports)} notebook(s) installed and ran.")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", action="append", help="edition(s) to check (default: all)")
    parser.add_argument("--framework", action="append", help="framework(s) to check (default: all)")
    parser.add_argument("--page", action="append", metavar="PAGE",
                        help="page(s) to check, e.g. chapter_convolutional-neural-networks/lenet (default: all)")
    parser.add_argument("--data-dir", type=Path,
                        help="Fashion-MNIST folder (default: where `make data` finds it)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds one cell may run (default: 1800)")
    # Internal: how check() runs one notebook with a runtime's own Python.
    parser.add_argument("--run-notebook", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_notebook:
        return run_notebook(args.run_notebook, args.workdir, args.result, args.timeout)
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
