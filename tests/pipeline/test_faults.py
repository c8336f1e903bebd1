"""Faults a maintainer meets while executing: Ctrl-C in the middle of a
notebook (one at a time, or several side by side), and a second build
started beside a running one. Each runs real `scripts.pipeline.execute`
processes on a tiny book of one or two pages."""
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripts.environment import book

# execute.main on a book of a few pages under `root`, as `python -m scripts.pipeline.execute` runs it
# (its arguments after the pages, else a quick run of PyTorch, two notebooks at a time).
DRIVER = """
import sys
from pathlib import Path
from scripts.environment import book
from scripts.pipeline import execute
root = Path(sys.argv[1])
book.BOOK, book.BUILD = root / "book", root / "_build"
book.pages = lambda: sys.argv[2].split(",")
sys.exit(execute.main(sys.argv[3:] or ["--profile", "quick", "--framework", "pytorch", "--jobs", "2"]))
"""

PAGE = """---
kernelspec:
  name: python3
  display_name: Python 3
---

# A slow page

```{{code-cell}} ipython3
import pathlib, time
pathlib.Path({started!r}).touch()
time.sleep({seconds})
print('done')
```
"""


def tiny_book(root: Path, seconds: int, name: str = "slow") -> Path:
    started = root / f"started-{name}"
    for lang in book.editions():
        path = root / "book" / lang / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PAGE.format(started=str(started), seconds=seconds), encoding="utf-8")
    return started


def start(root: Path, pages: str = "slow", *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", DRIVER, str(root), pages, *args], cwd=book.ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(path: Path, process: subprocess.Popen, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            pytest.fail(f"the build ended before its cell ran:\n{process.communicate()}")
        assert time.monotonic() < deadline, "the cell never started"
        time.sleep(0.2)


def test_ctrl_c_says_what_was_stopped_and_kept(tmp_path):
    started = tiny_book(tmp_path, seconds=120)
    process = start(tmp_path)
    wait_for(started, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert "interrupted: page slow, framework pytorch was stopped and not written" in err
    assert "running the same command again resumes" in err
    assert "Traceback" not in err and "AssertionError" not in err, err
    notebook = tmp_path / "_build" / "exec" / "quick" / "slow" / "pytorch.ipynb"
    assert not notebook.exists()
    assert not list(notebook.parent.glob("*.partial")) and not list(notebook.parent.glob("*.jsonl"))


def test_ctrl_c_stops_the_notebooks_running_side_by_side(tmp_path):
    started = [tiny_book(tmp_path, seconds=120, name=name) for name in ("slow", "slower")]
    process = start(tmp_path, "slow,slower")
    for path in started:   # both run at once (--jobs 2)
        wait_for(path, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert re.search(r"interrupted: page slow(er)?, framework pytorch was stopped and not written", err), err
    assert "Traceback" not in err, err
    for name in ("slow", "slower"):
        folder = tmp_path / "_build" / "exec" / "quick" / name
        assert not (folder / "pytorch.ipynb").exists() and not list(folder.glob("*.jsonl"))


def test_a_second_build_waits_for_the_first_and_reuses_its_work(tmp_path):
    started = tiny_book(tmp_path, seconds=8)
    first = start(tmp_path)
    wait_for(started, first)
    second = start(tmp_path)
    out2, err2 = second.communicate(timeout=180)
    out1, err1 = first.communicate(timeout=60)
    assert first.returncode == 0 and second.returncode == 0, (err1, err2)
    assert "another build is executing notebooks in" in err2 and "waiting for it" in err2
    assert "slow pytorch: executed" in out1
    assert "slow pytorch: cached" in out2, out2
