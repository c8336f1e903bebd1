"""Describe the machine and software a build runs on: GPU, CPU, versions."""
from __future__ import annotations

import contextlib
import functools
import os
import platform
import shutil
import subprocess
import sys

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


# Each trains a small convolution on the GPU in the framework's own kernel
# environment: a build that sees the GPU but has no kernels for it fails here.
GPU_PROBES = {
    "pytorch": ("import torch\n"
                "assert torch.cuda.is_available(), 'this PyTorch build sees no CUDA GPU'\n"
                "x = torch.ones(1, 1, 8, 8, device='cuda')\n"
                "print(float(torch.nn.functional.conv2d(x, torch.ones(1, 1, 3, 3, device='cuda')).sum()))"),
    "tensorflow": ("import tensorflow as tf\n"
                   "assert tf.config.list_physical_devices('GPU'), 'this TensorFlow build sees no GPU'\n"
                   "with tf.device('/GPU:0'):\n"
                   "    print(float(tf.reduce_sum(tf.nn.conv2d(tf.ones((1, 8, 8, 1)), tf.ones((3, 3, 1, 1)), 1, 'SAME'))))"),
    # MXNet 1.9 needs numpy.bool, which numpy 1.24 removed.
    "mxnet": ("import numpy\nnumpy.bool = bool\nfrom mxnet import np, npx\nnpx.set_np()\n"
              "assert npx.num_gpus() > 0, 'this MXNet build sees no GPU'\n"
              "x = np.ones((1, 1, 8, 8), ctx=npx.gpu())\n"
              "w = np.ones((1, 1, 3, 3), ctx=npx.gpu())\n"
              "print(float(npx.convolution(x, w, kernel=(3, 3), num_filter=1, no_bias=True).sum()))"),
}


@functools.cache
def gpu_problem(framework: str) -> str | None:
    """Why the framework cannot train on the GPU here, or None when it can:
    asked only where nvidia-smi sees a GPU, by the probe above in a fresh
    interpreter of the framework's kernel, so that the build imports no
    framework."""
    if cuda_gpu_name() is None:
        return "no NVIDIA GPU visible"
    from scripts.environment import kernels

    try:
        python = kernels.python(framework)
        env = dict(os.environ)
        libraries = kernels.library_dirs(python.parent.parent)
        if libraries:
            env["LD_LIBRARY_PATH"] = ":".join([*libraries, env.get("LD_LIBRARY_PATH", "")])
        out = subprocess.run([str(python), "-c", GPU_PROBES[framework]], capture_output=True,
                             text=True, timeout=300, env=env)
    except (OSError, subprocess.TimeoutExpired, kernels.MissingEnvironment) as err:
        return f"the GPU check could not run: {err}"
    if out.returncode == 0:
        return None
    lines = [line.strip() for line in out.stderr.splitlines() if line.strip()]
    return f"its GPU check failed on {cuda_gpu_name()}: {lines[-1] if lines else f'exit {out.returncode}'}"


def framework_sees_gpu(framework: str) -> bool:
    """Whether the framework's build in its kernel environment trains on the
    GPU here."""
    return gpu_problem(framework) is None


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
