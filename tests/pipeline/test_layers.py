"""The layering check (scripts/checks/layers.py): the real scripts/ keeps
its stages in order without cycles, and a tree with a cycle and an upward
import is refused, naming both."""
from pathlib import Path

from scripts.checks import layers

ROOT = Path(layers.__file__).resolve().parents[1]


def test_the_scripts_keep_their_layers(capsys):
    assert layers.main([]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "stages: environment < pipeline < {checks, notebooks, render}" in out
    assert "environment (" in out and "imports nothing of another stage" in out


def test_every_stage_is_a_package_with_a_docstring():
    for stage in layers.STAGES:
        init = ROOT / stage / "__init__.py"
        assert init.is_file(), f"{stage} is no package"
        assert init.read_text(encoding="utf-8").startswith('"""'), f"{init} says nothing of its stage"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_cycle_and_an_upward_import_are_caught(tmp_path, capsys):
    root = write(tmp_path / "scripts", {
        "__init__.py": "",
        "environment/__init__.py": '"""Stage 0."""\n',
        # the layout reaches up into the pipeline, lazily: still a dependency
        "environment/book.py": "def pages():\n    from scripts.pipeline import merge\n",
        "environment/machine.py": "import os\n",
        "pipeline/__init__.py": '"""Stage 1."""\n',
        # a cycle: merge -> split -> merge (the second through a relative import)
        "pipeline/merge.py": "from scripts.environment import machine\nfrom scripts.pipeline.split import split\n",
        "pipeline/split.py": "from . import merge\n\ndef split():\n    pass\n",
        "render/__init__.py": '"""Stage 2."""\n',
        "render/html.py": "from scripts.pipeline import merge\nimport yaml\n",
    })
    assert layers.main(["--root", str(root)]) == 1
    captured = capsys.readouterr()
    assert ("upward import: scripts.environment.book (environment) imports scripts.pipeline.merge "
            "(pipeline), a later stage, at scripts/environment/book.py:2") in captured.err
    assert ("import cycle between modules: scripts.pipeline.merge -> scripts.pipeline.split -> "
            "scripts.pipeline.merge") in captured.err
    assert "2 layering problem(s)" in captured.err
    # render -> pipeline is downward, and yaml is not ours: neither is reported
    assert "scripts.render.html" not in captured.err
    assert "environment (3 modules) imports pipeline (1)" in captured.out


def test_a_sideways_import_between_the_last_stages_is_caught(tmp_path, capsys):
    root = write(tmp_path / "scripts", {
        "__init__.py": "",
        "render/__init__.py": "",
        "render/pdf.py": "from scripts.checks.bench import timed\n",
        "checks/__init__.py": "",
        "checks/bench.py": "def timed():\n    pass\n",
    })
    assert layers.main(["--root", str(root)]) == 1
    assert "sideways import: scripts.render.pdf (render) imports scripts.checks.bench" in capsys.readouterr().err
