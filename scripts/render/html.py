"""Render the merged pages of each edition to HTML with Sphinx (warnings are
errors), put each edition's notebook archives and PDFs beside its pages
(scripts/render/downloads.py), and write the site root: the landing page, the 404
page and the favicon (scripts/render/landing).

Each edition's configuration is derived from the top-level `_config.yml`:
only `title` and `language` differ (from its `editions` table); it is
written only when it changed. An edition whose inputs (merged pages,
configuration, extensions and static files, which PDFs it links) have the
digest stored at its last good build (`_build/doctrees/<lang>/inputs.sha256`)
is not rendered again (`--force` renders it all the same). `make book` runs
`--beside-pdf` while `make pdf` typesets, then this again: an edition whose
PDFs all exist already (their links are then final) is rendered beside the
typesetting, and the second run only copies the new PDFs.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from scripts.environment import book
from scripts.environment.files import folder_digest, paths_digest, write_if_changed
from scripts.render import downloads, landing


SPHINX_EXT = book.ROOT / "scripts" / "render" / "sphinx_ext"


def edition_config(lang: str) -> dict:
    cfg = book.config()
    editions = cfg.pop("editions")
    for key in ("full_on_cpu", "cpu_minutes"):   # the build's, not Jupyter Book's
        cfg.pop(key, None)
    edition = editions[lang]
    cfg["title"] = edition["title"]
    sphinx = cfg.setdefault("sphinx", {})
    sphinx_config = sphinx.setdefault("config", {})
    sphinx_config["language"] = edition["language"]
    sphinx_config["d2l_edition"] = lang
    sphinx_config["d2l_editions"] = copy.deepcopy(editions)
    sphinx_config["d2l_repository_url"] = cfg["repository"]["url"]
    sphinx_config["d2l_repository_branch"] = cfg["repository"].get("branch", "main")
    # The theme logs a console error when no colour mode is set.
    sphinx_config["html_context"] = {"default_mode": "auto"}
    # Notebooks offered for download (copied there by scripts/pipeline/merge.py).
    sphinx_config["html_extra_path"] = ["_extra"]
    # The archives of all its notebooks, in every page's download menu.
    sphinx_config["d2l_downloads"] = [
        {key: archive[key] for key in ("framework", "label", "href")}
        for archive in downloads.archives(lang)]
    # Its PDFs, those `make pdf` has built.
    sphinx_config["d2l_pdfs"] = downloads.pdfs(lang)
    sphinx.setdefault("extra_extensions", []).append("d2l_site")
    # Sphinx copies static files only when some page is rebuilt: a digest of
    # the extension in the configuration makes its edits rebuild the site.
    sphinx_config["d2l_site_digest"] = folder_digest(SPHINX_EXT)
    return cfg


def configure(lang: str) -> Path:
    """Write the edition's Sphinx configuration beside its merged pages (each
    file only when it changed, so an unchanged build stays unchanged); return
    that folder."""
    src = book.site_source(lang)
    src.mkdir(parents=True, exist_ok=True)
    dumped = yaml.safe_dump(edition_config(lang), allow_unicode=True, sort_keys=False)
    changed = write_if_changed(src / "_config.yml", dumped.encode("utf-8"))
    changed |= write_if_changed(src / "_toc.yml", (book.ROOT / "_toc.yml").read_bytes())
    if changed or not (src / "conf.py").exists():
        jupyter_book = Path(sys.executable).parent / "jupyter-book"
        subprocess.run([str(jupyter_book), "config", "sphinx", str(src)], check=True, stdout=subprocess.DEVNULL)
    return src


def sphinx_env() -> dict[str, str]:
    """The environment Sphinx runs in: the book's extensions live in
    scripts/render/sphinx_ext (see their docstrings), found on PYTHONPATH."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(SPHINX_EXT), os.environ.get("PYTHONPATH")])))


def sphinx_options(doctrees: Path, strict: bool = True) -> list[str]:
    """Options of every Sphinx run of the book: warnings are errors (all of
    them reported) where `strict`, quiet, doctrees kept apart."""
    return [*(["-W", "--keep-going"] if strict else []), "-q", "-d", str(doctrees)]


def sphinx(builder: str, src: Path, out: Path, doctrees: Path) -> int:
    """Run a Sphinx builder with warnings as errors; return its exit status."""
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, *sphinx_options(doctrees), str(src), str(out)]
    return subprocess.run(cmd, env=sphinx_env()).returncode


def doctrees(lang: str) -> Path:
    return book.BUILD / "doctrees" / lang


def inputs_digest(lang: str) -> str:
    """What an edition's HTML is made from: its merged pages with their
    configuration and files (downloads offered, notebooks), the Sphinx
    extensions with their static files, which PDFs its download menu links
    (not their content: main copies them after rendering) and this
    rendering code."""
    code = [Path(__file__), Path(downloads.__file__)]
    parts = [folder_digest(book.site_source(lang)), folder_digest(SPHINX_EXT),
             *(paths_digest([p], p.parent) for p in code), repr(downloads.pdfs(lang))]
    return hashlib.sha256("".join(parts).encode()).hexdigest()


def build(lang: str, force: bool = False) -> tuple[int, bool]:
    """Render one edition unless its inputs are those of its last good build;
    return Sphinx's exit status (0 when skipped) and whether it ran."""
    configure(lang)
    stamp = doctrees(lang) / "inputs.sha256"
    digest = inputs_digest(lang)
    built = (book.html_dir(lang) / "index.html").exists()
    if not force and built and stamp.exists() and stamp.read_text() == digest:
        return 0, False
    status = sphinx("html", book.site_source(lang), book.html_dir(lang), doctrees(lang))
    if status == 0:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(digest)
    elif stamp.exists():
        stamp.unlink()
    return status, True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lang", choices=list(book.editions()), action="append")
    parser.add_argument("--force", action="store_true", help="run Sphinx even where the inputs are unchanged")
    parser.add_argument("--beside-pdf", action="store_true",
                        help="while `make pdf` typesets (make book): render only the editions whose PDFs "
                             "all exist already, copy nothing; run again without it afterwards")
    args = parser.parse_args(argv)
    failed = []
    for lang in args.lang or list(book.editions()):
        built = {pdf["framework"] for pdf in downloads.pdfs(lang)}
        missing = [fw for fw in book.FRAMEWORKS if fw not in built]
        if missing and args.beside_pdf:   # its menu changes once they are: render it after them
            print(f"html: {lang} (rendered after the PDFs: {', '.join(missing)} not built yet)")
            continue
        if missing:
            print(f"note: edition {lang} has no PDF for {', '.join(missing)} in its download menu: "
                  "run `make pdf` first", file=sys.stderr)
        start = time.perf_counter()
        status, ran = build(lang, args.force)
        if status != 0:
            failed.append(lang)
        if not args.beside_pdf:   # the PDFs may be half written until `make pdf` ends
            downloads.write(lang)
        print(f"html: {lang} " + (f"(rendered in {time.perf_counter() - start:.0f} s)" if ran else "(up to date)"))
    if not args.beside_pdf:
        landing.write()
    if failed:
        print(f"error: the HTML build failed for {', '.join(failed)}", file=sys.stderr)
        return 1
    if not args.beside_pdf:
        print(f"site: {book.html_dir() / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
