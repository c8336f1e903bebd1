"""Which profile each notebook runs in: `quick`, `full`, or `auto`, which on a
GPU machine gives full to the frameworks whose build can use the GPU."""
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from scripts.environment import book, machine, profiles
from scripts.pipeline.execute import execute_source
from scripts.pipeline.merge import merge_source, stamp_md

FIXTURES = Path(__file__).parent / "fixtures"


def test_profile_request(monkeypatch):
    monkeypatch.delenv("PROFILE", raising=False)
    assert profiles.profile_request(None) == "auto"
    monkeypatch.setenv("PROFILE", "quick")
    assert profiles.profile_request(None) == "quick"
    assert profiles.profile_request("full") == "full"
    with pytest.raises(SystemExit, match="unknown profile 'fast'"):
        profiles.profile_request("fast")


def test_a_request_made_in_one_thread_is_that_threads_alone(monkeypatch):
    # The PDFs are merged in threads side by side; one that set $PROFILE
    # while computing a cache key changed it, or emptied the environment
    # while restoring it, under the others (and the processes they started).
    monkeypatch.setenv("PROFILE", "quick")
    inside, done, found = threading.Event(), threading.Event(), {}

    def worker():
        with profiles.requested("full"):
            found["worker"] = profiles.profile_request(None)
            inside.set()
            done.wait(10)
        found["worker after"] = profiles.profile_request(None)

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(10)
    found["main"], found["environment"] = profiles.profile_request(None), os.environ["PROFILE"]
    done.set()
    thread.join()
    assert found == {"worker": "full", "main": "quick", "environment": "quick", "worker after": "quick"}


@pytest.fixture
def gpu_for_pytorch_only(monkeypatch):
    """A GPU machine where only PyTorch has a CUDA build."""
    monkeypatch.setattr(machine, "framework_sees_gpu", lambda fw: fw == "pytorch")


def test_auto_is_full_only_where_the_framework_sees_a_gpu(gpu_for_pytorch_only):
    assert {nb: profiles.resolve_profile("auto", nb) for nb in (*book.FRAMEWORKS, "all")} == {
        "mxnet": "quick", "pytorch": "full", "tensorflow": "quick", "all": "quick"}
    for request in profiles.PROFILES:
        assert {profiles.resolve_profile(request, nb) for nb in (*book.FRAMEWORKS, "all")} == {request}


def test_auto_runs_the_pages_marked_cheap_full_on_a_cpu(monkeypatch):
    monkeypatch.setattr(machine, "framework_sees_gpu", lambda fw: False)
    marked = profiles.full_on_cpu()
    assert marked["chapter_convolutional-neural-networks/lenet"] == set(book.FRAMEWORKS)
    for page in book.pages():
        got = {nb: profiles.resolve_profile("auto", nb, page) for nb in (*book.FRAMEWORKS, "all")}
        assert got == {nb: "full" if nb in marked.get(page, ()) else "quick" for nb in got}, page
        # PROFILE=quick (CI's speed) and full still mean every notebook.
        for request in profiles.PROFILES:
            assert {profiles.resolve_profile(request, nb, page) for nb in got} == {request}


@pytest.mark.parametrize("listed, error", [
    ({"chapter_convolutional-modern/lenet": ["pytorch"]}, "not a page of _toc.yml"),
    ({"chapter_convolutional-neural-networks/lenet": ["jax"]}, "unknown framework"),
])
def test_a_wrong_full_on_cpu_entry_is_named(monkeypatch, listed, error):
    config = book.config()
    monkeypatch.setattr(book, "config", lambda: {**config, "full_on_cpu": listed})
    with pytest.raises(SystemExit, match=error):
        profiles.full_on_cpu()


@pytest.fixture(autouse=True)
def fresh_probes():
    """The GPU check is cached per process; each test asks anew."""
    machine.gpu_problem.cache_clear()
    yield
    machine.gpu_problem.cache_clear()


def test_no_gpu_no_probe(monkeypatch):
    monkeypatch.setattr(machine, "cuda_gpu_name", lambda: None)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("probed a framework"))
    assert not machine.framework_sees_gpu("pytorch")
    assert machine.gpu_problem("pytorch") == "no NVIDIA GPU visible"


