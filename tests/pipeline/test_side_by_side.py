"""Notebooks executed side by side share the CPU: each kernel gets its part
of the cores as its framework's thread count, so that busy threads never
outnumber the cores (scripts/pipeline/execute.py, thread_limits)."""
import os

import nbformat

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
print(os.environ["OMP_NUM_THREADS"], torch.get_num_threads())
```
"""


def test_kernels_side_by_side_divide_the_cores(tmp_path):
    names = ("one", "two")
    for lang in book.editions():
        for name in names:
            path = tmp_path / "book" / lang / f"{name}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(PAGE, encoding="utf-8")
    process = start(tmp_path, ",".join(names))   # --jobs 2
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, (out, err)
    share = max(1, (os.cpu_count() or 1) // 2)
    for name in names:
        nb = nbformat.read(tmp_path / "_build" / "exec" / "quick" / name / "pytorch.ipynb", as_version=4)
        assert nb.cells[-1].outputs[0].text.split() == [str(share), str(share)]
