"""The pooling page: every pooled tensor its executed notebooks print, in
every framework, is what a numpy pooling with the same window, padding and
stride gives (computed here, not copied), the defaults and layouts are the
ones the prose states, and the prose and the figure quote these numbers."""
import re

import nbformat
import numpy as np
import pytest

from scripts.environment import book
from tests.chapter import executed
from tests.chapter.executed import numbers

PAGE = "chapter_convolutional-neural-networks/pooling"
EDITIONS = list(book.editions())


def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def source(lang):
    return book.source_path(lang, PAGE).read_text(encoding="utf-8")


# -- computed independently ----------------------------------------------------

def pool(X, window, stride=None, before=(0, 0), after=None, mode="max", fill=-np.inf):
    """2-D pooling of one channel; padding `before`/`after` per axis, filled with
    `fill` (max pooling in MXNet and PyTorch leaves padding out: -inf)."""
    stride = stride or window
    after = before if after is None else after
    P = np.pad(X.astype(float), ((before[0], after[0]), (before[1], after[1])), constant_values=fill)
    rows = (P.shape[0] - window[0]) // stride[0] + 1
    cols = (P.shape[1] - window[1]) // stride[1] + 1
    reduce = np.max if mode == "max" else np.mean
    return np.array([[reduce(P[i * stride[0]:i * stride[0] + window[0],
                                j * stride[1]:j * stride[1] + window[1]])
                      for j in range(cols)] for i in range(rows)])


X9 = np.arange(9.0).reshape(3, 3)
X16 = np.arange(16.0).reshape(4, 4)
DEFAULT = pool(X16, (3, 3))                                  # stride = window
PADDED = pool(X16, (3, 3), (2, 2), (1, 1))
RECT = pool(X16, (2, 3), (1, 2), (0, 1))
KERAS_SAME = pool(X16, (3, 3), (2, 2), (0, 0), (1, 1))      # Keras: the odd padding goes last


def shape(framework, c, h, w):
    return (1, h, w, c) if framework == "tensorflow" else (1, c, h, w)


def shown(text):
    """(shape, [channel matrices]) from what `show` printed."""
    first, rest = text.split("\n", 1)
    m = re.fullmatch(r"shape (\(.*\))", first.strip())
    assert m, first
    return eval(m.group(1)), np.array(numbers(rest))


def test_the_example_values():
    assert pool(X9, (2, 2), (1, 1)).tolist() == [[4, 5], [7, 8]]
    assert pool(X9, (2, 2), (1, 1), mode="avg").tolist() == [[2, 3], [5, 6]]
    assert DEFAULT.tolist() == [[10]]
    assert PADDED.tolist() == [[5, 7], [13, 15]]
    assert RECT.tolist() == [[5, 7], [9, 11], [13, 15]]
    assert KERAS_SAME.tolist() == [[10, 11], [14, 15]]
    # zero padding gives the same as -inf padding here, since the input is not negative
    assert np.array_equal(pool(X16, (3, 3), (2, 2), (1, 1), fill=0), PADDED)


# -- the executed notebooks ------------------------------------------------------

@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_pool2d_from_scratch(executed_book, framework):
    text = printed(executed_book, framework, "print(pool2d(X, (2, 2)))")
    values = np.array(numbers(text)).reshape(2, 2, 2)
    assert np.array_equal(values[0], pool(X9, (2, 2), (1, 1)))
    assert np.array_equal(values[1], pool(X9, (2, 2), (1, 1), mode="avg"))


def show_outputs(executed_book, framework):
    """What every cell that calls `show` printed, in order."""
    nb = nbformat.read(executed_book / PAGE / f"{framework}.ipynb", as_version=4)
    return [executed.shown(c) for c in nb.cells
            if c.cell_type == "code" and "show(" in c.source and "def show" not in c.source]


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_layers_with_padding_and_stride(executed_book, framework):
    texts = show_outputs(executed_book, framework)
    expected = [X16, DEFAULT, PADDED, RECT]
    if framework == "tensorflow":  # Keras' padding='same' comes after the padded layer
        expected.insert(3, KERAS_SAME)
    assert len(texts) == len(expected) + 1  # the two-channel input comes last
    for text, matrix in zip(texts, expected):
        got_shape, values = shown(text)
        assert got_shape == shape(framework, 1, *matrix.shape)
        assert np.array_equal(values.reshape(matrix.shape), matrix), framework


