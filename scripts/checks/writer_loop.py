"""Time the writer's loop on an already built book; write the figures to
`_build/bench-loop.json` and print them.

1. `make book` with nothing changed, stage by stage (`make execute`, `make
   merge`, `make pdf`, `make html`): each stage should find its inputs
   unchanged and do (almost) nothing.
2. In each edition in turn, a one-sentence prose edit in one page
   (`--page`) through `make book`: both editions' sites and that edition's
   three PDFs.
3. Another sentence in the same paragraph through what `make serve` runs on
   save: the pre-build step (`python -m scripts.render.serve --prepare`:
   execute what changed, which for prose is nothing, and merge and configure
   the edition) and the HTML of that edition (sphinx-autobuild's own rebuild
   reads only the changed page, so this is an upper bound).
   The sentences are added to the page's first paragraph and removed again
   afterwards, whatever happens; `make book` then rebuilds from the page as
   it was, so the build is left as it was found.

    make bench-loop [PROFILE=...]
    python -m scripts.checks.writer_loop [--page chapter_.../pooling] [--lang ko]
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time

from scripts.environment import book, profiles

PAGE = "chapter_convolutional-neural-networks/pooling"
# Per edition, the sentence of the edit and the one added on save.
SENTENCES = {
    "ko": (" 이 문장은 작성 루프를 재는 동안만 있는 문장입니다.",
           " 이 문장도 잠시 뒤에 지워집니다."),
    "zh": ("这句话只在测量写作循环时存在。", "这句话稍后也会删去。"),
}
STAGES = ("execute", "merge", "pdf", "html")
# What a stage prints when it did work (then the book was not up to date).
WORK = re.compile(r": executed \(|typeset in |rendered in ")


def missing_build() -> str | None:
    """Why there is no built book to time, or None."""
    for lang in book.editions():
        index = book.html_dir(lang) / "index.html"
        if not index.exists():
            return f"no {book.shown(index)}"
    if not book.BUILD.joinpath("exec").is_dir() or not any(book.BUILD.joinpath("exec").rglob("*.ipynb")):
        return f"no executed notebooks under {book.shown(book.BUILD / 'exec')}"
    return None


def timed(cmd: list[str]) -> tuple[float, str]:
    """Run a command from the repository root; return its seconds and output;
    exit with its output if it fails."""
    start = time.perf_counter()
    run = subprocess.run(cmd, cwd=book.ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        print(run.stdout[-4000:], file=sys.stderr)
        raise SystemExit(f"error: `{' '.join(cmd)}` failed (exit {run.returncode})")
    return seconds, run.stdout


def first_paragraph_line(lines: list[str]) -> int:
    """The index of the first line of prose after the front matter and title."""
    fence, front = None, lines[:1] == ["---"]
    for i, line in enumerate(lines):
        if front:
            front = not (i > 0 and line == "---")
            continue
        if line.startswith(("```", ":::")):
            fence = None if fence else line[:3]
            continue
        if fence is None and line.strip() and not line.startswith(("(", "#", ":", "-", "|", "$", "<", ">", "!")):
            return i
    raise SystemExit("error: the page has no paragraph of prose to edit")


def edited(text: str, sentence: str) -> str:
    lines = text.split("\n")
    i = first_paragraph_line(lines)
    lines[i] = lines[i].rstrip() + sentence
    return "\n".join(lines)


def time_edit(lang: str, page: str, request: str) -> dict:
    """Time an edit in one edition's page through `make book` and through
    `make serve`'s rebuild; leave the page and the build as they were."""
    source = book.source_path(lang, page)
    first, second = SENTENCES[lang]
    prepare = [sys.executable, "-m", "scripts.render.serve", "--prepare", "--lang", lang, "--profile", request]
    render = [sys.executable, "-m", "scripts.render.html", "--lang", lang]
    make_book = ["make", "--no-print-directory", "book", f"PROFILE={request}"]
    figures: dict = {"page": f"{lang}/{page}"}
    original = source.read_bytes()
    try:
        source.write_text(edited(original.decode("utf-8"), first), encoding="utf-8")
        seconds, _ = timed(make_book)
        figures["make_book"] = round(seconds, 2)
        print(f"prose edit in {lang}/{page}, make book (sites and {lang} PDFs): {seconds:.1f} s", flush=True)
        source.write_text(edited(original.decode("utf-8"), first + second), encoding="utf-8")
        for name, cmd in (("prepare", prepare), ("html", render)):
            seconds, _ = timed(cmd)
            figures[name] = round(seconds, 2)
            print(f"prose edit in {lang}/{page}, serve's {name}: {seconds:.1f} s", flush=True)
    finally:
        source.write_bytes(original)
    figures["serve"] = round(figures["prepare"] + figures["html"], 2)
    # The build as it was: the page's merged and rendered state without the sentences.
    figures["restore"] = round(timed(make_book)[0], 2)
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default=None, help="quick, full or auto (default: $PROFILE or auto)")
    parser.add_argument("--page", default=PAGE, help=f"the page edited (default: {PAGE})")
    parser.add_argument("--lang", choices=list(SENTENCES), action="append",
                        help="the edition edited (default: each in turn)")
    args = parser.parse_args(argv)
    request = profiles.profile_request(args.profile)
    why = missing_build()
    if why:
        print(f"error: there is no built book to time ({why}): run `make book` first; "
              "this times rebuilds of a built book, not a first build", file=sys.stderr)
        return 2
    langs = args.lang or [lang for lang in book.editions() if lang in SENTENCES]
    for lang in langs:
        source = book.source_path(lang, args.page)
        if not source.exists():
            print(f"error: no page {book.shown(source)}", file=sys.stderr)
            return 2
    figures: dict = {"profile": request, "unchanged": {}, "edit": {}}

    for stage in STAGES:
        seconds, out = timed(["make", "--no-print-directory", stage, f"PROFILE={request}"])
        figures["unchanged"][stage] = {"seconds": round(seconds, 2), "did_work": bool(WORK.search(out))}
        print(f"unchanged book, make {stage}: {seconds:.1f} s"
              + ("  (did work: the book was not up to date)" if WORK.search(out) else ""), flush=True)
    figures["unchanged"]["total"] = round(sum(s["seconds"] for s in figures["unchanged"].values()), 2)
    for lang in langs:
        figures["edit"][lang] = time_edit(lang, args.page, request)

    out = book.BUILD / "bench-loop.json"
    out.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    edits = "; ".join(f"{lang}: {f['make_book']:.1f} s through make book, {f['serve']:.1f} s through make serve's "
                      "rebuild" for lang, f in figures["edit"].items())
    print(f"unchanged `make book`: {figures['unchanged']['total']:.1f} s; prose edit, {edits} -> {book.shown(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
