"""`make bench` on this machine: the execution table of the quick book and
both PyTorch input pipelines, timed alike (no speed is asserted)."""
import json

import pytest

from d2l import _core
from scripts.checks import bench
from scripts.environment import book
from scripts.pipeline.source import parse
from scripts.pipeline.split import notebooks_for


def test_bench_reports_pages_and_both_pipelines(executed_book, capsys, monkeypatch):
    # On a CPU bench switches d2l to the quick profile for the whole process;
    # a quarter of its images are enough to check the report (VGG on all 256
    # took about 100 s of the suite).
    monkeypatch.setenv("D2L_PROFILE", "quick")
    monkeypatch.setattr(_core, "QUICK_TRAIN", 64)
    monkeypatch.setattr(_core, "QUICK_TEST", 64)
    assert bench.main(["--profile", "quick", "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    report = json.loads((book.BUILD / "bench.json").read_text())

    # Every page's notebooks, each executed once for both editions.
    notebooks = {(r["page"], r["notebook"]) for r in report["execution"]}
    assert notebooks == {(page, name) for page in book.pages()
                         for name in notebooks_for(parse(book.source_path(book.executed_edition(), page)))}
    assert all(r["seconds"] > 0 for r in report["execution"])

    speed = report["pytorch_pipelines"]
    assert speed["epochs"] == 1
    assert len(speed["textbook_epoch_seconds"]) == len(speed["d2l_epoch_seconds"]) == 1
    # Speeds are rounded to 0.1: on a busy CPU VGG's quick epoch ran at 1.4
    # examples/sec, where that is more than 1%.
    assert speed["textbook_examples_per_sec"] == pytest.approx(
        speed["examples"] / speed["textbook_epoch_seconds"][0], rel=0.01, abs=0.05)
    # The report rounds speeds to 0.1 and the speed-up to 0.01: allow for both.
    ratio = speed["d2l_examples_per_sec"] / speed["textbook_examples_per_sec"]
    rounding = ratio * (0.05 / speed["d2l_examples_per_sec"] + 0.05 / speed["textbook_examples_per_sec"])
    assert speed["speedup"] == pytest.approx(ratio, abs=rounding + 0.005)
    assert "textbook pipeline" in out and "d2l pipeline" in out and "speed-up:" in out
