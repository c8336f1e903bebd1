"""Typeset the book as one PDF per edition and framework: the edition's prose
with that framework's code and executed outputs only, through Sphinx's LaTeX
builder and XeLaTeX (latexmk), Korean and Chinese set with CJK fonts.

For each edition and framework: merge the pages with that framework's cells
(scripts/pipeline/merge.py), derive a Sphinx configuration from the top-level
`_config.yml` (as scripts/render/html.py does) plus the typesetting settings
of scripts/render/latex.py, write LaTeX with warnings as errors, run latexmk,
and check the log: a LaTeX error, a missing glyph or a font substitution
fails the build, naming edition, framework and the page where it can. A PDF
whose inputs (merged pages, configuration, extensions, this code) have the
digest stored at its last typesetting is not typeset again. The PDFs are
merged one after the other and typeset side by side, one more than there
are cores, each printed as "(N pages, typeset in S s)" or "(N pages, up to
date)". The PDFs land in `_build/pdf/` (see `book.pdf_path`);
scripts/render/html.py offers them in each page's download menu.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from multiprocessing.pool import ThreadPool
from pathlib import Path

import yaml

from scripts.environment import book, inputs, profiles
from scripts.environment.files import folder_digest, write_if_changed
from scripts.render import latex
from scripts.pipeline import merge
from scripts.render.html import SPHINX_EXT, edition_config, sphinx


class PdfError(RuntimeError):
    pass


# What typesetting needs from the system, and the Debian package with it
# (scripts/environment/system_packages.sh installs them all).
TOOLS = {"xelatex": "texlive-xetex", "latexmk": "latexmk", "rsvg-convert": "librsvg2-bin",
         "pdfinfo": "poppler-utils"}
STYLES = {"xeCJK.sty": "texlive-lang-chinese", "titlesec.sty": "texlive-latex-extra",
          "FreeSerif.otf": "fonts-freefont-otf"}


def missing_tools() -> list[str]:
    """The Debian packages whose programs or TeX files are not found here."""
    missing = [package for tool, package in TOOLS.items() if not shutil.which(tool)]
    if shutil.which("kpsewhich"):
        found = subprocess.run(["kpsewhich", *STYLES], capture_output=True, text=True).stdout.split()
        missing += [package for name, package in STYLES.items()
                    if not any(Path(path).name == name for path in found)]
    return missing


def pdf_config(lang: str, framework: str) -> dict:
    """The edition's Jupyter Book configuration with the LaTeX settings of
    its PDF for one framework."""
    cfg = edition_config(lang)
    # Jupyter Book's own LaTeX extension loads packages that clash with the
    # CJK ones; Sphinx's builder is configured in scripts/render/latex.py instead.
    cfg["latex"] = {"latex_engine": "xelatex", "use_jupyterbook_latex": False}
    sphinx_config = cfg["sphinx"]["config"]
    sphinx_config.update(latex.sphinx_settings(lang, framework, cfg))
    # The site's downloads: not the PDF's, which would otherwise follow which
    # PDFs exist.
    for key in ("html_extra_path", "d2l_downloads", "d2l_pdfs"):
        del sphinx_config[key]
    cfg["sphinx"]["extra_extensions"] += ["d2l_latex"]  # it loads sphinxcontrib.rsvgconverter
    return cfg


def configure(lang: str, framework: str) -> Path:
    src = book.pdf_source(lang, framework)
    dumped = yaml.safe_dump(pdf_config(lang, framework), allow_unicode=True, sort_keys=False)
    configured = write_if_changed(src / "_config.yml", dumped.encode("utf-8"))
    site_toc = yaml.safe_load((book.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    write_if_changed(src / "_toc.yml", yaml.safe_dump(latex.toc(site_toc), sort_keys=False).encode())
    # Its title becomes the PDF's; the title page (scripts/render/latex.py) shows it.
    write_if_changed(src / f"{latex.ROOT_DOC}.md", f"# {book.editions()[lang]['title']}\n".encode())
    if configured or not (src / "conf.py").exists():
        jupyter_book = Path(sys.executable).parent / "jupyter-book"
        subprocess.run([str(jupyter_book), "config", "sphinx", str(src)], check=True, stdout=subprocess.DEVNULL)
    return src


def inputs_digest(src: Path) -> str:
    """What a PDF is made from: its merged pages and configuration, the
    Sphinx extensions and this typesetting code."""
    code = [Path(__file__), Path(latex.__file__)]
    return hashlib.sha256("".join(
        [folder_digest(src), folder_digest(SPHINX_EXT), *(hashlib.sha256(p.read_bytes()).hexdigest() for p in code)]
    ).encode()).hexdigest()


def sphinx_latex(lang: str, framework: str, src: Path) -> Path:
    """Write the LaTeX sources; return the folder holding them."""
    out = book.pdf_latex(lang, framework)
    if sphinx("latex", src, out, book.BUILD / "pdf" / "doctrees" / lang / framework) != 0:
        raise PdfError("Sphinx could not write the LaTeX sources (see its messages above)")
    return out


def typeset(lang: str, framework: str, folder: Path) -> Path:
    """Run latexmk (XeLaTeX) on the LaTeX sources; raise PdfError naming the
    page on an error, a missing glyph or a font substitution."""
    stem = book.pdf_stem(lang, framework)
    tex = folder / f"{stem}.tex"
    cmd = ["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
           "-norc", "-silent", tex.name]
    # TeX wraps log lines at 79 characters unless told otherwise.
    env = dict(os.environ, max_print_line="100000", error_line="254", half_error_line="238")
    run = subprocess.run(cmd, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    log = folder / f"{stem}.log"
    problems = latex.log_problems(log.read_text(encoding="utf-8", errors="replace") if log.exists() else "",
                                  tex.read_text(encoding="utf-8"))
    if problems:
        raise PdfError("\n".join(problems) + f"\n(log: {book.shown(log)})")
    if run.returncode != 0:
        raise PdfError(f"latexmk failed (log: {book.shown(log)}):\n{run.stdout[-3000:]}")
    return folder / f"{stem}.pdf"


def _state_stamp(lang: str, framework: str, request: str) -> inputs.Stamp:
    return inputs.Stamp(book.BUILD / "stamps" / f"pdf-{lang}-{framework}-{request}.sha256")


def _state_parts(lang: str, framework: str, state: list[str]) -> list[str]:
    target = book.pdf_path(lang, framework)
    return [*state, inputs.tree_state(target.parent, target.name)]


def _digest_stamp(lang: str, framework: str) -> Path:
    return book.pdf_latex(lang, framework) / "inputs.sha256"


def merged(lang: str, framework: str, request: str, state: list[str] | None = None) -> Path | None:
    """Merge and configure one PDF's sources; return their folder, or None
    when the PDF is up to date: made from the same `state`
    (inputs.book_state of the edition) at once, else from sources of the
    same digest.
    Call it from one thread at a time: merging parses code with `ast`
    (see scripts/pipeline/execute.py, PARSING)."""
    done = _state_stamp(lang, framework, request)
    if state is not None and done.current(_state_parts(lang, framework, state)):
        return None
    done.drop()
    merge.merge_edition(lang, request, framework)
    src = configure(lang, framework)
    stamp = _digest_stamp(lang, framework)
    if book.pdf_path(lang, framework).exists() and stamp.exists() and stamp.read_text() == inputs_digest(src):
        if state is not None:
            done.keep(_state_parts(lang, framework, state))
        return None
    return src


def typeset_merged(lang: str, framework: str, request: str, src: Path,
                   state: list[str] | None = None) -> Path:
    """Typeset the merged sources `src` into the PDF and remember them as
    typeset. Its work is done by other processes (Sphinx, XeLaTeX): PDFs are
    typeset side by side in threads."""
    pdf = typeset(lang, framework, sphinx_latex(lang, framework, src))
    target = book.pdf_path(lang, framework)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pdf, target)
    _digest_stamp(lang, framework).write_text(inputs_digest(src))
    if state is not None:
        _state_stamp(lang, framework, request).keep(_state_parts(lang, framework, state))
    return target


def default_jobs() -> int:
    """PDFs typeset at once: one more than the cores (see main)."""
    return (os.cpu_count() or 1) + 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default=None, help="quick, full or auto")
    parser.add_argument("--lang", choices=list(book.editions()), action="append")
    parser.add_argument("--framework", choices=book.FRAMEWORKS, action="append")
    parser.add_argument("--jobs", type=int, default=None, help=f"PDFs typeset at once (default: {default_jobs()}, one more than the cores)")
    args = parser.parse_args(argv)
    request = profiles.profile_request(args.profile)
    missing = missing_tools()
    if missing:
        print(f"error: the PDFs need {', '.join(missing)}: run `make system` as root, "
              f"or apt-get install {' '.join(missing)}", file=sys.stderr)
        return 1
    langs = args.lang or list(book.editions())
    jobs = [(lang, framework) for lang in langs for framework in args.framework or book.FRAMEWORKS]

    states = {lang: inputs.book_state(request, inputs.edition_sources(lang)) for lang in langs}

    def typeset_one(job, src):
        start = time.perf_counter()
        try:
            return typeset_merged(*job, request, src, states[job[0]]), None, time.perf_counter() - start
        except PdfError as err:
            return None, err, 0.0

    failed = []

    def fail(job, err):
        print(f"error: PDF of edition {job[0]}, framework {job[1]}: {err}", file=sys.stderr)
        failed.append("/".join(job))

    # Merged here, one after the other (see merged), each typeset in a
    # thread as soon as it is merged. Each PDF has its own sources, LaTeX
    # folder and doctrees, and its Sphinx and XeLaTeX runs use one core. One
    # more PDF than cores: after a prose edit an edition's three PDFs share
    # two cores and finish together (25 s) instead of the third running
    # alone on one (32 s). What is up to date costs only its merge and digest.
    with ThreadPool(max(1, min(len(jobs), args.jobs or default_jobs()))) as pool:
        started = []
        for job in jobs:
            try:
                src = merged(*job, request, states[job[0]])
            except (merge.MergeError, merge.SourceError) as err:
                fail(job, err)
                continue
            started.append((job, src and pool.apply_async(typeset_one, (job, src))))
        for job, typesetting in started:   # reported in the book's order
            path, err, seconds = typesetting.get() if typesetting else (book.pdf_path(*job), None, None)
            if err is not None:
                fail(job, err)
                continue
            print(f"pdf: {book.shown(path)} ({latex.page_count(path)} pages, "
                  + (f"typeset in {seconds:.0f} s)" if typesetting else "up to date)"), flush=True)
    if failed:
        print(f"error: no PDF for {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
