"""Notebooks executed side by side share the CPU: each kernel gets its part
of the cores as its framework's thread count, so that busy threads never
outnumber the cores (scripts/pipeline/execute.py, thread_limits). Full-profile
notebooks run alone with every core unless --full-jobs asks otherwise."""
import os
import threading

import nbformat
import pytest

from scripts.environment import book
from tests.pipeline.test_faults import start

PAGE = """---
kernelspec:
  name: python3
  display_name: Python 3
---

# Threads

```{code-cell} ipython3
import os, torch
print(os.environ.get("OMP_NUM_THREADS", "-"), torch.get_num_threads())
```
"""


def tiny_book(root, names):
    for lang in book.editions():
        for name in names:
            path = root / "book" / lang / f"{name}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(PAGE, encoding="utf-8")


def threads_printed(root, profile, names):
    """(OMP_NUM_THREADS, torch's thread count) each page's kernel printed."""
    found = []
    for name in names:
        nb = nbformat.read(root / "_build" / "exec" / profile / name / "pytorch.ipynb", as_version=4)
        found.append(tuple(nb.cells[-1].outputs[0].text.split()))
    return found


SHARE = str(max(1, (os.cpu_count() or 1) // 2))


@pytest.mark.parametrize("profile, args, threads", [
    ("quick", (), (SHARE, SHARE)),   # --jobs 2
    ("full", ("--profile", "full", "--framework", "pytorch", "--full-jobs", "2"), (SHARE, SHARE)),
    # Alone: no cap, the framework's own thread count.
    ("full", ("--profile", "full", "--framework", "pytorch"), ("-",)),
])
def test_kernels_side_by_side_divide_the_cores(tmp_path, monkeypatch, profile, args, threads):
    names = ("one", "two")
    tiny_book(tmp_path, names)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)   # the kernels inherit this process's environment
    process = start(tmp_path, ",".join(names), *args)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, (out, err)
    assert [printed[:len(threads)] for printed in threads_printed(tmp_path, profile, names)] == [threads, threads]


def test_pages_running_every_framework_start_first_and_the_results_appendix_runs_last(tmp_path, monkeypatch):
    # The equivalence appendix (minutes of checks in one kernel) starts with
    # the first quick notebooks, on its share of the cores; the results
    # appendix, which shows what the others recorded, runs after all of them.
    from scripts.pipeline import execute

    monkeypatch.setattr(book, "BUILD", tmp_path / "_build")   # no stamp of the real build is touched
    started, lock = [], threading.Lock()

    def run(page, framework, profile, data_dir, force=False, threads=None):
        with lock:
            started.append((page, framework, threads))
        return execute.Outcome(page, framework, executed=False, seconds=0.0)

    monkeypatch.setattr(execute, "execute", run)
    assert execute.main(["--profile", "quick", "--jobs", "2"]) == 0
    jobs = [(page, framework) for page, framework, _ in started]
    assert ("chapter_convolutional-modern/vgg-equivalence", "all", int(SHARE)) in started[:2], started[:4]
    assert jobs[-1] == ("chapter_convolutional-modern/results", "all") and started[-1][2] is None
    assert len(jobs) == len(set(jobs)) and all(page != "setup" for page, _ in jobs)   # no code, no notebook
