"""The learners' set-up page (book/<edition>/setup.md): its commands, one
fenced block per operating system and framework (`:name: setup-<os>-<what>`),
are the same in both editions and install the d2l the notebooks install; and
the Linux ones run, as the page shows them, in fresh virtual environments
on Python 3.11 and 3.12.

What the run changes, and why: `python3` is the Python under test, and as
`pip` is uv's (same requirements, but from uv's cache: pip would download
every framework each time), the environment gets no pip of its own
(`--without-pip`: ensurepip alone takes seconds); d2l comes from a copy of
this checkout instead of
GitHub; and where pip's configuration has a local wheel folder (this
machine's CPU build of torch for Python 3.11), it replaces PyTorch's CPU
index, which is not reachable here. PyTorch runs on 3.11 only: for 3.12
PyPI has only the multi-GB CUDA build. The environments are made side by
side: much of their time is spent waiting on uv and on imports.
"""
from __future__ import annotations

import math
import os
import re
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from scripts.environment import book
from scripts.notebooks import colab_check, export, release
from scripts.pipeline import execute

BLOCK = re.compile(r"^```\{code-block\} (?P<shell>\w+)\n:name: setup-(?P<os>[a-z]+)-(?P<what>[a-z]+)\n"
                   r"(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
TORCH_CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"
# (Python, framework) pairs run, each Linux block once and each Python at
# least once (the framework environments of the build hold MXNet and
# TensorFlow on 3.11 already); the Jupyter block runs in the first.
RUNS = [((3, 12), "mxnet"), ((3, 11), "pytorch"), ((3, 12), "tensorflow")]
# What the last line of each block prints on this machine (no GPU).
DEVICE = {"mxnet": "cpu(0)", "pytorch": "cpu", "tensorflow": "[]"}
EXTRA_MODULES = {"mxnet": "mxnet", "pytorch": "torch", "tensorflow": "tensorflow"}


def blocks(lang: str) -> dict[tuple[str, str], str]:
    """{(os, what): commands} of one edition's set-up page."""
    text = book.source_path(lang, export.SETUP_PAGE).read_text(encoding="utf-8")
    found = {}
    for m in BLOCK.finditer(text):
        assert m.group("shell") == ("powershell" if m.group("os") == "windows" else "bash")
        found[(m.group("os"), m.group("what"))] = m.group("body")
    return found


def test_the_page_is_in_the_table_of_contents():
    assert export.SETUP_PAGE in book.pages()


def test_both_editions_show_the_same_commands():
    ko, zh = (blocks(lang) for lang in book.editions())
    assert ko == zh
    assert set(ko) == {("linux", "mxnet"), ("linux", "pytorch"), ("linux", "tensorflow"), ("linux", "jupyter"),
                       ("macos", "pytorch"), ("macos", "tensorflow"),
                       ("windows", "pytorch"), ("windows", "tensorflow")}   # MXNet: no build for them


@pytest.mark.parametrize("where", ["linux", "macos", "windows"])
def test_every_block_installs_the_d2l_of_the_notebooks(where):
    url = export.package_url()
    assert url.endswith("@" + release.read()["commit"])
    for (os_name, what), body in blocks("ko").items():
        if os_name != where or what == "jupyter":
            continue
        assert f'"d2l[{what}] @ {url}"' in body, (os_name, what)
        # The last line imports d2l's module (not `from d2l import ... as d2l`:
        # the PDFs hold each framework's imports to its own book).
        assert f"d2l.{EXTRA_MODULES[what]}" in body.splitlines()[-1]
        assert "from d2l import" not in body
        assert (TORCH_CPU_INDEX in body) == ((where, what) == ("linux", "pytorch"))
        assert ("tensorflow-metal" in body) == ((where, what) == ("macos", "tensorflow"))


def test_the_pages_follow_the_record():
    """`make notebooks` points the pages at the commit the notebooks install."""
    assert not [p for p, why in export.stale() if why == export.PAGE_REF]


def test_the_cpu_time_table_follows_the_config():
    """The page's table of CPU times per chapter (fastest to slowest
    framework) is `_config.yml`'s cpu_minutes, which the notebooks announce."""
    def half_up(x):
        return str(math.floor(x + 0.5))

    expected = {lang: [] for lang in book.editions()}
    for minutes in book.config()["cpu_minutes"].values():
        low, high = min(minutes.values()), max(minutes.values())
        for lang, (short, long) in {"ko": ("분", "시간"), "zh": ("分钟", "小时")}.items():
            expected[lang].append((half_up(low), half_up(high), short) if high < 90 else
                                  (half_up(low / 60), half_up(high / 60), long))
    for lang, rows in expected.items():
        text = book.source_path(lang, export.SETUP_PAGE).read_text(encoding="utf-8")
        assert re.findall(r"^\| [^|]+ \| (\d+)~(\d+) ?(분|시간|分钟|小时) \|$", text, re.MULTILINE) == rows, lang


def find_links() -> list[str]:
    """pip's configured local wheel folders, as the Makefile passes them to uv."""
    out = subprocess.run([sys.executable, "-m", "pip", "config", "get", "global.find-links"],
                         capture_output=True, text=True)
    return out.stdout.split() if out.returncode == 0 else []


def as_run(body: str, package: Path, links: list[str]) -> str:
    """The commands as this machine runs them (see the module's docstring)."""
    body = body.replace(export.package_url(), package.as_uri())
    if links:
        body = body.replace(TORCH_CPU_INDEX, " ".join(f"--find-links {shlex.quote(d)}" for d in links))
    return body


@pytest.fixture(scope="module")
def machine(tmp_path_factory):
    """The Pythons, a copy of d2l to install, and pip's wheel folders."""
    found = colab_check.interpreters()
    missing = sorted({v for v, _ in RUNS} - set(found))
    assert not missing, f"Python {missing} not found on PATH or in pyenv (the page supports 3.11 and 3.12)"
    package = colab_check.snapshot_package(book.ROOT, tmp_path_factory.mktemp("d2l") / "d2l")
    return found, package, find_links()


def run_block(body: str, folder: Path, python: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Runs the commands in bash in `folder`, with `python3` and `pip` as
    described in the module's docstring; stops at the first failure."""
    uv = Path(sys.executable).parent / "uv"
    prelude = (f"set -euo pipefail\npython3() {{ {shlex.quote(python)} \"$@\" --without-pip; }}\n"
               f"pip() {{ {shlex.quote(str(uv))} pip \"$@\" --quiet; }}\n")
    return subprocess.run(["bash", "-c", prelude + body], cwd=folder, capture_output=True, text=True,
                          timeout=timeout)


def check_run(machine, folder: Path, version: tuple[int, int], framework: str) -> str:
    """Runs the Linux block of `framework` on Python `version` in `folder`;
    returns what went wrong, or '' and how long it took."""
    found, package, links = machine
    folder.mkdir()
    started = time.perf_counter()
    result = run_block(as_run(blocks("ko")[("linux", framework)], package, links), folder,
                       found[version].executable)
    name = f"Python {found[version].label}, {framework}"
    if result.returncode != 0:
        return f"FAILED {name}:\n{result.stdout}\n{result.stderr}"
    printed = result.stdout.strip().splitlines()[-1]
    if printed != DEVICE[framework]:
        return f"FAILED {name}: printed {printed!r}, not {DEVICE[framework]!r}"
    if f"version = {found[version].label}" not in (folder / f"d2l-{framework}" / "pyvenv.cfg").read_text():
        return f"FAILED {name}: the environment is not on Python {found[version].label}"
    if (version, framework) == RUNS[0]:
        jupyter(folder, framework)
    return f"{name}: {time.perf_counter() - started:.1f} s"


def test_linux_commands_run_in_fresh_environments(machine, tmp_path):
    with ThreadPoolExecutor(max_workers=3) as pool:
        reports = list(pool.map(lambda run: check_run(machine, tmp_path / f"{run[1]}-{run[0][1]}", *run), RUNS))
    print("\n".join(reports))
    assert not [r for r in reports if r.startswith("FAILED")], "\n".join(reports)


def jupyter(folder: Path, framework: str) -> None:
    """The notebook block in the environment just made: installs Jupyter
    and opens a chapter's notebook; the server must come up serving it."""
    notebook = book.NOTEBOOKS / "ko" / framework / "chapter_convolutional-neural-networks" / "lenet.ipynb"
    (folder / "lenet.ipynb").write_bytes(notebook.read_bytes())
    install, open_line = blocks("ko")[("linux", "jupyter")].strip().splitlines()
    activate = f"source d2l-{framework}/bin/activate\n"
    result = run_block(activate + install, folder, sys.executable)
    assert result.returncode == 0, result.stderr
    # No browser here: BROWSER names a command that does nothing; a server
    # that never comes up is stopped after two minutes. Test machines may run
    # as root, which Jupyter refuses unless configured; its files stay here.
    config = folder / "jupyter-config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text('{"ServerApp": {"allow_root": true}}')
    env = {**os.environ, "BROWSER": "true", "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTER_RUNTIME_DIR": str(folder / "jupyter-runtime")}
    server = subprocess.Popen(["bash", "-c", f"{activate}exec timeout 120 {open_line}"], cwd=folder, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        log = []
        for line in server.stdout:
            log.append(line)
            if "lab/tree/lenet.ipynb" in line or "is running at" in line:
                break
        assert any("is running at" in line or "lab/tree/lenet.ipynb" in line for line in log), "".join(log)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_cpu_times_are_taken_as_tensorflow_learners_run(monkeypatch):
    # The table's TensorFlow times come from kernels with TensorFlow's oneDNN
    # kernels on; the book's notebooks turn them on in their first cell, as
    # the page says, quoting that line; it says how to for other notebooks.
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    assert execute.kernel_environment("full", Path("data"), Path("results.jsonl"))["TF_ENABLE_ONEDNN_OPTS"] == "1"
    for lang in book.editions():
        text = book.source_path(lang, "setup").read_text(encoding="utf-8")
        assert f"`{export.ONEDNN}`" in text, lang
        assert "`TF_ENABLE_ONEDNN_OPTS=1 jupyter lab`" in text, lang
        install = export.install_source(lang, "tensorflow", "chapter_convolutional-neural-networks/lenet", "url")
        assert export.ONEDNN in install.splitlines(), lang
