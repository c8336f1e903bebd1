"""Render the merged pages of each edition to HTML with Sphinx (warnings are
errors), and write the root page that links both editions.

Each edition's configuration is derived from the top-level `_config.yml`:
only `title` and `language` differ (from its `editions` table).
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import html
import os
import subprocess
import sys
from pathlib import Path

import yaml

from scripts import book
from scripts.merge import write_if_changed


SPHINX_EXT = book.ROOT / "scripts" / "sphinx_ext"


def source_digest(folder) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
    # Notebooks offered for download (copied there by scripts/merge.py).
    sphinx_config["html_extra_path"] = ["_extra"]
    sphinx.setdefault("extra_extensions", []).append("d2l_site")
    # Sphinx copies static files only when some page is rebuilt: a digest of
    # the extension in the configuration makes its edits rebuild the site.
    sphinx_config["d2l_site_digest"] = source_digest(SPHINX_EXT)
    return cfg


def configure(lang: str) -> None:
    src = book.site_source(lang)
    src.mkdir(parents=True, exist_ok=True)
    dumped = yaml.safe_dump(edition_config(lang), allow_unicode=True, sort_keys=False)
    write_if_changed(src / "_config.yml", dumped.encode("utf-8"))
    write_if_changed(src / "_toc.yml", (book.ROOT / "_toc.yml").read_bytes())
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    subprocess.run([str(jupyter_book), "config", "sphinx", str(src)], check=True, stdout=subprocess.DEVNULL)


def build(lang: str) -> int:
    configure(lang)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
           "-d", str(book.BUILD / "doctrees" / lang), str(book.site_source(lang)), str(book.html_dir(lang))]
    # The site extension lives in scripts/sphinx_ext (see its package docstring).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(SPHINX_EXT), os.environ.get("PYTHONPATH")])))
    return subprocess.run(cmd, env=env).returncode


def root_page() -> str:
    links = "\n".join(
        f'    <li><a href="{lang}/index.html" hreflang="{e["hreflang"]}" lang="{e["hreflang"]}">'
        f'{html.escape(e["label"])} — {html.escape(e["title"])}</a></li>'
        for lang, e in book.editions().items())
    alternates = "\n".join(
        f'  <link rel="alternate" hreflang="{e["hreflang"]}" href="{lang}/index.html">'
        for lang, e in book.editions().items())
    return f"""<!DOCTYPE html>
<html lang="mul">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{html.escape(book.config()["title"])}</title>
{alternates}
  <style>
    body {{ font-family: "Noto Sans CJK KR", "Noto Sans CJK SC", system-ui, sans-serif;
           max-width: 40rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.6; }}
    @media (prefers-color-scheme: dark) {{ body {{ background: #121212; color: #e6e6e6; }}
           a {{ color: #8ab4f8; }} }}
    li {{ font-size: 1.3rem; margin: .5rem 0; }}
  </style>
</head>
<body>
  <h1>{html.escape(book.config()["title"])}</h1>
  <ul>
{links}
  </ul>
</body>
</html>
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lang", choices=list(book.editions()), action="append")
    args = parser.parse_args(argv)
    failed = [lang for lang in args.lang or list(book.editions()) if build(lang) != 0]
    write_if_changed(book.html_dir() / "index.html", root_page().encode("utf-8"))
    if failed:
        print(f"error: the HTML build failed for {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"site: {book.html_dir() / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
