"""Every image says what it shows, in its edition's language: the figures
(`:alt:` of each `{figure}`, written with the figure), the plots (made by
d2l with the plot, see tests/d2l/test_animator.py) and the Colab notebooks'
figures. axe accepts any alt text; a screen reader reading out
'../_images/resnet.svg' is what these tests rule out.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scripts.environment import book
from scripts.notebooks import export

REPO = Path(__file__).resolve().parents[2]
EDITIONS = ('ko', 'zh')
FIGURE = re.compile(r'^(`{3,})\{figure\}\s+(\S+)\n((?::[\w-]+:.*\n)*)\n?(.*?)\n\1\s*$',
                    re.MULTILINE | re.DOTALL)
# One word with a slash ('../_images/x.svg'), or a file name by its extension;
# a description may hold a slash between words ('1, 2, 1 / 2, 4, 2').
PATH_LIKE = re.compile(r'^\S*[/\\]\S*$|\.(svg|png|jpe?g|gif|webp|pdf)$', re.IGNORECASE)


def alt_problem(alt: str | None, src: str, decorative: bool = False) -> str | None:
    """Why `alt` does not say what the image at `src` shows, or None. An
    empty alt is right only for an image marked decorative (aria-hidden)."""
    if alt is None:
        return 'no alt attribute'
    if not alt.strip():
        return None if decorative else 'empty alt text'
    name = src.rsplit('/', 1)[-1]
    if PATH_LIKE.search(alt.strip()) or alt.strip() in (name, name.rsplit('.', 1)[0]):
        return f'a path or file name: {alt!r}'
    return None


class Images(HTMLParser):
    """The <img> tags of a page: (src, alt, aria-hidden)."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == 'img':
            attrs = dict(attrs)
            self.found.append((attrs.get('src', ''), attrs.get('alt'),
                               attrs.get('aria-hidden') == 'true'))


def image_problems(html_dir: Path) -> list[str]:
    """'page: src: why' for each image of the site without a proper alt text."""
    problems = []
    for page in sorted(html_dir.rglob('*.html')):
        if {'_static', '_sources', '_notebooks'} & set(page.relative_to(html_dir).parts):
            continue
        parser = Images()
        parser.feed(page.read_text(encoding='utf-8'))
        for src, alt, decorative in parser.found:
            why = alt_problem(alt, src, decorative)
            if why:
                problems.append(f'{page.relative_to(html_dir)}: {src}: {why}')
    return problems


def test_a_path_or_a_file_name_is_not_alt_text():
    assert alt_problem('../_images/resnet.svg', '../_images/resnet.svg')
    assert alt_problem('../_images/resnet-23fa19b2d53ae4a3.svg', '../_images/resnet-23fa19b2d53ae4a3.svg')
    assert alt_problem('resnet', '../_images/resnet.svg')
    assert alt_problem('', 'x.svg') and alt_problem(None, 'x.svg')
    assert alt_problem('', 'logo.svg', decorative=True) is None
    assert alt_problem('10 에포크 동안의 훈련 곡선. 마지막 에포크의 훈련 손실 0.470', 'x.svg') is None
    assert alt_problem('X의 칸에 적힌 수 1, 2, 1 / 2, 4, 2 / 1, 2, 1', 'x.svg') is None


def test_the_check_finds_an_image_named_by_its_path(tmp_path):
    (tmp_path / 'ko').mkdir()
    (tmp_path / 'ko' / 'page.html').write_text(
        '<p><img alt="../_images/x.svg" src="../_images/x.svg"/>'
        '<img alt="잔차 블록" src="../_images/y.svg"/></p>', encoding='utf-8')
    assert image_problems(tmp_path) == [
        "ko/page.html: ../_images/x.svg: a path or file name: '../_images/x.svg'"]


def test_every_image_of_the_site_says_what_it_shows(built_site):
    """Figures, plots, landing and 404 pages, in both editions."""
    assert not image_problems(built_site)


def figures(lang: str) -> dict[tuple[str, str], tuple[str | None, str]]:
    """(page, figure file) -> (alt text, caption) of each {figure} of an edition."""
    found = {}
    for page in book.pages():
        source = REPO / 'book' / lang / f'{page}.md'
        if source.exists():
            for m in FIGURE.finditer(source.read_text(encoding='utf-8')):
                alt = re.search(r'^:alt:(.*)$', m[3], re.MULTILINE)
                found[page, m[2]] = (alt[1].strip() if alt else None, m[4].strip())
    return found


@pytest.mark.parametrize('lang', EDITIONS)
def test_every_figure_is_described_in_its_editions_language(lang):
    """Each {figure} has an :alt: that is neither a path nor its caption
    (which a screen reader reads as well), in Hangul or Han."""
    found = figures(lang)
    assert found
    script = {'ko': '[가-힣]', 'zh': '[\u4e00-\u9fff]'}[lang]
    for (page, path), (alt, caption) in found.items():
        where = f'book/{lang}/{page}.md: {path}'
        assert alt_problem(alt, path) is None, f'{where}: {alt_problem(alt, path)}'
        assert alt not in caption and caption not in alt, f'{where}: the alt text repeats the caption'
        assert re.search(script, alt), f'{where}: not in the edition language: {alt!r}'


def test_both_editions_describe_the_same_figures():
    ko, zh = figures('ko'), figures('zh')
    assert ko.keys() == zh.keys()


def test_colab_notebooks_carry_the_figures_alt_text():
    source = ('```{figure} ../img/resnet.svg\n:name: fig-resnet\n'
              ':alt: 잔차 블록 [왼쪽]과 f*의 위치\n:width: 100%\n\n캡션.\n```\n')
    where = export.Edition('ko', {}, {})
    md = export.colab_markdown(source, 'chapter_convolutional-modern/resnet', where)
    assert md.startswith(r'![잔차 블록 \[왼쪽\]과 f\*의 위치](')
