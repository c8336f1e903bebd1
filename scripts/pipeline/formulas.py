"""Check the formulas of each chapter source before anything executes: Korean
or Chinese letters and punctuation inside `$...$` or `$$...$$` (outside
`\\text{}`) render on the website, where MathJax falls back to a system font,
but the PDFs' math fonts have no glyph for them and XeLaTeX stops at the
first one, after every notebook has run. Each problem names file:line; scripts/pipeline/source_checks.py runs it."""
from __future__ import annotations

import re
from pathlib import Path

from scripts.environment import book

FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\S*)")
MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)
TEXT = re.compile(r"\\(?:text|textrm|mbox)\{[^{}]*\}")
# Hangul, CJK ideographs, and CJK and full-width punctuation.
CJK = re.compile(r"[\u3000-\u303f\u3131-\u318f\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")


def prose(text: str) -> str:
    """`text` with the contents of code fences blanked (line numbers kept);
    directives such as `{figure}` keep theirs: captions hold formulas too."""
    lines, open_fences = text.split("\n"), []  # [(fence, is code)], innermost last
    for i, line in enumerate(lines):
        opened = FENCE.match(line)
        bare = opened is not None and not opened[2] and not line.strip().strip(opened[1][0])
        in_code = any(code for _, code in open_fences)
        if bare and open_fences and opened[1][0] == open_fences[-1][0][0] \
                and len(opened[1]) >= len(open_fences[-1][0]):
            open_fences.pop()
        elif opened and not in_code:
            open_fences.append((opened[1], not opened[2].startswith("{") or opened[2] == "{code-cell}"))
        if in_code or any(code for _, code in open_fences):
            lines[i] = ""
    return "\n".join(lines)


def problems(path: Path) -> list[str]:
    """Every formula of `path` that holds CJK text outside `\\text{}`."""
    text = prose(path.read_text(encoding="utf-8"))
    found = []
    for match in MATH.finditer(text):
        formula = match[1] if match[1] is not None else match[2]
        start = match.start(1) if match[1] is not None else match.start(2)
        bare = TEXT.sub(lambda m: " " * len(m[0]), formula)
        char = CJK.search(bare)
        if char:
            line = text.count("\n", 0, start + char.start()) + 1
            found.append(f"{book.shown(path)}:{line}: {char[0]!r} inside a formula: the PDFs' math fonts "
                         "have no glyph for it; move it out of the formula (punctuation after `$$`), "
                         "or wrap words in \\text{...}")
    return found