@pytest.mark.parametrize("probe, problem", [
    ("import numpy; assert numpy.__version__ >= '2'", None),   # run in the PyTorch kernel's env
    ("raise SystemExit('no kernel image is available for sm_90')",
     "its GPU check failed on NVIDIA H200: no kernel image is available for sm_90"),
])
def test_gpu_check_runs_in_the_frameworks_environment(monkeypatch, probe, problem):
    monkeypatch.setattr(machine, "cuda_gpu_name", lambda: "NVIDIA H200")
    monkeypatch.setitem(machine.GPU_PROBES, "pytorch", probe)
    assert machine.gpu_problem("pytorch") == problem
    assert machine.framework_sees_gpu("pytorch") is (problem is None)


@pytest.mark.parametrize("framework, says", [
    ("pytorch", "this PyTorch build sees no CUDA GPU"),
    ("tensorflow", "this TensorFlow build sees no GPU"),
    ("mxnet", "this MXNet build sees no GPU"),
])
def test_a_build_that_cannot_use_the_gpu_falls_back_and_says_why(monkeypatch, framework, says):
    """The real checks, on this CPU machine told that it has a GPU: each
    framework's CPU build fails its check, so `auto` runs it quick."""
    monkeypatch.setattr(machine, "cuda_gpu_name", lambda: "NVIDIA H200")
    assert says in machine.gpu_problem(framework)
    assert profiles.resolve_profile("auto", framework) == "quick"


def _stamp(profile, device, label, **extra):
    return {"profile": profile, "device": device, "versions": {label: "1.0"},
            "python": "3.11.7", "date": "2026-11-28", **extra}


def test_stamp_says_which_framework_ran_how():
    text = stamp_md("ko", {"mxnet": _stamp("quick", "CPU: x", "MXNet"),
                           "pytorch": _stamp("full", "NVIDIA H200", "PyTorch"),
                           "tensorflow": _stamp("quick", "CPU: x", "TensorFlow")})
    assert "- MXNet 1.0: 프로필: quick (작은 실제 부분집합으로 축소 실행) · 장치: CPU: x ·" in text
    assert "- PyTorch 1.0: 프로필: full (장 전체를 그대로 실행) · 장치: NVIDIA H200 ·" in text
    same = stamp_md("zh", {"mxnet": _stamp("quick", "CPU: x", "MXNet", d2l="0.2.0")})
    assert "MXNet 1.0 · 配置: quick（在真实数据的小子集上缩减运行） · 设备: CPU: x ·" in same
    assert "Python 3.11.7 · d2l 0.2.0 · " in same


def test_stamp_says_why_a_framework_did_not_use_the_gpu():
    text = stamp_md("zh", {"mxnet": _stamp("quick", "CPU: x", "MXNet", gpu_problem="no sm_90 kernels"),
                           "pytorch": _stamp("full", "NVIDIA H200", "PyTorch")})
    assert "MXNet：无法使用 GPU，因此以 quick 配置运行（no sm_90 kernels）。" in text


def test_merge_under_auto_reads_each_framework_from_its_profile(gpu_for_pytorch_only, tmp_path):
    source = tmp_path / "good.md"
    shutil.copy(FIXTURES / "good.md", source)
    paths = {}
    for fw in book.FRAMEWORKS:
        profile = profiles.resolve_profile("auto", fw)
        paths[fw] = tmp_path / profile / f"{fw}.ipynb"
        assert execute_source(source, paths[fw], "good", fw, profile, tmp_path).error is None
    text = merge_source(source, paths, tmp_path / "out.md", "zh", "auto")[tmp_path / "out.md"].decode()
    lines = {line.split()[1]: line for line in text.splitlines() if line.startswith("- ")}
    assert "quick" in lines["MXNet"] and "quick" in lines["TensorFlow"] and "full" in lines["PyTorch"]


@pytest.mark.parametrize("gpu_name, devices, expected", [
    ("NVIDIA H200", ["cuda:0"], "NVIDIA H200"),
    (None, ["cuda:0"], "cuda:0"),              # no nvidia-smi: the framework's own name
    ("NVIDIA H200", ["cpu"], "CPU: "),         # a GPU in the machine, training on the CPU
    (None, ["/CPU:0"], "CPU: "),
    (None, [], "CPU: "),
])
def test_stamp_names_the_device_that_trained(monkeypatch, gpu_name, devices, expected):
    from scripts.pipeline.execute import stamp
    monkeypatch.setattr(machine, "cuda_gpu_name", lambda: gpu_name)
    device = stamp("full", "pytorch", [{"device": d} for d in devices])["device"]
    assert device.startswith(expected)
