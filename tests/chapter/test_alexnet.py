"""The AlexNet chapter: the executed notebooks print the same network in every
framework, and the numbers the prose quotes (parameters, shapes, the
multiply-adds the VGG chapter compares against) are the ones they print."""
import math
import re

import pytest

from scripts.environment import book
from tests.chapter import executed
from tests.chapter.executed import headings

PAGE = "chapter_convolutional-modern/alexnet"
EDITIONS = list(book.editions())

# The layers with parameters, channels first: (output shape, parameters).
EXPECTED = [
    ((1, 96, 54, 54), 11_712),
    ((1, 256, 26, 26), 614_656),
    ((1, 384, 12, 12), 885_120),
    ((1, 384, 12, 12), 1_327_488),
    ((1, 256, 12, 12), 884_992),
    ((1, 4096), 26_218_496),
    ((1, 4096), 16_781_312),
    ((1, 10), 40_970),
]
# Every printed layer, channels first, in the order of each framework's net.
POOLED = [(1, 96, 26, 26), (1, 256, 12, 12), (1, 256, 5, 5)]


def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def layer_rows(executed_book, framework):
    return executed.layer_rows(printed(executed_book, framework, "total_params, macs = 0, 0"), framework)


def multiply_adds(rows):
    """Each output value of a conv or dense layer costs (params / C_out - 1)
    multiply-adds: its kernel's weights, the bias aside."""
    return sum(math.prod(shape) * (params // shape[1] - 1) for _, shape, params in rows if params)


def test_chapter_covers_every_section():
    labels = [label for _, label in headings("ko", PAGE)]
    assert labels == ["sec-alexnet", "sec-alexnet-learned-features", "sec-alexnet-model",
                      "sec-alexnet-shapes", "sec-alexnet-compute", "sec-alexnet-relu",
                      "sec-alexnet-dropout", "sec-alexnet-augmentation", "sec-alexnet-training",
                      "sec-quick-profile", "sec-alexnet-faq", None, None, None, "sec-alexnet-summary",
                      "sec-alexnet-exercises"]


def test_every_framework_prints_the_same_network(executed_book):
    expected_rows = {"mxnet": 13, "pytorch": 21, "tensorflow": 14}
    for fw in book.FRAMEWORKS:
        rows = layer_rows(executed_book, fw)
        assert len(rows) == expected_rows[fw], f"{fw}: {len(rows)} layers"
        weighted = [(shape, params) for _, shape, params in rows if params]
        assert weighted == EXPECTED, f"{fw}: {weighted}"
        pooled = [shape for name, shape, _ in rows if "Pool" in name]
        assert pooled == POOLED, f"{fw}: {pooled}"
        dropout = [shape for name, shape, params in rows if name == "Dropout"]
        assert dropout == [(1, 4096), (1, 4096)] and rows[-1][1] == (1, 10), fw


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_totals_are_printed_and_follow_from_the_layers(executed_book, framework):
    rows = layer_rows(executed_book, framework)
    params = sum(p for _, _, p in rows)
    macs = multiply_adds(rows)
    assert (params, macs) == (46_764_746, 938_146_176)
    totals = printed(executed_book, framework, "multiply-adds:")
    assert f"parameters:    {params:,}" in totals
    assert f"multiply-adds: {macs:,} ({macs / 1e9:.2f} G)" in totals


@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_quotes_the_computed_numbers(executed_book, lang):
    rows = layer_rows(executed_book, "pytorch")
    weighted = [(shape, p) for _, shape, p in rows if p]
    macs = multiply_adds(rows)
    conv = sum(math.prod(s) * (p // s[1] - 1) for s, p in weighted if len(s) == 4)
    conv_params = sum(p for s, p in weighted if len(s) == 4)
    total = sum(p for _, p in weighted)
    text = book.source_path(lang, PAGE).read_text(encoding="utf-8")
    for number in (macs, conv, total, conv_params, total - conv_params):
        assert f"{number:,}" in text, f"{lang}: {number:,} is not quoted"
    assert f"{macs / 1e9:.2f} G" in text
    assert f"{conv / macs:.1%}" in text and f"{conv_params / total:.1%}" in text
    assert f"{1 - conv_params / total:.1%}" in text
    for shape, p in weighted:  # the table of the compute section, row by row
        layer_macs = math.prod(shape) * (p // shape[1] - 1)
        assert re.search(rf"\| {p:,} \| {layer_macs:,} \| {layer_macs / macs:.1%} \|", text), (lang, p)


def test_vgg_chapter_quotes_this_chapter_s_multiply_adds(executed_book):
    # The VGG chapter compares VGG-11 with AlexNet's multiply-adds on one
    # 224x224 grayscale image: rounded, the figure computed here.
    macs = multiply_adds(layer_rows(executed_book, "pytorch"))
    ko = book.source_path("ko", "chapter_convolutional-modern/vgg").read_text(encoding="utf-8")
    tens_of_millions = round(macs / 1e7)  # 94: 9억 4천만
    quotes = (f"{tens_of_millions // 10}억 {tens_of_millions % 10}천만", f"{macs / 1e9:.2f} G", f"{macs:,}")
    assert any(q in ko for q in quotes), f"the VGG chapter quotes none of {quotes}"
