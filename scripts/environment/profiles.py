"""Which execution profile (`quick` or `full`) a notebook runs in.

`quick` trains for a few batches, `full` as the chapters say; `auto` picks
full where a framework can train on a CUDA GPU here (scripts/environment/
machine.py asks), or where `_config.yml`'s `full_on_cpu` lists the page and
framework as cheap enough for a CPU, and quick elsewhere.
"""
from __future__ import annotations

import contextlib
import contextvars
import os

from scripts.environment import machine
from scripts.environment import book
from scripts.environment.book import FRAMEWORKS

PROFILES = ("quick", "full")


# The request a build step works for, set by `requested` in its own thread.
_REQUESTED: contextvars.ContextVar[str | None] = contextvars.ContextVar("profile_request", default=None)


@contextlib.contextmanager
def requested(profile: str):
    """Within the block, in this thread only, `profile_request(None)` is
    `profile`: for code that reads the request (the results appendix's
    inputs) while other threads run. Setting $PROFILE instead would change
    the environment of every thread, and of the processes they start."""
    token = _REQUESTED.set(profile)
    try:
        yield
    finally:
        _REQUESTED.reset(token)


def profile_request(profile: str | None) -> str:
    """`quick`, `full` or `auto`: the argument, else the one `requested`
    sets in this thread, else $PROFILE, else auto."""
    profile = profile or _REQUESTED.get() or os.environ.get("PROFILE") or "auto"
    if profile not in (*PROFILES, "auto"):
        raise SystemExit(f"unknown profile {profile!r}: use one of {', '.join(PROFILES)} or auto")
    return profile


def full_on_cpu() -> dict[str, frozenset[str]]:
    """{page: frameworks} that run the full profile under `auto` even on a
    CPU (`_config.yml`'s `full_on_cpu`), checked against the book."""
    listed = book.config().get("full_on_cpu") or {}
    pages = set(book.pages())
    for page, frameworks in listed.items():
        if page not in pages:
            raise SystemExit(f"_config.yml: full_on_cpu names {page!r}, which is not a page of _toc.yml")
        unknown = set(frameworks) - set(FRAMEWORKS)
        if unknown:
            raise SystemExit(f"_config.yml: full_on_cpu: {page}: unknown framework(s) {', '.join(sorted(unknown))}")
    return {page: frozenset(frameworks) for page, frameworks in listed.items()}


def resolve_profile(request: str, notebook: str, page: str | None = None) -> str:
    """The profile a notebook (a framework's, or the one of a page that runs
    every framework) of `page` executes in: the requested one, or for `auto`
    full where its framework can train on a CUDA GPU here or the page is
    listed as cheap enough for a CPU, and quick elsewhere. Pages that run
    every framework are checks on the CPU: quick under `auto`."""
    if request != "auto" or notebook not in FRAMEWORKS:
        return "quick" if request == "auto" else request
    if page is not None and notebook in full_on_cpu().get(page, ()):
        return "full"
    return "full" if machine.framework_sees_gpu(notebook) else "quick"
