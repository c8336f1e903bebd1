"""Parse a chapter source (a MyST-NB text notebook) into cells that remember
their line numbers, and check its framework marks.

A code cell belongs to every framework unless its tags name some of them
(`mxnet`, `pytorch`, `tensorflow`); a prose block is marked the same way with
`+++ {"tags": ["pytorch"]}`. Any error names the file and line.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from scripts.environment.book import FRAMEWORKS, YAML_LOADER

# Tags that MyST-NB itself understands; any other tag must name a framework.
MYST_NB_TAGS = frozenset({
    "remove-cell", "remove-input", "remove-output", "remove-stderr",
    "hide-cell", "hide-input", "hide-output", "raises-exception",
    "skip-execution", "full-width", "margin", "scroll-output",
})

CODE_CELL = re.compile(r"^(`{3,})\{code-cell\}\s*(\S*)\s*$")
FENCE = re.compile(r"^(`{3,}|~{3,})")
BREAK = re.compile(r"^\+\+\+\s*(.*)$")
HEADING = re.compile(r"^#{1,6}\s")


class SourceError(ValueError):
    """A malformed chapter source; the message starts with `file:line:`."""

    def __init__(self, path: Path | str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line = Path(path), line


@dataclass
class Cell:
    kind: str                      # "markdown" or "code"
    source: str
    line: int                      # 1-based line where the cell's text starts
    tags: list[str] = field(default_factory=list)
    frameworks: tuple[str, ...] = FRAMEWORKS

    @property
    def common(self) -> bool:
        return self.frameworks == FRAMEWORKS


@dataclass
class Page:
    path: Path
    front_matter: dict
    cells: list[Cell]

    @property
    def all_in_one(self) -> bool:
        """A page whose code uses all frameworks together (front matter
        `d2l: {execute: once}`) runs once, in one kernel, with no tabs."""
        return (self.front_matter.get("d2l") or {}).get("execute") == "once"

    @property
    def reads(self) -> str | None:
        """For a page run once: `module:function` returning the code of other
        pages it runs (front matter `d2l: {reads: ...}`), so that its cache
        follows that code alone; None: it may read any page's code."""
        return (self.front_matter.get("d2l") or {}).get("reads")

    @property
    def runs_last(self) -> bool:
        """A page run once that shows what the other pages' executions
        recorded (front matter `d2l: {order: last}`) executes after them."""
        return (self.front_matter.get("d2l") or {}).get("order") == "last"

    @property
    def has_code(self) -> bool:
        return any(c.kind == "code" for c in self.cells)


def _frameworks(path, line, tags) -> tuple[str, ...]:
    marks = []
    for tag in tags:
        if tag in FRAMEWORKS:
            marks.append(tag)
        elif tag not in MYST_NB_TAGS:
            raise SourceError(path, line, f"unknown tag {tag!r}: a framework mark must be one of "
                              f"{', '.join(FRAMEWORKS)}")
    return tuple(f for f in FRAMEWORKS if f in marks) or FRAMEWORKS


def _code_options(path, lines, i):
    """Read `:key: value` lines or a `---` YAML block after a code-cell fence."""
    options, start = {}, i
    if i < len(lines) and lines[i].strip() == "---":
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "---"), None)
        if end is None:
            raise SourceError(path, start + 1, "code-cell options opened with '---' are never closed")
        try:
            options = yaml.load("\n".join(lines[i + 1:end]), Loader=YAML_LOADER) or {}
        except yaml.YAMLError as err:
            raise SourceError(path, start + 1, f"code-cell options are not valid YAML: {err}") from None
        if not isinstance(options, dict):
            raise SourceError(path, start + 1, "code-cell options must be a mapping")
        return options, end + 1
    while i < len(lines) and re.match(r"^:[\w-]+:", lines[i]):
        key, _, value = lines[i][1:].partition(":")
        try:
            options[key] = yaml.load(value.strip(), Loader=YAML_LOADER)
        except yaml.YAMLError as err:
            raise SourceError(path, i + 1, f"option {key!r} is not valid YAML: {err}") from None
        i += 1
    return options, i


def _closing_fence(fence: str) -> re.Pattern:
    """What closes `fence`: as in CommonMark, the same character at least as
    many times."""
    return re.compile(re.escape(fence[0]) + "{%d,}" % len(fence))


