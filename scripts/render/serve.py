"""The writer's loop: serve one edition on localhost, rebuilt on every save
of its sources and reloaded in the browser (sphinx-autobuild).

What the reader sees are the merged pages (the book's source with the
executed outputs), so before each build `--prepare` does what `make book`
does for one edition's site, nothing more: execute the notebooks whose code
changed (the cache skips the rest; a prose edit executes nothing), merge the
edition's pages and write its Sphinx configuration when it changed
(scripts/render/html.py). No PDFs. sphinx-autobuild watches `book/<lang>/`,
the top-level configuration and the Sphinx extensions, and writes the site to
`_build/serve/<lang>/` (doctrees beside it), apart from `make html`'s output.

    make serve EDITION=ko [PORT=8000]
    python -m scripts.render.serve --lang ko [--port 8000]
    python -m scripts.render.serve --prepare --lang ko    # the pre-build step alone
"""
from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from scripts.environment import book, profiles
from scripts.pipeline import execute, merge
from scripts.render import html


def out_dir(lang: str) -> Path:
    return book.BUILD / "serve" / lang


def prepare(lang: str, request: str) -> int:
    """Execute what changed, merge one edition's site pages, configure it."""
    start = time.perf_counter()
    status = execute.main(["--profile", request])
    if status != 0:
        print("serve: execution failed (see above): fix the cell and save again", file=sys.stderr)
    try:
        written = merge.merge_edition(lang, request)
    except (merge.MergeError, merge.SourceError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    html.configure(lang)
    print(f"serve: {lang} prepared ({written} file(s) changed, {time.perf_counter() - start:.1f} s)", flush=True)
    return status


def command(lang: str, request: str, port: int, host: str) -> list[str]:
    """The sphinx-autobuild command line serving one edition."""
    autobuild = Path(sys.executable).parent / "sphinx-autobuild"
    pre_build = shlex.join([sys.executable, "-m", "scripts.render.serve", "--prepare",
                            "--lang", lang, "--profile", request])
    watched = [book.BOOK / lang, book.ROOT / "_config.yml", book.ROOT / "_toc.yml", html.SPHINX_EXT,
               *book.BOOK.glob("*.bib")]
    return [str(autobuild), str(book.site_source(lang)), str(out_dir(lang)),
            *html.sphinx_options(book.BUILD / "serve" / "doctrees" / lang, strict=False),
            "--port", str(port), "--host", host, "--pre-build", pre_build,
            # The pre-build step writes the merged pages it watches: those
            # writes are its own, not the writer's.
            "--ignore", str(book.site_source(lang)),
            *(arg for path in watched for arg in ("--watch", str(path)))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=list(book.editions()), required=True)
    parser.add_argument("--profile", default=None, help="quick, full or auto (default: $PROFILE or auto)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--prepare", action="store_true",
                        help="only the pre-build step: execute what changed, merge and configure the edition")
    args = parser.parse_args(argv)
    request = profiles.profile_request(args.profile)
    if args.prepare:
        return prepare(args.lang, request)
    cmd = command(args.lang, request, args.port, args.host)
    if not Path(cmd[0]).exists() and not shutil.which(cmd[0]):
        print("error: sphinx-autobuild is not installed in this environment: run `make setup`", file=sys.stderr)
        return 2
    # The first build needs the edition's configuration (conf.py) in place.
    status = prepare(args.lang, request)
    if status != 0:
        return status
    print(f"serve: http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
    try:
        return subprocess.run(cmd, env=html.sphinx_env(), cwd=book.ROOT).returncode
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
