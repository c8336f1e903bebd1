"""Where things are: the repository layout, editions, frameworks and pages.

Every build step imports its paths from here, so the layout is described once.
It describes the book only, never the machine: which profile a notebook runs
in (that depends on the GPU) is scripts/environment/profiles.py.
"""
from __future__ import annotations

import copy
import functools
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

# libyaml's loader where PyYAML has it: every build step reads the
# configuration and the table of contents, and every page's front matter.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
BUILD = Path(os.environ.get("D2L_BUILD_DIR", ROOT / "_build"))
NOTEBOOKS = ROOT / "notebooks"
D2L = ROOT / "d2l"   # the readers' package

# The order here is the order of the tabs on every page.
FRAMEWORKS = ("mxnet", "pytorch", "tensorflow")
FRAMEWORK_LABELS = {"mxnet": "MXNet", "pytorch": "PyTorch", "tensorflow": "TensorFlow"}


@functools.lru_cache(maxsize=8)
def _read_yaml(path: Path, mtime_ns: int, size: int):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)


def read_yaml(path: Path):
    """A YAML file, parsed once per process while it is unchanged; a copy,
    which the caller may change."""
    stat = path.stat()
    return copy.deepcopy(_read_yaml(path, stat.st_mtime_ns, stat.st_size))


def config() -> dict:
    """The top-level `_config.yml`."""
    return read_yaml(ROOT / "_config.yml")


def editions() -> dict[str, dict]:
    """Edition settings keyed by folder name (`ko`, `zh`)."""
    return config()["editions"]


def pages() -> list[str]:
    """Page names (paths without `.md`, relative to an edition) in TOC order."""
    toc = read_yaml(ROOT / "_toc.yml")
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


def d2l_version(root: Path = ROOT) -> str:
    """`d2l.__version__` as d2l/__init__.py assigns it, read without
    importing the package."""
    text = (root / "d2l" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r"^__version__ = ['\"]([^'\"]+)['\"]", text, re.MULTILINE).group(1)


def shown(path: Path) -> str:
    """A path as messages show it: relative to the repository when inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def source_path(lang: str, page: str) -> Path:
    return BOOK / lang / f"{page}.md"


def page_of(source: Path) -> str | None:
    """The page name (`chapter_.../name`) of an edition's source file; None
    for a file outside book/."""
    try:
        relative = Path(source).resolve().relative_to(BOOK.resolve())
    except ValueError:
        return None
    return relative.with_suffix("").as_posix().split("/", 1)[1]


def executed_edition() -> str:
    """The edition whose source the build executes, once for all editions:
    scripts/pipeline/code_parity.py holds every other edition to the same code."""
    return next(iter(editions()))


def exec_dir(profile: str) -> Path:
    """Executed notebooks of one profile; each profile keeps its own cache."""
    return BUILD / "exec" / profile


def executed_path(profile: str, page: str, framework: str) -> Path:
    """A page's executed notebook for one framework, shown in every edition."""
    return exec_dir(profile) / page / f"{framework}.ipynb"


def reports_dir(notebook: Path) -> Path:
    """Where the checks an executed notebook ran (the equivalence appendix's)
    left their reports, beside it, for the tests to read rather than run the
    checks again."""
    return notebook.with_suffix(".reports")


def site_source(lang: str) -> Path:
    """Merged MyST pages that Sphinx renders for one edition."""
    return BUILD / "src" / lang


def pdf_source(lang: str, framework: str) -> Path:
    """Merged MyST pages of one edition with one framework's code, for its PDF."""
    return BUILD / "pdf" / "src" / lang / framework


def pdf_stem(lang: str, framework: str) -> str:
    return f"d2l-{lang}-{framework}"


def pdf_latex(lang: str, framework: str) -> Path:
    """The LaTeX sources of that PDF, with latexmk's log beside them."""
    return BUILD / "pdf" / "latex" / lang / framework


def pdf_path(lang: str, framework: str) -> Path:
    """The PDF of one edition with one framework's code (scripts/render/pdf.py)."""
    return BUILD / "pdf" / f"{pdf_stem(lang, framework)}.pdf"


def site_url() -> str:
    """The site's absolute URL (`html.baseurl` in `_config.yml`), or ''."""
    url = config().get("html", {}).get("baseurl", "")
    return url if not url or url.endswith("/") else url + "/"


def site_path() -> str:
    """The path of the site root on its host: `/vgg-book/` for a project site."""
    path = urlparse(site_url()).path or "/"
    return path if path.endswith("/") else path + "/"


def html_dir(lang: str | None = None) -> Path:
    return BUILD / "html" if lang is None else BUILD / "html" / lang
