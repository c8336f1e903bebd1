"""The padding and strides page: every shape and value its executed notebooks
print, in every framework, is what the output-size formulas and a plain numpy
cross-correlation give (computed here, not copied), Keras' 'same' padding is
the rule the page states, and the numbers the prose and figures quote are
these computed ones."""
import math
import re

import numpy as np
import pytest

from scripts.environment import book
from tests.chapter import executed
from tests.chapter.executed import numbers

PAGE = "chapter_convolutional-neural-networks/padding-and-strides"
EDITIONS = list(book.editions())


def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def source(lang):
    return book.source_path(lang, PAGE).read_text(encoding="utf-8")


# -- computed independently ----------------------------------------------------

def out_total(n, k, p_total, s=1):
    """d2l's form: p_total is the padding of both sides together."""
    return (n - k + p_total + s) // s


def out_side(n, k, p, s=1):
    """The form of the later chapters: p on each side."""
    return (n + 2 * p - k) // s + 1


def windows(n, k, p, s):
    """Count the window positions by sliding a window, as a check on both forms."""
    count, start = 0, -p
    while start + k <= n + p:
        count, start = count + 1, start + s
    return count


def corr2d(X, K, stride=1):
    h, w = K.shape
    rows = (X.shape[0] - h) // stride + 1
    cols = (X.shape[1] - w) // stride + 1
    return np.array([[(X[i * stride:i * stride + h, j * stride:j * stride + w] * K).sum()
                      for j in range(cols)] for i in range(rows)])


def coverage(n, k, p):
    counts = np.zeros((n + 2 * p, n + 2 * p), dtype=int)
    m = n + 2 * p - k + 1
    for i in range(m):
        for j in range(m):
            counts[i:i + k, j:j + k] += 1
    return counts[p:p + n, p:p + n]


