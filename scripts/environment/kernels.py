"""One Python environment and Jupyter kernel per framework.

MXNet 1.9.1 needs numpy 1.x and, on a GPU, CUDA 11 libraries; PyTorch and
TensorFlow run on numpy 2 with CUDA 13 and 12 libraries, which pip puts in
the same `nvidia/` folders. So each framework has an environment of its own,
`.venvs/<framework>`, pinned by `requirements/<framework>.txt` (or
`<framework>-gpu.txt` where nvidia-smi sees a GPU), and a kernel of its own,
`d2l-<framework>`, registered in the build environment (`.venv`, pinned by
`requirements.txt`) where nbclient finds it. Pages that run every framework
in one kernel (the equivalence appendix) use the build environment's own
kernel, which holds CPU builds of all three, as the tests do.

`python -m scripts.environment.kernels --framework mxnet` registers one kernel (`make
setup` does this for each).
"""
from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
from pathlib import Path

from scripts.environment import book

ENVS = book.ROOT / ".venvs"
BUILD_KERNEL = "python3"

# Distributions that provide each framework, CPU and GPU builds alike.
DISTRIBUTIONS = {"pytorch": ("torch",), "mxnet": ("mxnet", "mxnet-cu112", "mxnet-cu117"),
                 "tensorflow": ("tensorflow", "tensorflow-cpu")}
# What else a kernel's outputs depend on.
LIBRARIES = ("numpy", "matplotlib")


class MissingEnvironment(RuntimeError):
    """A framework's environment is missing; the message says how to make it."""


def kernel_name(notebook: str) -> str:
    """The kernel a notebook runs in: its framework's, or the build's for
    pages that run every framework."""
    return f"d2l-{notebook}" if notebook in book.FRAMEWORKS else BUILD_KERNEL


def python(notebook: str) -> Path:
    """The interpreter of a notebook's kernel."""
    if notebook not in book.FRAMEWORKS:
        return Path(sys.executable)
    path = ENVS / notebook / "bin" / "python"
    if not path.exists():
        raise MissingEnvironment(f"no {notebook} environment at {book.shown(path.parent.parent)}: "
                               "run `make setup`")
    return path


def library_dirs(env: Path) -> list[str]:
    """The CUDA libraries that pip installed in an environment (nvidia-*
    packages), which a framework built against them loads from there."""
    return sorted(str(p) for p in env.glob("lib/python3*/site-packages/nvidia/*/lib") if p.is_dir())


def install(framework: str) -> Path:
    """Register the framework's kernel in the build environment; return its
    kernel.json."""
    interpreter = python(framework)
    spec = {"argv": [str(interpreter), "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
                     "-f", "{connection_file}"],
            "display_name": f"Python 3 ({book.FRAMEWORK_LABELS[framework]})",
            "language": "python",
            "metadata": {"debugger": True}}
    libraries = library_dirs(interpreter.parent.parent)
    if libraries:  # the MXNet GPU build finds its CUDA 11 runtime here
        spec["env"] = {"LD_LIBRARY_PATH": ":".join(libraries)}
    target = Path(sys.prefix) / "share" / "jupyter" / "kernels" / kernel_name(framework) / "kernel.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    return target


VERSIONS = """
import json, platform
from importlib import metadata
found = {"python": platform.python_version()}
for name in %r:
    try:
        found[name] = metadata.version(name)
    except metadata.PackageNotFoundError:
        pass
print(json.dumps(found))
"""


@functools.cache
def versions(notebook: str) -> dict[str, str]:
    """Python and package versions in a notebook's kernel, asked of its
    interpreter: {"python", "numpy", "matplotlib", and each framework's
    distribution that is installed there}."""
    names = [*(d for ds in DISTRIBUTIONS.values() for d in ds), *LIBRARIES]
    out = subprocess.run([str(python(notebook)), "-c", VERSIONS % (names,)],
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def framework_version(notebook: str, framework: str) -> str | None:
    """The framework's version in a notebook's kernel (any of its builds)."""
    found = versions(notebook)
    return next((found[d] for d in DISTRIBUTIONS[framework] if d in found), None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=book.FRAMEWORKS, action="append", required=True)
    args = parser.parse_args(argv)
    try:
        for framework in args.framework:
            print(f"kernel {kernel_name(framework)}: {book.shown(install(framework))}")
    except MissingEnvironment as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
