"""Which profile each notebook runs in: `quick`, `full`, or `auto`, which on a
GPU machine gives full to the frameworks whose build can use the GPU."""
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts import book, environment
from scripts.execute import execute_source
from scripts.merge import merge_source, stamp_md

FIXTURES = Path(__file__).parent / "fixtures"


def test_profile_request(monkeypatch):
    monkeypatch.delenv("PROFILE", raising=False)
    assert book.profile_request(None) == "auto"
    monkeypatch.setenv("PROFILE", "quick")
    assert book.profile_request(None) == "quick"
    assert book.profile_request("full") == "full"
    with pytest.raises(SystemExit, match="unknown profile 'fast'"):
        book.profile_request("fast")


@pytest.fixture
def gpu_for_pytorch_only(monkeypatch):
    """A GPU machine where only PyTorch has a CUDA build."""
    monkeypatch.setattr(environment, "framework_sees_gpu", lambda fw: fw == "pytorch")


def test_auto_is_full_only_where_the_framework_sees_a_gpu(gpu_for_pytorch_only):
    assert {nb: book.resolve_profile("auto", nb) for nb in (*book.FRAMEWORKS, "all")} == {
        "mxnet": "quick", "pytorch": "full", "tensorflow": "quick", "all": "quick"}
    for request in book.PROFILES:
        assert {book.resolve_profile(request, nb) for nb in (*book.FRAMEWORKS, "all")} == {request}


def test_no_gpu_no_probe(monkeypatch):
    monkeypatch.setattr(environment, "cuda_gpu_name", lambda: None)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("probed a framework"))
    environment.framework_sees_gpu.cache_clear()
    assert not environment.framework_sees_gpu("pytorch")
    environment.framework_sees_gpu.cache_clear()


@pytest.mark.parametrize("printed, expected", [("True", True), ("False", False)])
def test_gpu_probe_asks_a_fresh_interpreter(monkeypatch, printed, expected):
    monkeypatch.setattr(environment, "cuda_gpu_name", lambda: "NVIDIA H200")
    monkeypatch.setitem(environment.GPU_PROBES, "pytorch", f"print({printed})")
    environment.framework_sees_gpu.cache_clear()
    assert environment.framework_sees_gpu("pytorch") is expected
    environment.framework_sees_gpu.cache_clear()


def test_stamp_says_which_framework_ran_how():
    def stamp(profile, device, label):
        return {"profile": profile, "device": device, "versions": {label: "1.0"},
                "python": "3.11.7", "date": "2026-11-28"}
    text = stamp_md("ko", {"mxnet": stamp("quick", "CPU: x", "MXNet"),
                           "pytorch": stamp("full", "NVIDIA H200", "PyTorch"),
                           "tensorflow": stamp("quick", "CPU: x", "TensorFlow")})
    assert ("프로필: MXNet, TensorFlow: quick (작은 실제 부분집합으로 축소 실행); "
            "PyTorch: full (장 전체를 그대로 실행)") in text
    assert "장치: MXNet, TensorFlow: CPU: x; PyTorch: NVIDIA H200" in text
    same = stamp_md("zh", {"mxnet": stamp("quick", "CPU: x", "MXNet")})
    assert "配置: quick（在真实数据的小子集上缩减运行） · 设备: CPU: x ·" in same


def test_merge_under_auto_reads_each_framework_from_its_profile(gpu_for_pytorch_only, tmp_path):
    source = tmp_path / "good.md"
    shutil.copy(FIXTURES / "good.md", source)
    paths = {}
    for fw in book.FRAMEWORKS:
        profile = book.resolve_profile("auto", fw)
        paths[fw] = tmp_path / profile / f"{fw}.ipynb"
        assert execute_source(source, paths[fw], "good", fw, profile, tmp_path).error is None
    text = merge_source(source, paths, tmp_path / "out.md", "zh", "auto")[tmp_path / "out.md"].decode()
    assert "MXNet, TensorFlow: quick" in text and "PyTorch: full" in text


@pytest.mark.parametrize("gpu_name, devices, expected", [
    ("NVIDIA H200", ["cuda:0"], "NVIDIA H200"),
    (None, ["cuda:0"], "cuda:0"),              # no nvidia-smi: the framework's own name
    ("NVIDIA H200", ["cpu"], "CPU: "),         # a GPU in the machine, training on the CPU
    (None, ["/CPU:0"], "CPU: "),
    (None, [], "CPU: "),
])
def test_stamp_names_the_device_that_trained(monkeypatch, gpu_name, devices, expected):
    from scripts.execute import stamp
    monkeypatch.setattr(environment, "cuda_gpu_name", lambda: gpu_name)
    device = stamp("full", "pytorch", [{"device": d} for d in devices])["device"]
    assert device.startswith(expected)
