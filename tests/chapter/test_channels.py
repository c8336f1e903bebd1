"""The multiple input and output channels page: the cross-correlations its
executed notebooks print, in every framework, are what numpy gives for the
same input and kernels, the 1x1 convolution as a matrix product agrees with
the channel loop, the framework layers hold the parameters the formula
counts, and the prose and figures quote these computed numbers."""
import re

import numpy as np
import pytest

from scripts.environment import book
from tests.chapter import executed
from tests.chapter.executed import numbers

PAGE = "chapter_convolutional-neural-networks/channels"
EDITIONS = list(book.editions())


def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def source(lang):
    return book.source_path(lang, PAGE).read_text(encoding="utf-8")


# -- computed independently ----------------------------------------------------

X = np.array([np.arange(9.0).reshape(3, 3), np.arange(1.0, 10.0).reshape(3, 3)])
K = np.array([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
K3 = np.stack([K, K + 1, K + 2])


def conv_multi(X, K):
    """Multi-channel cross-correlation through numpy's sliding windows: K is
    (c_o, c_i, k_h, k_w), X is (c_i, h, w)."""
    windows = np.lib.stride_tricks.sliding_window_view(X, K.shape[-2:], axis=(1, 2))
    return np.einsum("chwij,ocij->ohw", windows, K)


def conv_cost(c_i, c_o, k, size):
    return c_o * c_i * k * k + c_o, c_o * c_i * k * k * size * size


Y1 = conv_multi(X, K[None])[0]
Y3 = conv_multi(X, K3)
COST5, COST1 = conv_cost(96, 256, 5, 26), conv_cost(96, 256, 1, 26)


def test_the_example_values():
    assert Y1.tolist() == [[56, 72], [104, 120]]
    assert Y3[1, 0, 0] == 76 and Y3[2, 0, 0] == 96
    assert COST5 == (614_656, 415_334_400) and COST1 == (24_832, 16_613_376)


# -- the executed notebooks ------------------------------------------------------

@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_multi_input_cross_correlation(executed_book, framework):
    text = printed(executed_book, framework, "print(corr2d_multi_in(X, K))")
    assert np.array_equal(np.array(numbers(text)).reshape(2, 2), Y1)


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_multi_output_cross_correlation(executed_book, framework):
    text = printed(executed_book, framework, "corr2d_multi_in_out(X, K))")
    shape_line, rest = text.split("\n", 1)
    assert shape_line.strip() == str(K3.shape) == "(3, 2, 2, 2)"
    assert np.array_equal(np.array(numbers(rest)).reshape(3, 2, 2), Y3)
    assert np.array_equal(Y3[0], Y1)


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_1x1_convolution_is_a_matrix_product(executed_book, framework):
    text = printed(executed_book, framework, "Y1 = corr2d_multi_in_out_1x1(X, K)")
    assert text.strip().splitlines() == ["output shape: (2, 3, 3)", "max difference: 0.0"]


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_layer_parameters(executed_book, framework):
    text = printed(executed_book, framework, "conv = ")
    weight = (5, 5, 96, 256) if framework == "tensorflow" else (256, 96, 5, 5)
    assert text.strip() == f"weight {weight}, bias (256,), parameters {COST5[0]:,}"


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_cost_formula(executed_book, framework):
    text = printed(executed_book, framework, "def conv_cost")
    expected = [f"{k}x{k} convolution, 96 -> 256 channels, 26x26 output: "
                f"{p:,} parameters, {m:,} multiply-adds" for k, (p, m) in ((5, COST5), (1, COST1))]
    assert text.strip().splitlines() == expected


# -- the prose and the figures --------------------------------------------------

def forms(n):
    return f"{n:,}", f"{n:,}".replace(",", "{,}")


@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_numbers(lang):
    text = source(lang)
    ch0 = (X[0, :2, :2] * K[0]).sum()
    ch1 = (X[1, :2, :2] * K[1]).sum()
    assert (ch0, ch1) == (19, 37) and f"={int(ch0)}+{int(ch1)}={int(Y1[0, 0])}" in text
    last = [(X[c, 1:, 1:] * K[c]).sum() for c in range(2)]
    assert f"={int(last[0])}+{int(last[1])}={int(Y1[1, 1])}" in text
    window_sum = X[:, :2, :2].sum()
    assert Y3[1, 0, 0] == Y1[0, 0] + window_sum and f"= {int(Y3[1, 0, 0])}" in text
    assert f"{int(Y3[2, 0, 0])}" in text
    assert "[[56, 72], [104, 120]]" in text
    for n in (*COST5, *COST1):
        assert any(f in text for f in forms(n)), f"{lang}: {n:,}"
    assert COST5[0] - 256 == 25 * (COST1[0] - 256) and COST5[1] == 25 * COST1[1]
    # the bottleneck exercise
    bottleneck = [conv_cost(256, 64, 1, 1)[0], conv_cost(64, 64, 3, 1)[0], conv_cost(64, 256, 1, 1)[0]]
    plain = conv_cost(256, 256, 3, 1)[0]
    for n in (*bottleneck, sum(bottleneck), plain):
        assert any(f in text for f in forms(n)), f"{lang}: {n:,}"
    share = sum(bottleneck) / plain
    assert share < 1 / 8 and f"{round(100 * share)}%" == "12%" and "12%" in text


def test_alexnet_quotes_the_same_multiply_adds():
    for lang in EDITIONS:
        alexnet = book.source_path(lang, "chapter_convolutional-modern/alexnet").read_text(encoding="utf-8")
        assert f"{COST5[1]:,}" in alexnet and f"{COST5[0]:,}" in alexnet


def svg_texts(path):
    return re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", EDITIONS)
def test_figures(lang):
    path = book.BOOK / lang / "img" / "channels-multi-in.svg"
    svg = path.read_text(encoding="utf-8")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    shown = [int(t) for t in svg_texts(path) if re.fullmatch(r"\d+", t)]
    expected = [*X[0].ravel(), *K[0].ravel(), *X[1].ravel(), *K[1].ravel(), *Y1.ravel()]
    assert shown == [int(v) for v in expected]
    script = r"[\uac00-\ud7a3]" if lang == "ko" else r"[\u4e00-\u9fff]"
    for name in ("channels-multi-in", "channels-1x1"):
        path = book.BOOK / lang / "img" / f"{name}.svg"
        svg = path.read_text(encoding="utf-8")
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        assert re.search(script, " ".join(svg_texts(path))), f"{lang} {name}: labels not localized"
