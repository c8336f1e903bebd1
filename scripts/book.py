"""Where things are: the repository layout, editions, frameworks and pages.

Every build step imports its paths from here, so the layout is described once.
"""
from __future__ import annotations

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
BUILD = Path(os.environ.get("D2L_BUILD_DIR", ROOT / "_build"))
NOTEBOOKS = ROOT / "notebooks"

# The order here is the order of the tabs on every page.
FRAMEWORKS = ("mxnet", "pytorch", "tensorflow")
FRAMEWORK_LABELS = {"mxnet": "MXNet", "pytorch": "PyTorch", "tensorflow": "TensorFlow"}
PROFILES = ("quick", "full")


def config() -> dict:
    """The top-level `_config.yml`."""
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def editions() -> dict[str, dict]:
    """Edition settings keyed by folder name (`ko`, `zh`)."""
    return config()["editions"]


def pages() -> list[str]:
    """Page names (paths without `.md`, relative to an edition) in TOC order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(entries):
        for entry in entries or ():
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts") or ():
        walk(part.get("chapters"))
    return found


def shown(path: Path) -> str:
    """A path as messages show it: relative to the repository when inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def source_path(lang: str, page: str) -> Path:
    return BOOK / lang / f"{page}.md"


def exec_dir(profile: str) -> Path:
    """Executed notebooks of one profile; each profile keeps its own cache."""
    return BUILD / "exec" / profile


def executed_path(profile: str, lang: str, page: str, framework: str) -> Path:
    return exec_dir(profile) / lang / page / f"{framework}.ipynb"


def site_source(lang: str) -> Path:
    """Merged MyST pages that Sphinx renders for one edition."""
    return BUILD / "src" / lang


def html_dir(lang: str | None = None) -> Path:
    return BUILD / "html" if lang is None else BUILD / "html" / lang


def resolve_profile(profile: str | None) -> str:
    """`quick` or `full`; `auto` (or nothing) means full when a CUDA GPU is visible."""
    profile = profile or os.environ.get("PROFILE") or "auto"
    if profile == "auto":
        from scripts.environment import cuda_gpu_name

        return "full" if cuda_gpu_name() else "quick"
    if profile not in PROFILES:
        raise SystemExit(f"unknown profile {profile!r}: use one of {', '.join(PROFILES)} or auto")
    return profile
