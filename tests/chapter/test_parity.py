"""The two editions keep the same structure beyond their headings, on every
page of _toc.yml (pages added later are covered without listing them here):
the same labels in the same order, and per section (a level-1 or level-2
heading and what follows it up to the next one) the same number of numbered
items (the exercises), sub-headings (the FAQ entries), dropdowns (hints and
answers), figures, display equations and citations.

The prose is each language's own; these counts are what a reader switching
language on a page expects to find again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scripts.environment import book
from scripts.pipeline.source import parse

EDITIONS = list(book.editions())

LABEL = re.compile(r"^\((?P<label>[^)]+)\)=\s*$")
FIGURE_NAME = re.compile(r"^:name:\s*(?P<label>\S+)")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*)$")
FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
NUMBERED = re.compile(r"^\d+\.\s")
DROPDOWN = re.compile(r"^\s*:{3,}\{dropdown\}")
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`(?P<keys>[^`]*)`")
IMAGE = re.compile(r"!\[[^\]]*\]\(")

KINDS = ("numbered items (exercises)", "sub-headings (FAQ entries)", "dropdowns", "figures",
         "display equations", "citations")


@dataclass
class Section:
    title: str
    label: str | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def name(self) -> str:
        return self.label or repr(self.title)


@dataclass
class Structure:
    labels: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def structure(path: Path | str, text: str | None = None) -> Structure:
    """Labels and per-section counts of one page's prose (code cells and the
    inside of code fences in prose are not prose)."""
    found = Structure()
    section = Section("(before the first heading)", None)
    found.sections.append(section)
    pending_label = None
    for cell in parse(path, text).cells:
        if cell.kind != "markdown":
            continue
        fence = None          # the open backtick/tilde fence, if any
        equation_marks = 0
        for line in cell.source.splitlines():
            m = FENCE.match(line)
            if fence is not None:
                if m and m.group("fence")[0] == fence[0] and len(m.group("fence")) >= len(fence) \
                        and not m.group("info").strip():
                    fence = None
                    continue
                name = FIGURE_NAME.match(line.strip())
                if name:
                    found.labels.append(name.group("label"))
                continue
            if m:
                fence = m.group("fence")
                info = m.group("info").strip()
                if info.startswith("{figure}"):
                    section.counts["figures"] += 1
                elif info.startswith("{math}"):
                    section.counts["display equations"] += 1
                continue
            label = LABEL.match(line.strip())
            if label:
                found.labels.append(label.group("label"))
                pending_label = label.group("label")
                continue
            heading = HEADING.match(line)
            if heading and len(heading.group("hashes")) <= 2:
                section = Section(heading.group("title").strip(), pending_label)
                found.sections.append(section)
            elif heading:
                section.counts["sub-headings (FAQ entries)"] += 1
            if line.strip():
                pending_label = None
            if NUMBERED.match(line):
                section.counts["numbered items (exercises)"] += 1
            if DROPDOWN.match(line):
                section.counts["dropdowns"] += 1
            section.counts["figures"] += len(IMAGE.findall(line))
            section.counts["citations"] += sum(len([k for k in m.group("keys").split(",") if k.strip()])
                                               for m in CITE.finditer(line))
            equation_marks += line.count("$$")
            section.counts["display equations"] += equation_marks // 2
            equation_marks %= 2
    return found


def differences(page: str, structures: dict[str, Structure]) -> list[str]:
    """What differs between the editions' structures of `page`, one line each."""
    (a, first), (b, second) = structures.items()
    problems = []
    if first.labels != second.labels:
        problems.append(f"{page}: labels differ: {a} {first.labels}, {b} {second.labels}")
    if len(first.sections) != len(second.sections):
        problems.append(f"{page}: {len(first.sections)} sections in {a}, {len(second.sections)} in {b}")
        return problems
    for n, (x, y) in enumerate(zip(first.sections, second.sections)):
        for kind in KINDS:
            if x.counts[kind] != y.counts[kind]:
                problems.append(f"{page}, section {n} ({x.name()} / {y.name()}): {kind}: "
                                f"{a} {x.counts[kind]}, {b} {y.counts[kind]}")
    return problems


@pytest.mark.parametrize("page", book.pages())
def test_editions_have_the_same_structure(page):
    structures = {lang: structure(book.source_path(lang, page)) for lang in EDITIONS}
    problems = differences(page, structures)
    assert not problems, "\n".join(problems)


# A deliberately unbalanced pair: the Chinese page has one exercise, one
# citation, one equation and one dropdown more, and a figure without a name.
KO = """\
(sec-demo)=
# 데모

본문 {cite:p}`Simonyan.Zisserman.2014`.

$$
a = b
$$

```python
# not a heading
1. not an exercise
```

(sec-demo-exercises)=
## 연습 문제

1. 첫 번째 문제

   :::{dropdown} 힌트
   답
   :::
"""

ZH = """\
(sec-demo)=
# 演示

正文 {cite:p}`Simonyan.Zisserman.2014,Lin.Chen.Yan.2013`。

$$
a = b
$$

$$ c = d $$

```{figure} ../img/x.svg
图
```

(sec-demo-exercises)=
## 练习

1. 第一题

   :::{dropdown} 提示
   答
   :::

2. 第二题

   :::{dropdown} 提示
   答
   :::
"""


def test_an_unbalanced_pair_is_reported_by_page_section_and_counts():
    structures = {"ko": structure("ko/demo.md", KO), "zh": structure("zh/demo.md", ZH)}
    problems = differences("chapter_demo/demo", structures)
    assert problems == [
        "chapter_demo/demo, section 1 (sec-demo / sec-demo): figures: ko 0, zh 1",
        "chapter_demo/demo, section 1 (sec-demo / sec-demo): display equations: ko 1, zh 2",
        "chapter_demo/demo, section 1 (sec-demo / sec-demo): citations: ko 1, zh 2",
        "chapter_demo/demo, section 2 (sec-demo-exercises / sec-demo-exercises): "
        "numbered items (exercises): ko 1, zh 2",
        "chapter_demo/demo, section 2 (sec-demo-exercises / sec-demo-exercises): dropdowns: ko 1, zh 2",
    ]
    with pytest.raises(AssertionError, match=r"section 2 \(sec-demo-exercises.*ko 1, zh 2"):
        assert not problems, "\n".join(problems)


def test_labels_and_sections_are_compared():
    ko = structure("ko/demo.md", KO)
    zh = structure("zh/demo.md", KO.replace("(sec-demo-exercises)=", "(sec-demo-practice)="))
    assert ko.labels == ["sec-demo", "sec-demo-exercises"]
    assert differences("p", {"ko": ko, "zh": zh}) == [
        "p: labels differ: ko ['sec-demo', 'sec-demo-exercises'], zh ['sec-demo', 'sec-demo-practice']"]
    fewer = structure("zh/demo.md", KO.split("(sec-demo-exercises)=")[0])
    assert differences("p", {"ko": ko, "zh": fewer}) == [
        "p: labels differ: ko ['sec-demo', 'sec-demo-exercises'], zh ['sec-demo']",
        "p: 3 sections in ko, 2 in zh"]