def keras_same(n, k, s):
    """(output, before, after): the smallest padding giving ceil(n/s) windows, the
    odd one at the end; found by search rather than by the page's formula."""
    out = -(-n // s)
    for total in range(k + s):
        if windows(n + total, k, 0, s) >= out:
            return out, total // 2, total - total // 2
    raise AssertionError


SETTINGS = [((3, 3), (1, 1), (1, 1)), ((5, 3), (2, 1), (1, 1)),
            ((3, 3), (1, 1), (2, 2)), ((3, 5), (0, 1), (3, 4))]
SAME_CASES = [(8, 3, 1), (8, 3, 2), (7, 3, 2), (8, 2, 1), (96, 7, 2), (48, 3, 2)]
X64 = np.arange(64.0).reshape(8, 8)
SYMMETRIC = corr2d(np.pad(X64, 1), np.ones((3, 3)), 2)
BOTTOM_RIGHT = corr2d(np.pad(X64, ((0, 1), (0, 1))), np.ones((3, 3)), 2)


def test_the_two_output_size_formulas_agree():
    for n in range(1, 40):
        for k in range(1, min(n, 11) + 1):
            for p in range(0, 6):
                for s in range(1, 6):
                    assert out_total(n, k, 2 * p, s) == out_side(n, k, p, s) == windows(n, k, p, s)


def test_keras_same_rule_as_stated():
    for n in range(1, 60):
        for k in range(1, 9):
            for s in range(1, 5):
                out = math.ceil(n / s)
                total = max((out - 1) * s + k - n, 0)
                assert keras_same(n, k, s) == (out, total // 2, total - total // 2)


# -- the executed notebooks ------------------------------------------------------

@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_coverage_counts(executed_book, framework):
    text = printed(executed_book, framework, "def coverage")
    blocks = re.split(r"padding (\d):\n", text)[1:]
    got = {int(p): [[int(c) for c in row.split()] for row in block.strip().splitlines()]
           for p, block in zip(blocks[::2], blocks[1::2])}
    for p in (0, 1):
        assert np.array_equal(np.array(got[p]), coverage(6, 3, p)), (framework, p)
    assert got[0][0][0] == 1 and got[0][2][2] == 9 and got[1][0][0] == 4 and got[1][0][1] == 6


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_layer_shapes_match_the_formula(executed_book, framework):
    text = printed(executed_book, framework, "def check") + \
        printed(executed_book, framework, "check((3, 5)")
    line = re.compile(r"kernel \((\d+), (\d+)\), padding \((\d+), (\d+)\), stride \((\d+), (\d+)\): "
                      r"output \((\d+), (\d+)\), formula \((\d+), (\d+)\)")
    rows = [tuple(map(int, m.groups())) for m in map(line.fullmatch, text.strip().splitlines())]
    assert len(rows) == len(SETTINGS), text
    for row, (kernel, padding, stride) in zip(rows, SETTINGS):
        assert row[:6] == (*kernel, *padding, *stride)
        expected = tuple(out_side(8, k, p, s) for k, p, s in zip(kernel, padding, stride))
        assert row[6:8] == row[8:10] == expected, (framework, row)
    assert [r[6:8] for r in rows] == [(8, 8), (8, 8), (4, 4), (2, 2)]


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_keras_same_table(executed_book, framework):
    text = printed(executed_book, framework, "def same_padding")
    line = re.compile(r"n=(\d+)\s+k=(\d+) s=(\d+): output\s+(\d+), padding (\d+) before, (\d+) after")
    rows = [tuple(map(int, line.fullmatch(x).groups())) for x in text.strip().splitlines()]
    assert [r[:3] for r in rows] == SAME_CASES
    for n, k, s, out, before, after in rows:
        assert (out, before, after) == keras_same(n, k, s)
    # GoogLeNet's chapter says 2 above and 3 below for the 7x7 stride-2 layer on 96x96.
    assert keras_same(96, 7, 2) == (48, 2, 3)


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_symmetric_and_keras_same_padding_differ(executed_book, framework):
    text = printed(executed_book, framework, "def ones_conv")
    first, second = text.split("Keras 'same' padding:")
    assert first.startswith("symmetric padding:")
    assert np.array_equal(np.array(numbers(first)).reshape(4, 4), SYMMETRIC)
    values, verdict = second.rsplit("equal:", 1)
    assert np.array_equal(np.array(numbers(values)).reshape(4, 4), BOTTOM_RIGHT)
    assert verdict.strip() == "False"
    assert not (SYMMETRIC == BOTTOM_RIGHT).any()


def test_keras_same_pads_only_bottom_and_right(executed_book):
    text = printed(executed_book, "tensorflow", "bottom_right = ")
    assert text.strip() == "'same' equals padding only bottom and right: True"


# -- the prose and the figures --------------------------------------------------

@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_numbers(lang):
    text = source(lang)
    sizes = [28]
    while len(sizes) < 6:
        sizes.append(sizes[-1] - 5 + 1)
    assert " → ".join(map(str, sizes)) in text  # 28 -> ... -> 8 after five 5x5 layers
    assert out_side(224, 11, 0, 4) == 54 and "54×54" in text
    # the quoted windows of the symmetric and the Keras-style padding
    for value in (SYMMETRIC[0, 0], BOTTOM_RIGHT[0, 0], SYMMETRIC[-1, -1], BOTTOM_RIGHT[-1, -1]):
        assert f"{int(value)}" in text
    assert "0+1+8+9=18" in text and SYMMETRIC[0, 0] == 18 and BOTTOM_RIGHT[0, 0] == 81
    assert SYMMETRIC[-1, -1] == 486 and BOTTOM_RIGHT[-1, -1] == 234
    # the (3, 5) example: floor(8/3) and floor(9/4), rows 6 and 7 unused
    assert r"\lfloor 8/3 \rfloor = 2" in text and r"\lfloor 9/4 \rfloor = 2" in text
    assert windows(8, 3, 0, 3) == 2 and (2 - 1) * 3 + 3 - 1 == 5  # rows 0-5 covered, 6 and 7 not
    # Keras 'same' for 8 -> 4 with k=3, s=2, and 7x7 on 96
    assert "P=3\\cdot2+3-8=1" in text and keras_same(8, 3, 2) == (4, 0, 1)
    assert keras_same(7, 3, 2)[1:] == (1, 1)
    # exercises
    assert out_side(224, 7, 3, 2) == 112 and out_side(112, 3, 1, 2) == 56
    assert r"\lfloor 225/2 \rfloor = 112" in text and r"\lfloor 113/2 \rfloor = 56" in text
    for n in (8, 10, 96):  # even n: k - 2, odd n: k - 1
        assert sum(keras_same(n, 3, 2)[1:]) == 1 and sum(keras_same(n + 1, 3, 2)[1:]) == 2
        assert keras_same(n, 7, 2)[1:] == (2, 3) and keras_same(n + 1, 7, 2)[1:] == (3, 3)
    no_pad, pad2 = coverage(6, 5, 0), coverage(6, 5, 2)
    assert (no_pad[0, 0], no_pad[2, 2], pad2[0, 0], pad2[2, 2]) == (1, 4, 9, 25)
    macs = {s: out_side(224, 3, 1, s) ** 2 * 3 * 3 * 64 * 64 for s in (1, 2)}
    for s in (1, 2):
        assert f"{macs[s]:,}".replace(",", "{,}") in text
    assert macs[1] == 4 * macs[2]
    assert out_total(8, 2, 2) == 9 and "8-2+2+1=9" in text
    assert (227 - 11) % 4 == 0 and (227 - 11) // 4 == 54 and (224 - 11) % 4 != 0


def svg_texts(path):
    return re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", EDITIONS)
def test_figures(lang):
    text = source(lang)
    padded = np.pad(np.arange(9.0).reshape(3, 3), 1)
    K = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]])
    Y = corr2d(padded, K)
    assert Y[0, 0] == 4 and r"0\times1+1\times1+3\times1=4" in text
    stride_in = np.arange(25.0).reshape(5, 5)
    Z = corr2d(stride_in, np.array([[0, 1], [2, 3]]), 2)
    assert Z.shape == (2, 2) and (Z[0, 0], Z[0, 1]) == (29, 41)
    assert "=29" in text and "=41" in text
    for name, values in (("padding", list(padded.ravel()) + list(K.ravel()) + list(Y.ravel())),
                         ("stride", list(stride_in.ravel()) + [0, 1, 2, 3] + list(Z.ravel()))):
        path = book.BOOK / lang / "img" / f"padding-and-strides-{name}.svg"
        svg = path.read_text(encoding="utf-8")
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        shown = [t for t in svg_texts(path) if re.fullmatch(r"\d+", t)]
        assert [int(v) for v in values] == [int(t) for t in shown], name
        script = r"[\uac00-\ud7a3]" if lang == "ko" else r"[\u4e00-\u9fff]"
        assert re.search(script, " ".join(svg_texts(path))), f"{lang} {name}: labels not localized"
