"""What a GPU machine installs, resolved without a GPU: `make gpu-lock`
resolves each framework's GPU requirements for Linux x86_64 (uv pip compile)
into requirements/gpu-lock/. Each lock holds its requirement file's pins, and
the CUDA libraries of the three frameworks are different families, which is
why they live in separate environments."""
import re

import pytest

from scripts.environment import book

REQUIREMENTS = book.ROOT / "requirements"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[\w,-]+\])?==([^\s;#]+)", re.M)


def pins(path):
    """name -> version of a requirements file, following `-r` includes."""
    text = path.read_text()
    found = {}
    for include in re.findall(r"^-r\s+(\S+)", text, re.M):
        found.update(pins(path.parent / include))
    found.update({name.lower().replace("_", "-"): version for name, version in PIN.findall(text)})
    return found


def cuda_libraries(lock):
    return {name for name in pins(lock) if name.startswith("nvidia-")}


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_lock_holds_the_gpu_requirements(framework):
    lock = pins(REQUIREMENTS / "gpu-lock" / f"{framework}.txt")
    wanted = pins(REQUIREMENTS / f"{framework}-gpu.txt")
    assert wanted and all(lock.get(name) == version for name, version in wanted.items()), (
        f"requirements/gpu-lock/{framework}.txt is stale: run `make gpu-lock`")
    # numpy as in the CPU environment: the same pages, the same numbers.
    assert lock["numpy"] == pins(REQUIREMENTS / f"{framework}.txt")["numpy"]


def test_each_framework_gets_its_own_cuda():
    libs = {fw: cuda_libraries(REQUIREMENTS / "gpu-lock" / f"{fw}.txt") for fw in book.FRAMEWORKS}
    assert all(libs.values()), libs
    assert all(name.endswith("-cu11") for name in libs["mxnet"])          # MXNet 1.9.1: CUDA 11.7
    assert any(name.endswith("-cu12") for name in libs["tensorflow"])     # TensorFlow 2.21: CUDA 12
    assert not any(name.endswith(("-cu11", "-cu12")) for name in libs["pytorch"])  # torch 2.13: CUDA 13
    # The same folders under nvidia/ with other versions: one environment could not hold them.
    assert libs["mxnet"].isdisjoint(libs["tensorflow"] | libs["pytorch"])


def test_gpu_builds_are_the_cuda_ones():
    assert "mxnet-cu117" in pins(REQUIREMENTS / "gpu-lock" / "mxnet.txt")
    assert "tensorflow" in pins(REQUIREMENTS / "gpu-lock" / "tensorflow.txt")
    assert "torch" in pins(REQUIREMENTS / "gpu-lock" / "pytorch.txt")
