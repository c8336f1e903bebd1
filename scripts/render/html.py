"""Render the merged pages of each edition to HTML with Sphinx (warnings are
errors), put each edition's notebook archives and PDFs beside its pages
(scripts/render/downloads.py), and write the site root: the landing page, the 404
page and the favicon (scripts/render/landing).

Each edition's configuration is derived from the top-level `_config.yml`:
only `title` and `language` differ (from its `editions` table).
"""
from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
from pathlib import Path

import yaml

from scripts.environment import book
from scripts.environment.files import folder_digest, write_if_changed
from scripts.render import downloads, landing


SPHINX_EXT = book.ROOT / "scripts" / "render" / "sphinx_ext"


def edition_config(lang: str) -> dict:
    cfg = book.config()
    editions = cfg.pop("editions")
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


def configure(lang: str) -> None:
    src = book.site_source(lang)
    src.mkdir(parents=True, exist_ok=True)
    dumped = yaml.safe_dump(edition_config(lang), allow_unicode=True, sort_keys=False)
    write_if_changed(src / "_config.yml", dumped.encode("utf-8"))
    write_if_changed(src / "_toc.yml", (book.ROOT / "_toc.yml").read_bytes())
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    subprocess.run([str(jupyter_book), "config", "sphinx", str(src)], check=True, stdout=subprocess.DEVNULL)


def sphinx(builder: str, src: Path, out: Path, doctrees: Path) -> int:
    """Run a Sphinx builder with warnings as errors; return its exit status."""
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-q",
           "-d", str(doctrees), str(src), str(out)]
    # The book's extensions live in scripts/render/sphinx_ext (see their docstrings).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(SPHINX_EXT), os.environ.get("PYTHONPATH")])))
    return subprocess.run(cmd, env=env).returncode


def build(lang: str) -> int:
    configure(lang)
    return sphinx("html", book.site_source(lang), book.html_dir(lang), book.BUILD / "doctrees" / lang)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lang", choices=list(book.editions()), action="append")
    args = parser.parse_args(argv)
    failed = []
    for lang in args.lang or list(book.editions()):
        built = {pdf["framework"] for pdf in downloads.pdfs(lang)}
        missing = [fw for fw in book.FRAMEWORKS if fw not in built]
        if missing:
            print(f"note: edition {lang} has no PDF for {', '.join(missing)} in its download menu: "
                  "run `make pdf` first", file=sys.stderr)
        if build(lang) != 0:
            failed.append(lang)
        downloads.write(lang)
    landing.write()
    if failed:
        print(f"error: the HTML build failed for {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"site: {book.html_dir() / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