def test_keras_same_pooling_windows(executed_book):
    got_shape, values = shown(printed(executed_book, "tensorflow", "padding='same')(X)"))
    assert got_shape == (1, 2, 2, 1)
    assert np.array_equal(values.reshape(2, 2), KERAS_SAME)
    assert not np.array_equal(KERAS_SAME, PADDED)


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_pooling_per_channel(executed_book, framework):
    marker = {"mxnet": "np.concatenate", "pytorch": "torch.cat", "tensorflow": "tf.concat"}[framework]
    got_shape, values = shown(printed(executed_book, framework, marker))
    assert got_shape == shape(framework, 2, 2, 2)
    expected = np.stack([PADDED, pool(X16 + 1, (3, 3), (2, 2), (1, 1))])
    assert np.array_equal(values.reshape(2, 2, 2), expected)
    assert expected[1].tolist() == [[6, 8], [14, 16]]


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_pool2d_matches_the_layers(executed_book, framework):
    text = printed(executed_book, framework, "same as the layer")
    assert text.strip().splitlines() == [f"{mode}: shape (2, 3, 3), same as the layer: True"
                                         for mode in ("max", "avg")]


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_tolerance_to_small_shifts(executed_book, framework):
    text = printed(executed_book, framework, "feature at")
    expected = []
    for i, j in ((0, 0), (1, 1), (1, 2)):
        Z = np.zeros((4, 4))
        Z[i, j] = 1
        expected.append(f"feature at {(i, j)} -> {pool(Z, (2, 2)).astype(int).tolist()}")
    assert text.strip().splitlines() == expected
    assert expected[0].endswith("[[1, 0], [0, 0]]") and expected[2].endswith("[[0, 1], [0, 0]]")


# -- the prose and the figure -----------------------------------------------------

@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_numbers(lang):
    text = source(lang)
    for matrix in (pool(X9, (2, 2), (1, 1)), pool(X9, (2, 2), (1, 1), mode="avg"), PADDED, RECT,
                   KERAS_SAME, pool(X16 + 1, (3, 3), (2, 2), (1, 1))):
        assert str(matrix.astype(int).tolist()) in text, matrix
    assert f"값은 0~2행, 0~2열의 최댓값인 {int(DEFAULT[0, 0])}" in text or \
        f"的最大值 {int(DEFAULT[0, 0])}" in text
    assert r"\lfloor (4-3+3)/3 \rfloor = 1" in text
    assert r"\lfloor (4-3+2+2)/2 \rfloor = 2" in text
    assert r"\lfloor (4-2+0+1)/1 \rfloor = 3" in text
    assert r"\max(0,1,3,4)=4" in text and r"(0+1+3+4)/4=2" in text
    # exercises: AlexNet's first pooling, and average pooling of ones with padding
    assert pool(np.zeros((54, 54)), (3, 3), (2, 2)).shape == (26, 26)
    assert pool(np.zeros((54, 54)), (2, 2), (2, 2)).shape == (27, 27)
    include_pad = pool(np.ones((4, 4)), (3, 3), (2, 2), (1, 1), mode="avg", fill=0)
    assert np.allclose(include_pad, [[4 / 9, 6 / 9], [6 / 9, 1]])
    assert "[[0.4444, 0.6667], [0.6667, 1.0]]" in text


def svg_texts(path):
    return re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", EDITIONS)
def test_figure(lang):
    path = book.BOOK / lang / "img" / "pooling-max-avg.svg"
    svg = path.read_text(encoding="utf-8")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    shown_values = [int(t) for t in svg_texts(path) if re.fullmatch(r"\d+", t)]
    expected = [*X9.ravel(), *pool(X9, (2, 2), (1, 1)).ravel(),
                *pool(X9, (2, 2), (1, 1), mode="avg").ravel()]
    assert shown_values == [int(v) for v in expected]
    script = r"[\uac00-\ud7a3]" if lang == "ko" else r"[\u4e00-\u9fff]"
    assert re.search(script, " ".join(svg_texts(path)))
