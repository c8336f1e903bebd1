"""The PDFs (scripts/render/pdf.py): one per edition and framework, read back
with pdftotext, their LaTeX logs, and how a typesetting failure is reported."""
from __future__ import annotations

import re
import shutil
import subprocess

import nbformat
import pytest

from scripts.environment import book
from scripts.render import latex, pdf as build_pdf
from scripts.render.landing.chapters import title
from scripts.pipeline.source import parse
from scripts.pipeline.split import notebooks_for

PAGES = book.pages()
EDITIONS = list(book.editions())
BUILT = [(lang, fw) for lang in EDITIONS for fw in book.FRAMEWORKS]
# How each framework's chapters import the book's helpers.
D2L_MODULE = {"mxnet": "mxnet", "pytorch": "torch", "tensorflow": "tensorflow"}
FRAMEWORK_TITLE = {"ko": "{}판", "zh": "{} 版"}
CJK = re.compile(r"[\uac00-\ud7a3\u4e00-\u9fff]")


def squeezed(text: str) -> str:
    """Text without whitespace or the marks of wrapped code lines, so that
    line breaks in the PDF do not matter."""
    return re.sub(r"[\s\u21aa]", "", text)


def pdf_text(path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(["pdftotext", *pages, "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def texts(built_pdfs):
    return {key: pdf_text(path) for key, path in built_pdfs.items()}


@pytest.mark.parametrize("lang, framework", BUILT)
def test_title_page_names_edition_and_framework(built_pdfs, lang, framework):
    first = squeezed(pdf_text(built_pdfs[lang, framework], 1, 1))
    head = latex.title_parts(book.editions()[lang]["title"])[0]
    assert squeezed(head) in first
    assert squeezed(FRAMEWORK_TITLE[lang].format(book.FRAMEWORK_LABELS[framework])) in first
    info = subprocess.run(["pdfinfo", str(built_pdfs[lang, framework])],
                          capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Title:.*{head}.*{book.FRAMEWORK_LABELS[framework]}", info, re.M)


@pytest.mark.parametrize("lang, framework", BUILT)
def test_every_page_heading_in_hangul_or_han(texts, lang, framework):
    text = squeezed(texts[lang, framework])
    for page in PAGES:
        heading = title(lang, page)
        assert CJK.search(heading), f"{lang} {page}: {heading!r} has no Hangul or Han"
        assert squeezed(heading) in text, f"{lang}/{framework}: no heading {heading!r} of {page}"


@pytest.mark.parametrize("lang, framework", BUILT)
def test_only_its_frameworks_code(texts, lang, framework):
    """Each chapter imports `d2l` for the PDF's framework, and no page shows
    another framework's cells."""
    text = squeezed(texts[lang, framework])
    line = f"from d2l import {D2L_MODULE[framework]} as d2l"
    expected = sum(cell.source.count(line) for page in PAGES
                   for cell in parse(book.source_path(lang, page)).cells
                   if cell.kind == "code" and framework in cell.frameworks)
    assert expected >= 7 and text.count(squeezed(line)) == expected
    for other, module in D2L_MODULE.items():
        if other != framework:
            assert squeezed(f"from d2l import {module} as d2l") not in text, other


@pytest.mark.parametrize("lang, framework", BUILT)
def test_printed_parameter_counts_and_stamp(texts, executed_book, lang, framework):
    """Every count of a million or more that the framework's notebooks printed
    (parameters, multiply-adds) is in its PDF, under the execution stamp."""
    text = squeezed(texts[lang, framework])
    counts = set()
    for page in PAGES:
        if notebooks_for(parse(book.source_path(lang, page))) != book.FRAMEWORKS:
            continue
        nb = nbformat.read(executed_book / page / f"{framework}.ipynb", as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if out.output_type == "stream":
                    counts.update(re.findall(r"(?<![\d,.])\d{1,3}(?:,\d{3}){2,}(?![\d,])", out.text))
    assert len(counts) >= 5
    missing = sorted(c for c in counts if c not in text)
    assert not missing, f"{lang}/{framework}: printed but not in the PDF: {missing}"
    stamp = {"ko": "실행기록", "zh": "执行记录"}[lang]
    assert text.count(stamp) >= len([p for p in PAGES if parse(book.source_path(lang, p)).has_code])
    assert squeezed(book.FRAMEWORK_LABELS[framework]) in text


@pytest.mark.parametrize("lang, framework", BUILT)
def test_figures_bibliography_and_page_references(built_pdfs, texts, lang, framework):
    folder = book.pdf_latex(lang, framework)
    tex = (folder / f"{book.pdf_stem(lang, framework)}.tex").read_text(encoding="utf-8")
    included = re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{?([^}]+)\}", tex)
    merged = "".join(path.read_text(encoding="utf-8")
                     for path in book.pdf_source(lang, framework).rglob("*.md"))
    # Every figure and every plot the code drew, each converted from SVG.
    assert len(included) == len(re.findall(r"\{(?:image|figure)\}", merged)) > 0
    assert not [name for name in included if name.endswith(".svg")]
    text = texts[lang, framework]
    assert "Simonyan" in text and "Krizhevsky" in text
    assert "Bibliography" not in text  # LaTeX's own heading, in English
    assert re.search({"ko": r"\(\d+쪽\)", "zh": r"\(第 ?\d+ ?页\)"}[lang], text)


@pytest.mark.parametrize("lang, framework", BUILT)
def test_copied_commands_keep_their_hyphens_and_bars(texts, lang, framework):
    # Noto CJK (the Korean PDFs' only face) draws - and U+2011, | and U+FFE8
    # with one glyph each; the text layer must name the ASCII characters, or
    # a command copied from the PDF fails and a search finds nothing.
    text = texts[lang, framework]
    assert f"python3 -m venv d2l-{framework}" in text
    assert "|" in text and "\uffe8" not in text


@pytest.mark.parametrize("lang, framework", BUILT)
def test_log_has_no_missing_glyph_or_font_warning(built_pdfs, lang, framework):
    folder = book.pdf_latex(lang, framework)
    log = (folder / f"{book.pdf_stem(lang, framework)}.log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log
    assert not re.search(r"Font Warning|fontspec Warning|Font shape .* undefined", log)
    assert not latex.log_problems(log, (folder / f"{book.pdf_stem(lang, framework)}.tex").read_text())


@pytest.fixture
def latex_copy(built_pdfs, tmp_path):
    """The Korean PyTorch PDF's LaTeX sources, to break."""
    folder = tmp_path / "latex"
    shutil.copytree(book.pdf_latex("ko", "pytorch"), folder)
    return folder, folder / f"{book.pdf_stem('ko', 'pytorch')}.tex"


def insert_after_label(tex, page: str, text: str) -> None:
    source = tex.read_text(encoding="utf-8")
    label = rf"\label{{\detokenize{{{page}::doc}}}}"
    assert label in source
    tex.write_text(source.replace(label, label + text, 1), encoding="utf-8")


def test_missing_glyph_fails_naming_the_page(latex_copy):
    folder, tex = latex_copy
    insert_after_label(tex, "chapter_convolutional-modern/vgg", "\U0001F9EA")  # no font has it
    with pytest.raises(build_pdf.PdfError) as failure:
        build_pdf.typeset("ko", "pytorch", folder)
    assert "missing glyph" in str(failure.value) and "U+1F9EA" in str(failure.value)
    assert "on page chapter_convolutional-modern/vgg" in str(failure.value)


def test_a_glyph_missing_in_a_formula_names_the_formulas_page():
    # '，' is all over the Chinese prose, set in a CJK font; only the formula
    # of the second page sets it in a math font, which has no glyph for it.
    tex = (r"\label{\detokenize{index::doc}}前言，开始。"
           r"\label{\detokenize{chapter_convolutional-neural-networks/channels::doc}}通道，"
           r"\begin{equation*}Y = X，\end{equation*}")
    log = ("Missing character: There is no \uff0c (U+FF0C) in font "
           "[FreeSerif.otf]/OT:script=latn;language=dflt;mapping=tex-text;!\n")
    (problem,) = latex.log_problems(log, tex)
    assert problem.endswith("on page chapter_convolutional-neural-networks/channels")


def test_latex_error_fails_naming_the_page(latex_copy):
    folder, tex = latex_copy
    insert_after_label(tex, "chapter_convolutional-modern/nin", r"\nosuchcommand ")
    with pytest.raises(build_pdf.PdfError) as failure:
        build_pdf.typeset("ko", "pytorch", folder)
    assert "LaTeX error on page chapter_convolutional-modern/nin" in str(failure.value)
    assert "Undefined control sequence" in str(failure.value)


def test_unchanged_pdf_is_not_typeset_again(built_pdfs, capsys, tmp_path):
    assert build_pdf.main(["--profile", "quick", "--lang", "zh", "--framework", "mxnet"]) == 0
    assert re.search(r"d2l-zh-mxnet\.pdf \(\d+ pages, up to date\)", capsys.readouterr().out)
    # A change in any page it is made from typesets it again.
    src = shutil.copytree(book.pdf_source("zh", "mxnet"), tmp_path / "src")
    before = build_pdf.inputs_digest(src)
    page = src / "chapter_convolutional-modern" / "nin.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n一句新的话。\n", encoding="utf-8")
    assert build_pdf.inputs_digest(src) != before


@pytest.mark.parametrize("stage", ["merge", "typesetting"])
def test_failure_names_edition_and_framework(monkeypatch, capsys, tmp_path, stage):
    error = (build_pdf.merge.MergeError("results/all.ipynb is stale") if stage == "merge"
             else build_pdf.PdfError("missing glyph 'x' (U+0078) in font F on page p"))

    def merged(lang, framework, request, state=None):
        if stage == "merge" and framework == "tensorflow":
            raise error
        return tmp_path

    def typeset(lang, framework, request, src, state=None):
        if stage == "typesetting" and framework == "tensorflow":
            raise error
        return tmp_path / f"{framework}.pdf"

    monkeypatch.setattr(build_pdf, "merged", merged)
    monkeypatch.setattr(build_pdf, "typeset_merged", typeset)
    monkeypatch.setattr(build_pdf, "missing_tools", lambda: [])
    monkeypatch.setattr(build_pdf.latex, "page_count", lambda path: 7)
    assert build_pdf.main(["--profile", "quick", "--lang", "zh"]) == 1
    captured = capsys.readouterr()
    assert f"PDF of edition zh, framework tensorflow: {error}" in captured.err
    assert "no PDF for zh/tensorflow" in captured.err
    assert "mxnet.pdf (7 pages, typeset in" in captured.out and "pytorch.pdf (7 pages" in captured.out


def test_missing_tex_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(build_pdf.shutil, "which", lambda tool: None)
    assert build_pdf.main(["--profile", "quick"]) == 1
    err = capsys.readouterr().err
    assert "texlive-xetex" in err and "latexmk" in err and "make system" in err
