"""One environment and kernel per framework: PyTorch and TensorFlow on
numpy 2, MXNet on numpy 1.x, and every page's notebook in its framework's
kernel."""
import json
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

from scripts.environment import book, kernels
from scripts.pipeline.source import parse
from scripts.pipeline.split import notebooks_for

NUMPY_MAJOR = {"mxnet": "1", "pytorch": "2", "tensorflow": "2"}
ASK = "import json, sys, numpy; print(json.dumps([sys.prefix, numpy.__version__]))"


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_each_frameworks_kernel_runs_in_its_own_environment(framework):
    manager, client = start_new_kernel(kernel_name=kernels.kernel_name(framework))
    try:
        said = []
        client.execute_interactive(ASK, timeout=60, output_hook=lambda msg: said.append(
            msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    prefix, numpy = json.loads("".join(said))
    assert Path(prefix).resolve() == (kernels.ENVS / framework).resolve()
    assert numpy.split(".")[0] == NUMPY_MAJOR[framework]
    assert kernels.versions(framework)["numpy"] == numpy


NOTEBOOKS = [(page, name) for page in book.pages()
             for name in notebooks_for(parse(book.source_path(book.executed_edition(), page)))]


@pytest.mark.parametrize("page, name", NOTEBOOKS)
def test_every_notebook_ran_in_its_frameworks_kernel(executed_book, page, name):
    meta = nbformat.read(book.executed_path("quick", page, name), as_version=4).metadata["d2l"]
    assert meta["kernel"] == kernels.kernel_name(name)
    if name in NUMPY_MAJOR:
        assert meta["stamp"]["numpy"].split(".")[0] == NUMPY_MAJOR[name]
