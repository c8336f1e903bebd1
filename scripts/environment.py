"""Describe the machine and software a build runs on: GPU, CPU, versions."""
from __future__ import annotations

import contextlib
import functools
import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata

# Distributions that provide each framework, CPU and GPU builds alike.
DISTRIBUTIONS = {"pytorch": ("torch",), "mxnet": ("mxnet", "mxnet-cu112", "mxnet-cu117"),
                 "tensorflow": ("tensorflow", "tensorflow-cpu")}


@functools.cache
def cuda_gpu_name() -> str | None:
    """Name of the first visible NVIDIA GPU, or None. Uses nvidia-smi so that
    no framework has to be imported just to pick a profile."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1") or not shutil.which("nvidia-smi"):
        return None
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    names = [n.strip() for n in out.stdout.splitlines() if n.strip()]
    return names[0] if out.returncode == 0 and names else None


# Prints True when the framework's installed build can use a CUDA GPU.
GPU_PROBES = {
    "pytorch": "import torch; print(torch.cuda.is_available())",
    "tensorflow": "import tensorflow as tf; print(bool(tf.config.list_physical_devices('GPU')))",
    # MXNet 1.9 needs numpy.bool, which numpy 1.24 removed.
    "mxnet": "import numpy; numpy.bool = bool; from mxnet import npx; print(npx.num_gpus() > 0)",
}


@functools.cache
def framework_sees_gpu(framework: str) -> bool:
    """Whether the framework's installed build (CPU-only builds say no) can
    use a CUDA GPU, asked in a fresh interpreter so that the build does not
    import three frameworks. No GPU visible: no question asked."""
    if cuda_gpu_name() is None:
        return False
    try:
        out = subprocess.run([sys.executable, "-c", GPU_PROBES[framework]],
                             capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip().endswith("True")


@functools.cache
def cpu_name() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model} ({os.cpu_count()} cores)"


def version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def framework_version(framework: str) -> str | None:
    """Installed version of a framework (any of its CPU or GPU distributions)."""
    return next(filter(None, map(version, DISTRIBUTIONS[framework])), None)


@contextlib.contextmanager
def patched(**values):
    """Set environment variables inside the block (kernels started there
    inherit them), restoring the previous environment afterwards."""
    saved = dict(os.environ)
    os.environ.update({k: str(v) for k, v in values.items()})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
