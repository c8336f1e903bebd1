"""How the PDFs are typeset (scripts/render/pdf.py): fonts and line breaking
per edition, the title page, Sphinx's LaTeX settings, and what in a XeLaTeX
log fails the build.

Korean is set in Noto CJK KR alone, its Latin letters included, and
broken into lines by XeTeX itself (ICU's rules for Korean): between words
first, else between syllables at a penalty and never before closing
punctuation, as kotex does, at half its typesetting time (kotex's
per-character macros took 3.7 of the 7 s of a pass over the Korean PDF).
Chinese is set with xeCJK, which breaks between characters, keeps
punctuation off the start of a line and sets its Latin text in FreeSerif and
FreeSans (Sphinx's XeLaTeX defaults) and its code in DejaVu Sans Mono beside
Noto CJK SC. Faces without italics are slanted, so no font shape is
substituted.
"""
from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

from scripts.environment import book

LATIN = r"""
\setmainfont{FreeSerif}[Extension=.otf, UprightFont=*, ItalicFont=*Italic,
  BoldFont=*Bold, BoldItalicFont=*BoldItalic]
\setsansfont{FreeSans}[Extension=.otf, UprightFont=*, ItalicFont=*Oblique,
  BoldFont=*Bold, BoldItalicFont=*BoldOblique]
\setmonofont{DejaVu Sans Mono}[Scale=0.9]
"""


def faces(commands: tuple[str, str, str], region: str) -> str:
    """Noto CJK of one region (KR, SC) as the serif, sans and mono faces that
    `commands` set, slanted for italics."""
    families = ("Noto Serif CJK", "Noto Sans CJK", "Noto Sans Mono CJK")
    return "".join(rf"\{command}{{{family} {region}}}[AutoFakeSlant, BoldFont={{{family} {region} Bold}}]" + "\n"
                   for command, family in zip(commands, families))


# Korean in Noto CJK KR (see above). A break between syllables costs
# penalty 150 (at kotex's 50, a native reader counted a third more words
# broken than in kotex's own PDF), with a little glue there to justify with
# and emergency stretch before a word must break; no wider space after a
# sentence's full stop. Noto CJK draws - and U+2011, | and U+FFE8 with one
# glyph each, and the PDF's text layer names the second: ActualText keeps
# copied commands and searches to - and |.
# The CJK fonts' full-width × reads as a spaced " × ": the math sign.
KOREAN = r"""
\XeTeXlinebreaklocale "ko"
\XeTeXlinebreakpenalty=150
\XeTeXlinebreakskip=0pt plus .04em minus .02em
\setlength{\emergencystretch}{1em}
\frenchspacing
\XeTeXgenerateactualtext=1
\usepackage{newunicodechar}
\newunicodechar{×}{\texorpdfstring{\ensuremath{\times}}{\textmultiply}}
"""

# Per edition: the package that sets its script, and its faces.
SCRIPT = {
    "ko": "\\usepackage{fontspec}\n" + faces(("setmainfont", "setsansfont", "setmonofont"), "KR")
          + KOREAN,
    "zh": "\\usepackage{fontspec}\n\\usepackage{xeCJK}\n" + LATIN
          + faces(("setCJKmainfont", "setCJKsansfont", "setCJKmonofont"), "SC"),
}

# xeCJK inserts spaces between CJK and Latin text in verbatim unless told not to.
VERBATIM = {"ko": r"\fvset{fontsize=\small}", "zh": r"\fvset{fontsize=\small,formatcom=\xeCJKVerbAddon}"}

STRINGS = {
    "ko": {"edition": "{framework}판", "chapter": r"제\thechapter 장",
           "built": "{date} 빌드", "contents": "차례", "page": r"\pageref{#1}쪽"},
    "zh": {"edition": "{framework} 版", "chapter": r"第\,\thechapter\,章",
           "built": "构建于 {date}", "contents": "目录", "page": r"第\pageref{#1}页"},
}

# Missing glyphs written to the log; chapter headings and running heads in
# the edition's language, without a number for unnumbered chapters (Sphinx
# loads titlesec and fancyhdr); page references as each language writes
# them ("13쪽", "第 13 页") rather than hyperref's "page 13"; the bibliography
# under the heading and running head of the references page rather than
# LaTeX's English ones; room for the CJK running head; cross-references
# upright, set apart by their colour (slanted Hangul and Han read poorly).
PREAMBLE = r"""
\tracinglostchars=2
\makeatletter
\newcommand*{\dtlchapter}{%(chapter)s}
\let\dtlpsnormal\ps@normal
\def\ps@normal{\dtlpsnormal\def\chaptermark##1{\markboth{\ifnum\c@secnumdepth>\m@ne
  \dtlchapter\space\fi ##1}{}}}
\titleformat{\chapter}[display]{\normalfont\sffamily\bfseries}{\Large\dtlchapter}{12pt}{\huge}
\renewcommand{\contentsname}{%(contents)s}
\newcommand*{\dtlpageref}[1]{%(page)s}
\renewcommand*{\autopageref}{\@ifstar\dtlpageref\dtlpageref}
\renewenvironment{sphinxthebibliography}[1]
  {\def\chapter*##1{}\let\@mkboth\@gobbletwo\begin{thebibliography}{#1}}{\end{thebibliography}}
\makeatother
\setlength{\headheight}{15pt}
\protected\def\sphinxcrossref#1{#1}
"""

