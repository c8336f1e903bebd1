"""What the prose says about the executed outputs, and what the outputs must
not contain, in every page, framework and edition:

- a paragraph about printing that says how many lines ("13줄을 출력합니다",
  "输出 13 行") states what the executed cell printed (a count of lines that
  other code would print is written otherwise, e.g. as top-level layers): the cell is the nearest
  one above the paragraph in its section that printed anything, or, when the
  paragraph links (`{ref}`) to a section of the same page, the last such cell
  of that section; a framework named before the count narrows the claim to it;
- no training result of this build (loss, accuracies, examples/sec, as
  printed) appears in prose: prose must not state build-dependent numbers
  (a paragraph that cites its source quotes published figures, which may
  equal one of this build's by chance);
- no output carries a warning: the build executes as a learner runs, with
  Python's warnings shown, so a warning is a defect of the code that caused it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import nbformat
import pytest

from scripts.environment import book
from scripts.pipeline.source import HEADING, parse
from scripts.pipeline.split import ALL, notebooks_for
from tests.chapter import executed

PAGES = [page for page in book.pages()
         if notebooks_for(parse(book.source_path(book.executed_edition(), page)))]

# A count of printed lines, per edition, and the words that make a paragraph
# about printing (so "6 行代码" in a paragraph about writing code is no claim).
LINE_COUNT = {"ko": re.compile(r"(?<![\d.,])(\d+)\s*줄"),
              "zh": re.compile(r"(?<![\d.,第])(\d+)\s*行(?!为|业|列)")}
# Verbs, not nouns: "출력 모양" and "输出形状" (output shape) are no printing.
PRINTING = {"ko": re.compile(r"출력하|출력합|찍"), "zh": re.compile(r"打印|输出\s*(?:了|\d)")}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
FRAMEWORK_NAMES = {"MXNet": "mxnet", "PyTorch": "pytorch", "TensorFlow": "tensorflow",
                   "Keras": "tensorflow"}
REF = re.compile(r"\{ref\}`(?:[^`<]*<)?([^`<>]+?)>?`")
LABEL = re.compile(r"^\((.+)\)=$")
FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")


@dataclass
class Paragraph:
    text: str
    line: int
    section: int                     # index into the page's sections
    frameworks: tuple[str, ...]
    after_code: int                  # code cells of the page before it


@dataclass
class Section:
    level: int
    label: str | None
    code: list[int] = field(default_factory=list)   # indices of its code cells


def read_page(lang, page):
    """The page's sections, its code cells (frameworks of each, in order) and
    its prose paragraphs, with their lines; plain code blocks inside prose are
    skipped, directives (dropdowns, notes) are read as prose."""
    path = book.source_path(lang, page)
    sections, code, paragraphs = [Section(0, None)], [], []
    for cell in parse(path).cells:
        if cell.kind == "code":
            sections[-1].code.append(len(code))
            code.append(cell.frameworks)
            continue
        label, block, start, fence = None, [], None, None
        lines = cell.source.splitlines() + [""]
        for offset, line in enumerate(lines):
            text = line.strip()
            opened = FENCE.match(text)
            if fence:
                if text.startswith(fence) and not text[len(fence):].strip():
                    fence = None
                continue
            if opened and not opened[2].strip().startswith("{"):
                fence = opened[1]
                continue
            if LABEL.match(text):
                label = LABEL.match(text)[1]
                continue
            if HEADING.match(text):
                sections.append(Section(len(text) - len(text.lstrip("#")), label))
                label = None
                continue
            if text and not opened:
                if start is None:
                    start = cell.line + offset
                block.append(text)
                continue
            if block:
                paragraphs.append(Paragraph(" ".join(block), start, len(sections) - 1,
                                            cell.frameworks, len(code)))
            block, start = [], None
    return path, sections, code, paragraphs


def claims(lang, text):
    """(count, frameworks or None for all) of each printed-lines claim."""
    found = []
    if not PRINTING[lang].search(text):
        return found
    for sentence in SENTENCE_END.split(text):
        previous = 0
        for match in LINE_COUNT[lang].finditer(sentence):
            span = sentence[previous:match.start()]
            named = {fw for name, fw in FRAMEWORK_NAMES.items() if name in span}
            found.append((int(match[1]), named or None))
            previous = match.end()
    return found


def executed_code(executed_book, page, notebook):
    nb = nbformat.read(executed_book / page / f"{notebook}.ipynb", as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def printed_lines(cell):
    return [line for line in executed.shown(cell).splitlines() if line.strip()]


@pytest.mark.parametrize("lang", list(book.editions()))
@pytest.mark.parametrize("page", PAGES)
def test_printed_line_counts_in_prose_match_the_outputs(executed_book, page, lang):
    path, sections, code, paragraphs = read_page(lang, page)
    notebooks = notebooks_for(parse(path))
    cells = {nb: executed_code(executed_book, page, nb) for nb in notebooks}
    problems = []
    for para in paragraphs:
        for count, named in claims(lang, para.text):
            frameworks = [fw for fw in (named or book.FRAMEWORKS) if fw in para.frameworks]
            for fw in frameworks:
                notebook = ALL if ALL in notebooks else fw
                # The page's code cells in this framework's notebook, by page index.
                own = [i for i, fws in enumerate(code) if notebook == ALL or fw in fws]
                refs = [s for s in REF.findall(para.text)
                        if any(sec.label == s for sec in sections)]
                if refs:
                    first = next(i for i, sec in enumerate(sections) if sec.label == refs[0])
                    last = next((i for i in range(first + 1, len(sections))
                                 if sections[i].level <= sections[first].level), len(sections))
                    candidates = [i for sec in sections[first:last] for i in sec.code]
                else:
                    candidates = [i for i in sections[para.section].code if i < para.after_code]
                candidates = [own.index(i) for i in candidates if i in own]
                printing = [i for i in candidates if printed_lines(cells[notebook][i])]
                where = f"{book.shown(path)}:{para.line}"
                if not printing:
                    problems.append(f"{where}: says {count} lines are printed ({fw}), but no code cell "
                                    "above it in its section printed anything; link ({ref}) the "
                                    "section whose cell it counts")
                    continue
                got = len(printed_lines(cells[notebook][printing[-1]]))
                if got != count:
                    problems.append(f"{where}: says {count} lines, but the cell printed {got} in {fw}")
    assert not problems, "\n".join(problems)


def training_figures(executed_book):
    """Every loss, accuracy and speed that a training cell of this build
    printed, as printed, with where it came from: {page: {figure: where}}."""
    figures = {}
    for page in PAGES:
        for notebook in notebooks_for(parse(book.source_path(book.executed_edition(), page))):
            nb = nbformat.read(executed_book / page / f"{notebook}.ipynb", as_version=4)
            for result in nb.metadata.get("d2l", {}).get("results", ()):
                for key, form in (("loss", "{:.3f}"), ("train_acc", "{:.3f}"),
                                  ("test_acc", "{:.3f}"), ("examples_per_sec", "{:.1f}")):
                    if result.get(key) is not None:
                        figures.setdefault(page, {}).setdefault(
                            form.format(result[key]), f"{page} {notebook} {key}")
    return figures


# A decimal the prose states. A percentage (78.0% of the parameters), a ratio
# ("16.9배", "16.9 倍", "1/16.9", "23.5분의 1": quick runs printed 16.9
# examples/sec) or a count in hundreds of millions ("18.5억", "18.5 亿") is
# derived, never a printed figure.
STATED = re.compile(r"(?<![\d.,/])\d+\.\d+(?![\d%])(?!\s*(?:배|倍|분의|억|亿))")


def test_derived_ratios_are_not_stated_figures():
    text = ("약 16.9배, 16.9 倍, 约 1/16.9, 23.5분의 1, 약 18.5억 번, 约 18.5 亿次, 78.0%의 매개변수; "
            "손실 0.512, 测试精度 0.873。")
    assert STATED.findall(text) == ["0.512", "0.873"]


def test_prose_states_no_number_of_this_build(executed_book):
    figures = training_figures(executed_book)
    assert figures, "no training results were recorded"
    # A page quotes its own runs; one that trains nothing (the results
    # appendix, a part's opening) could quote any. Comparing a page with
    # every run would flag its facts whenever some run prints the same digits.
    everything = {figure: where for page_figures in figures.values()
                  for figure, where in page_figures.items()}
    problems = []
    for lang in book.editions():
        for page in book.pages():
            path, _, _, paragraphs = read_page(lang, page)
            printed = figures.get(page, everything)
            for para in paragraphs:
                if "{cite" in para.text:
                    continue
                # A formula derives its numbers ($k \ge 43.7$): it quotes no output.
                for found in STATED.findall(re.sub(r"\$[^$]+\$", " ", para.text)):
                    if found in printed:
                        problems.append(f"{book.shown(path)}:{para.line}: {found} is what this build "
                                        f"printed ({printed[found]}); prose must not state it")
    assert not problems, "\n".join(problems)


WARNING = re.compile(r"\b\w*Warning\b|\bWARNING\b")


@pytest.mark.parametrize("page", PAGES)
def test_no_output_carries_a_warning(executed_book, page):
    problems = []
    for notebook in notebooks_for(parse(book.source_path(book.executed_edition(), page))):
        for index, cell in enumerate(executed_code(executed_book, page, notebook)):
            for output in cell.get("outputs", ()):
                text = output.get("text") or "\n".join(output.get("traceback", ())) \
                    or output.get("data", {}).get("text/plain", "")
                if WARNING.search(text):
                    line = next(x for x in text.splitlines() if WARNING.search(x))
                    problems.append(f"{page} {notebook}, code cell {index + 1}: {line.strip()}")
    assert not problems, "\n".join(problems)
