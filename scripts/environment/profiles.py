"""Which execution profile (`quick` or `full`) a notebook runs in.

`quick` trains for a few batches, `full` as the chapters say; `auto` picks
full where a framework can train on a CUDA GPU here (scripts/environment/
machine.py asks) and quick elsewhere.
"""
from __future__ import annotations

import os

from scripts.environment import machine
from scripts.environment.book import FRAMEWORKS

PROFILES = ("quick", "full")


def profile_request(profile: str | None) -> str:
    """`quick`, `full` or `auto`: the argument, else $PROFILE, else auto."""
    profile = profile or os.environ.get("PROFILE") or "auto"
    if profile not in (*PROFILES, "auto"):
        raise SystemExit(f"unknown profile {profile!r}: use one of {', '.join(PROFILES)} or auto")
    return profile


def resolve_profile(request: str, notebook: str) -> str:
    """The profile a notebook (a framework's, or the one of a page that runs
    every framework) executes in: the requested one, or for `auto` full where
    its framework can train on a CUDA GPU here and quick elsewhere. Pages that
    run every framework are checks on the CPU: quick under `auto`."""
    if request != "auto":
        return request
    return "full" if notebook in FRAMEWORKS and machine.framework_sees_gpu(notebook) else "quick"