# The title page, and the document's title and author for PDF readers.
TITLE_PAGE = r"""
\hypersetup{pdftitle={%(title)s — %(subtitle)s, %(framework)s}, pdfauthor={%(author)s}}
\begin{titlepage}
\centering
\vspace*{0.22\textheight}
{\sffamily\bfseries\Huge %(title)s\par}
\vspace{1.2em}
{\sffamily\Large %(subtitle)s\par}
\vspace{3em}
{\large %(framework)s\par}
\vfill
{\large %(author)s\par}
\vspace{0.6em}
{%(built)s\par}
\vspace{0.3em}
{\small\url{%(url)s}\par}
\end{titlepage}
"""


# The PDF's root document holds only the table of contents (scripts/render/pdf.py),
# so that the book's root page, the preface, is a chapter like the others.
ROOT_DOC = "pdf"
# Pages before and after the chapters, unnumbered like the preface.
FRONT_MATTER = ["setup"]
BACK_MATTER = ["references"]


def toc(site_toc: dict) -> dict:
    """The PDF's table of contents: the site's, under a root of its own."""
    return {"format": "jb-book", "root": ROOT_DOC,
            "chapters": [{"file": site_toc["root"]}, *site_toc.get("chapters", [])]}


def escape(text: str) -> str:
    """Plain text for LaTeX."""
    return re.sub(r"([&%$#_{}])", r"\\\1", text).replace("~", r"\textasciitilde{}")


def title_parts(title: str) -> tuple[str, str]:
    """`Title — edition` as the title and the line under it."""
    head, _, tail = title.partition(" — ")
    return head, tail


def sphinx_settings(lang: str, framework: str, cfg: dict) -> dict:
    """Sphinx configuration values for one edition's PDF of one framework."""
    strings = STRINGS[lang]
    label = book.FRAMEWORK_LABELS[framework]
    title, subtitle = title_parts(cfg["title"])
    title_page = TITLE_PAGE % {
        "title": escape(title), "subtitle": escape(subtitle),
        "framework": escape(strings["edition"].format(framework=label)),
        "author": escape(cfg["author"]),
        "built": escape(strings["built"].format(date=datetime.date.today().isoformat())),
        "url": f"{cfg['html']['baseurl'].rstrip('/')}/{lang}/",
    }
    return {
        "latex_documents": [[ROOT_DOC, f"{book.pdf_stem(lang, framework)}.tex",
                             cfg["title"], cfg["author"], "manual"]],
        "d2l_latex_unnumbered": [book.pages()[0], *FRONT_MATTER, *BACK_MATTER],
        "latex_show_pagerefs": True,
        "latex_show_urls": "footnote",
        "latex_domain_indices": False,
        "latex_use_xindy": False,
        "latex_elements": {
            "papersize": "a4paper",
            "pointsize": "10pt",
            "cmappkg": "",  # pdfTeX only
            "polyglossia": "",
            "babel": "",
            "fontenc": SCRIPT[lang],
            "fontpkg": "",
            "fncychap": "",
            "fvset": VERBATIM[lang],
            "preamble": PREAMBLE % strings,
            "maketitle": title_page,
            "printindex": "",
            "releasename": "",
        },
    }


def page_of(tex: str, offset: int) -> str | None:
    """The page (Sphinx docname) whose LaTeX holds character `offset`."""
    labels = list(re.finditer(r"\\label\{\\detokenize\{([^:}]+):", tex[:offset]))
    return labels[-1][1] if labels else None


MATH = re.compile(r"\\\[.*?\\\]|\\\(.*?\\\)|\\begin\{(equation|align|split)\*?\}.*?\\end\{\1\*?\}", re.S)


def first_use(tex: str, char: str) -> int:
    """Where `char` first occurs in a formula, whose fonts lack glyphs that
    the prose fonts have; else its first occurrence (-1: nowhere)."""
    for formula in MATH.finditer(tex):
        if char in formula[0]:
            return formula.start() + formula[0].index(char)
    return tex.find(char)


MISSING = re.compile(r"^Missing character: There is no (.+?) \((U\+[0-9A-F]+)\) in font (.+?)!$", re.M | re.S)
ERROR = re.compile(r"^(?:\./)?[^\s:]+\.tex:(\d+): (.+)$", re.M)
FONT_WARNING = re.compile(r"^(LaTeX Font Warning: .+|Package fontspec Warning: .+)$", re.M)


def log_problems(log: str, tex: str) -> list[str]:
    """What fails the PDF build in a XeLaTeX log, each naming its page where
    it can: LaTeX errors (by the LaTeX line), missing glyphs (by where the
    character first occurs in a formula, else anywhere, in the LaTeX sources) and font warnings."""
    problems = []
    lines = tex.splitlines(keepends=True)
    for match in ERROR.finditer(log):
        line = int(match[1])
        page = page_of(tex, sum(len(text) for text in lines[:line]))
        problems.append(f"LaTeX error on page {page or '?'} (LaTeX line {line}): {match[2]}")
    seen = set()
    for match in MISSING.finditer(log):
        char, code, font = match[1], match[2], match[3].replace("\n", "")
        if (code, font) in seen:
            continue
        seen.add((code, font))
        found = first_use(tex, char)
        page = page_of(tex, found) if found >= 0 else None
        problems.append(f"missing glyph {char!r} ({code}) in font {font} on page {page or '?'}")
    for match in FONT_WARNING.finditer(log):
        problems.append(f"font warning: {match[1]}")
    return problems


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