def _close(path, lines, i, fence, start, what) -> int:
    """The index of the line that closes `fence`, opened at line `start`,
    searching from `i`. A `{code-cell}` opening with a fence as long before it
    means this fence was left open (its closing line would otherwise be taken
    from the next cell, merging two cells and the prose between them); a
    shorter one is an example inside a longer fence."""
    closing = _closing_fence(fence)
    while i < len(lines) and not closing.fullmatch(lines[i].strip()):
        opening = CODE_CELL.match(lines[i])
        if opening and len(opening.group(1)) >= len(fence):
            raise SourceError(path, start, f"{what} opened here is not closed before the code cell "
                              f"at line {i + 1}: add a line with {fence} where it ends")
        i += 1
    if i == len(lines):
        raise SourceError(path, start, f"{what} opened here is never closed: add a line with "
                          f"{fence} where it ends")
    return i


def _yaml_error(path, first: int, what: str, err: yaml.YAMLError) -> SourceError:
    """`what` is not valid YAML: name the line of the problem (the block's
    text starts at line `first`) and what YAML says."""
    mark = getattr(err, "problem_mark", None)
    line = first + mark.line if mark is not None else first
    problem = getattr(err, "problem", None) or str(err)
    return SourceError(path, line, f"{what} is not valid YAML ({problem}): fix that line, e.g. quote "
                       "a value that holds ': ' or starts with a special character")


def _tags(path, line, value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise SourceError(path, line, f"tags must be a list of names, got {value!r}")
    return value


def parse(path: Path | str, text: str | None = None) -> Page:
    """Parse one chapter source; raise SourceError naming file and line."""
    path = Path(path)
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    front, i = {}, 0
    if lines and lines[0].strip() == "---":
        end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), None)
        if end is None:
            raise SourceError(path, 1, "front matter opened with '---' is never closed")
        try:
            front = yaml.load("\n".join(lines[1:end]), Loader=YAML_LOADER) or {}
        except yaml.YAMLError as err:
            raise _yaml_error(path, 2, "front matter", err) from None
        if not isinstance(front, dict):
            raise SourceError(path, 2, "front matter must be a YAML mapping (key: value lines)")
        i = end + 1

    cells: list[Cell] = []
    prose: list[str] = []
    prose_line, prose_meta = i + 1, {}

    def flush_prose():
        # Trailing and leading blank lines are layout, not content.
        while prose and not prose[-1].strip():
            prose.pop()
        first = next((k for k, t in enumerate(prose) if t.strip()), None)
        if first is not None:
            tags = _tags(path, prose_line, prose_meta.get("tags"))
            cell = Cell("markdown", "\n".join(prose[first:]), prose_line + first, tags,
                        _frameworks(path, prose_line, tags))
            if not cell.common:
                for k, text_line in enumerate(prose[first:]):
                    if HEADING.match(text_line):
                        raise SourceError(path, cell.line + k, "a heading cannot be marked for some "
                                          "frameworks: every edition needs the same page structure")
            cells.append(cell)
        prose.clear()

    while i < len(lines):
        text_line = lines[i]
        opening = CODE_CELL.match(text_line)
        brk = BREAK.match(text_line)
        if opening:
            flush_prose()
            fence, start = opening.group(1), i + 1
            options, i = _code_options(path, lines, i + 1)
            body_start = i
            i = _close(path, lines, i, fence, start, "code cell")
            tags = _tags(path, start, options.get("tags"))
            cells.append(Cell("code", "\n".join(lines[body_start:i]), start, tags,
                              _frameworks(path, start, tags)))
            i += 1
            prose_line, prose_meta = i + 1, {}
            continue
        if brk:
            flush_prose()
            meta_text = brk.group(1).strip()
            try:
                prose_meta = json.loads(meta_text) if meta_text else {}
            except json.JSONDecodeError as err:
                raise SourceError(path, i + 1, f"cell metadata after '+++' is not valid JSON: {err}") from None
            if not isinstance(prose_meta, dict):
                raise SourceError(path, i + 1, "cell metadata after '+++' must be a JSON object")
            prose_line = i + 2
            i += 1
            continue
        plain = FENCE.match(text_line)
        if plain:
            # A fenced block inside prose (an example, a directive) may contain
            # anything, even text that looks like a code cell.
            fence, start = plain.group(1), i
            prose.append(text_line)
            i += 1
            end = _close(path, lines, i, fence, start + 1, "fenced block")
            prose.extend(lines[i:end])
            i = end
        prose.append(lines[i])
        i += 1
    flush_prose()
    page = Page(path, front, cells)
    if page.all_in_one:
        marked = next((c for c in cells if not c.common), None)
        if marked:
            raise SourceError(path, marked.line, "a page executed once (d2l: {execute: once}) "
                              "cannot mark cells for some frameworks")
    elif page.runs_last:
        line = next((n for n, text in enumerate(lines, 1) if text.strip().startswith("order:")), 1)
        raise SourceError(path, line, "only a page executed once (d2l: {execute: once}) can run "
                          "last: add `execute: once` or remove `order: last`")
    return page
