"""The VGG chapter: both editions share one structure and the same code, and
the executed outputs reproduce the chapter's numbers in every framework."""
import re

import pytest

from scripts.environment import book
from scripts.pipeline import code_parity
from tests.chapter import executed
from tests.chapter.executed import headings

PAGE = "chapter_convolutional-modern/vgg"
EDITIONS = list(book.editions())


def test_editions_have_the_same_page_tree():
    trees = {lang: sorted(p.relative_to(book.BOOK / lang).as_posix() for p in (book.BOOK / lang).rglob("*")
                          if p.is_file()) for lang in EDITIONS}
    assert trees["ko"] == trees["zh"]
    for page in book.pages():
        for lang in EDITIONS:
            assert book.source_path(lang, page).exists(), f"{lang}: {page} is in _toc.yml but missing"


@pytest.mark.parametrize("page", book.pages())
def test_editions_have_the_same_heading_structure(page):
    ko, zh = (headings(lang, page) for lang in EDITIONS)
    assert ko == zh, f"{page}: heading levels or labels differ between editions"


def test_code_is_identical_between_editions():
    """The build executes each page once for both editions (and refuses to
    when this fails)."""
    assert code_parity.differences() == []


def test_chapter_covers_every_section():
    labels = [label for _, label in headings("ko", PAGE)]
    assert labels == ["sec-vgg", "sec-vgg-from-alexnet", "sec-vgg-block", "sec-vgg-network",
                      "sec-vgg-params", "sec-vgg-input-size", "sec-vgg-training", "sec-vgg-scarce",
                      "sec-vgg-significance", "sec-vgg-faq", None, None, None,
                      "sec-vgg-summary", "sec-vgg-exercises"]


def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def test_every_framework_prints_the_same_blocks(executed_book):
    expected = [112, 56, 28, 14, 7]
    for fw in book.FRAMEWORKS:
        lines = printed(executed_book, fw, "output shape").strip().splitlines()
        assert len(lines) == 6, f"{fw} prints {len(lines)} lines"
        sizes = [tuple(int(n) for n in re.findall(r"\d+", line.split("output shape:")[1])) for line in lines]
        # NCHW (1, C, H, W) in MXNet/PyTorch, NHWC (1, H, W, C) in TensorFlow.
        spatial = [s[2] if fw != "tensorflow" else s[1] for s in sizes[:5]]
        assert spatial == expected, f"{fw}: {spatial}"
        assert sizes[5] == (1, 10)


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_parameter_counts_are_reproduced(executed_book, framework):
    blocks = printed(executed_book, framework, "for i, count in enumerate(counts[:-1])")
    assert re.search(r"total:\s+43,093,322", blocks)
    assert re.findall(r"block (\d):", blocks) == ["1", "2", "3", "4", "5"]  # the dense part is no block
    assert re.search(r"dense part:\s+42,516,490", blocks)
    assert "share of the dense part: 98.7%" in blocks
    sizes = printed(executed_book, framework, "for name, arch in vgg_archs.items()")
    assert sizes.split() == ["VGG-11:", "132,863,336", "VGG-16:", "138,357,544",
                             "VGG-19:", "143,667,240"]


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_models_accept_96x96_input(executed_book, framework):
    shape = printed(executed_book, framework, "96, 96")
    assert re.findall(r"\d+", shape) == ["1", "10"]
