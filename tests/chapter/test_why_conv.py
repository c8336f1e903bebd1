"""From fully connected layers to convolutions (and the part's index): the
executed notebooks print, in every framework, the parameter counts, output
shapes and truth values that the counting here gives, and every number the
prose of either edition quotes is one computed here (not copied)."""
import re
from itertools import product

import pytest

from scripts.environment import book
from tests.chapter import executed

PAGE = "chapter_convolutional-neural-networks/why-conv"
INDEX = "chapter_convolutional-neural-networks/index"
EDITIONS = list(book.editions())
FIGURE = "why-conv-dense-vs-conv.svg"


def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def source(lang, page=PAGE):
    return book.source_path(lang, page).read_text(encoding="utf-8")


# -- the counts, independently of the chapter's code ---------------------------

def dense_2d(h, w, c_in=1, c_out=1):
    """A fully connected layer from an h x w x c_in input to an h x w x c_out
    hidden representation: one weight per (output unit, input value), one bias
    per output unit."""
    n_in, n_out = h * w * c_in, h * w * c_out
    return n_in * n_out + n_out


def shared(h, w):
    """Translation invariance alone: one weight per offset (a, b) with
    -(h-1) <= a <= h-1, -(w-1) <= b <= w-1, and one bias."""
    return len(range(-(h - 1), h)) * len(range(-(w - 1), w)) + 1


def conv(delta, c_in=1, c_out=1):
    """Both principles: offsets |a|, |b| <= delta."""
    offsets = len([(a, b) for a, b in product(range(-delta, delta + 1), repeat=2)])
    return offsets * c_in * c_out + c_out


def locally_connected(h, w, delta):
    """Locality alone: every position its own (2 delta + 1)^2 weights and bias."""
    weights = conv(delta) - 1
    return h * w * (weights + 1)


def conv1d(delta):
    """A 1-D convolution: offsets |a| <= delta, and one bias."""
    return len(range(-delta, delta + 1)) + 1


def correlate(x, v):
    """Cross-correlation, 'valid' positions: sum_a v[a] x[i + a]."""
    return [sum(v[a] * x[i + a] for a in range(len(v))) for i in range(len(x) - len(v) + 1)]


def convolve(x, v):
    """Convolution, 'valid' positions: the kernel flipped."""
    return correlate(x, v[::-1])


def full(f, x, v):
    """An operation at every overlap (mode='full'): pad x with len(v) - 1 zeros."""
    pad = [0] * (len(v) - 1)
    return f(pad + list(x) + pad, v)


X1D, V1D = [1, 2, 4, 7, 11], [1, 0, -1]
MEGA = dense_2d(1000, 1000)


def test_the_counting_here():
    assert MEGA == 10 ** 12 + 10 ** 6 == 1_000_001_000_000
    assert shared(1000, 1000) == 1999 ** 2 + 1 == 3_996_002
    assert [conv(d) for d in (1, 2, 5)] == [10, 26, 122]
    assert conv(1, 3, 64) == 1_792 and conv(5, 3, 64) == 23_296
    assert correlate(X1D, V1D) == [-3, -5, -7] and convolve(X1D, V1D) == [3, 5, 7]


# -- the executed notebooks ----------------------------------------------------

def rows(text):
    return [line for line in text.strip().splitlines() if line.strip()]


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_parameter_counts_of_the_two_principles(executed_book, framework):
    got = rows(printed(executed_book, framework, "translation_invariant(h, w)"))
    expected = [("fully connected", MEGA), ("translation invariance", shared(1000, 1000))]
    expected += [(f"locality, delta = {d}", conv(d)) for d in (1, 2, 5)]
    assert len(got) == len(expected)
    for line, (name, n) in zip(got, expected):
        label, value = line.split(":")
        assert (label.strip(), int(value.replace(",", ""))) == (name, n), line


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_conv_parameters_do_not_depend_on_the_image(executed_book, framework):
    got = rows(printed(executed_book, framework, "dense params"))
    assert len(got) == 3
    for line, size in zip(got, (28, 224, 1000)):
        m = re.fullmatch(r"(\d+)x(\d+): output \(([\d, ]+)\), conv params (\d+), dense params ([\d,]+)", line)
        assert m, line
        shape = tuple(int(n) for n in m.group(3).split(","))
        out = size - 2 * 1  # no padding: the 3x3 window stays inside the image
        assert shape == ((1, out, out, 1) if framework == "tensorflow" else (1, 1, out, out)), line
        assert (int(m.group(1)), int(m.group(2))) == (size, size)
        assert int(m.group(4)) == conv(1) == 10
        assert int(m.group(5).replace(",", "")) == dense_2d(size, size)


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_only_the_convolution_moves_with_its_input(executed_book, framework):
    got = rows(printed(executed_book, framework, "shifted input -> shifted output"))
    names = {"mxnet": ("Conv2D", "Dense"), "pytorch": ("Conv2d", "Linear"),
             "tensorflow": ("Conv2D", "Dense")}[framework]
    expected = [(names[0], conv(1), "True"), (names[1], dense_2d(10, 10), "False")]
    assert len(got) == 2
    for line, (name, n, same) in zip(got, expected):
        m = re.fullmatch(r"(\w+)\s+params:\s+([\d,]+)\s+shifted input -> shifted output: (\w+)", line)
        assert m, line
        assert (m.group(1), int(m.group(2).replace(",", "")), m.group(3)) == (name, n, same)
    assert dense_2d(10, 10) == 10_100


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_cross_correlation_is_convolution_with_the_flipped_kernel(executed_book, framework):
    got = rows(printed(executed_book, framework, "numpy.convolve"))
    values = [[int(n) for n in re.findall(r"-?\d+", line.split(":")[1])] for line in got]
    assert values == [correlate(X1D, V1D), convolve(X1D, V1D), correlate(X1D, V1D[::-1])]


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_parameter_counts_with_channels(executed_book, framework):
    got = rows(printed(executed_book, framework, "c_in, c_out = 3, 64"))
    expected = [("fully connected", dense_2d(1000, 1000, 3, 64)),
                ("conv, 3x3 kernel", conv(1, 3, 64)), ("conv, 11x11 kernel", conv(5, 3, 64))]
    parsed = [(m.group(1), int(m.group(2).replace(",", "")))
              for m in (re.fullmatch(r"(.+?)\s+([\d,]+)", line) for line in got)]
    assert parsed == expected
    assert dense_2d(1000, 1000, 3, 64) == 192_000_064_000_000


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_each_framework_stores_the_fourth_order_kernel_its_way(executed_book, framework):
    text = printed(executed_book, framework, "conv_rgb")
    values = dict(line.split(":", 1) for line in rows(text))
    kernel = (3, 3, 3, 64) if framework == "tensorflow" else (64, 3, 3, 3)
    output = (1, 30, 30, 64) if framework == "tensorflow" else (1, 64, 30, 30)
    assert values["kernel shape"].strip() == str(kernel)
    assert values["output shape"].strip() == str(output)
    assert int(values["parameters"].replace(",", "")) == conv(1, 3, 64)


# -- the prose -----------------------------------------------------------------

def number_forms(n):
    """How an integer may be written: 1,792 in text, 1{,}792 in math."""
    plain = f"{n:,}"
    return plain, plain.replace(",", "{,}")


def assert_quoted(text, n, lang):
    assert any(form in text for form in number_forms(n)), f"{lang}: {n:,} is not in the text"


@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_numbers_are_the_computed_ones(lang):
    text = source(lang)
    rgb_224 = dense_2d(224, 224, 3, 64)
    integers = [
        # the counts as the constraints are added, 1000 x 1000
        MEGA, shared(1000, 1000), conv(1), conv(2), conv(5),
        # image sizes, the shift test, channels, the kernel layouts
        dense_2d(28, 28), dense_2d(224, 224), dense_2d(10, 10),
        dense_2d(1000, 1000, 3, 64), conv(1, 3, 64), conv(5, 3, 64), 3 * 3 * 3 * 64,
        # exercises 1-5 and 8
        3 * 64 + 64, 224 * 224 * 3, 224 * 224 * 64, rgb_224, 4 * rgb_224, 4 * conv(1, 3, 64),
        rgb_224 // conv(1, 3, 64), locally_connected(1000, 1000, 1), (1000 - 10) ** 2,
        (28 - 4) ** 2, 14 * conv(1), 29 ** 2 + 1, dense_2d(16_000, 1),
    ]
    assert rgb_224 % conv(1, 3, 64) == 0  # the ratio quoted is exact
    assert conv1d(2) == 6 and {"ko": "하나로 6개입니다", "zh": "共 6 个。"}[lang] in text
    for n in integers:
        assert_quoted(text, n, lang)
    # The 1-D example and exercise 6, as NumPy prints them.
    for values in (correlate(X1D, V1D), convolve(X1D, V1D)):
        assert ", ".join(str(n) for n in values) in text
    for values in (full(correlate, X1D, V1D), full(correlate, V1D, X1D), full(convolve, X1D, V1D),
                   full(convolve, V1D, X1D)):
        assert "[" + " ".join(str(n) for n in values) + "]" in text, values
    assert full(correlate, V1D, X1D) == full(correlate, X1D, V1D)[::-1]
    assert full(convolve, X1D, V1D) == full(convolve, V1D, X1D)
    # Output sizes 26, 222, 998: a 3x3 kernel without padding.
    assert re.search(r"26[,、]\s*222[,、]\s*998", text)
    assert all(size - 2 in (26, 222, 998) for size in (28, 224, 1000))
    # Rounded figures, each in the edition's own way of writing them.
    rounded = {
        "ko": ["4TB", "약 25만분의 1", "3만 배", "약 25억", "약 192조", "98%", "약 73%", "약 10만분의 1",
               "약 2TB", "2억 7천만"],
        "zh": ["4 TB", "25 万分之一", "3 万倍", "约 25 亿", "约 192 万亿", "98%", "约占 784 个的 73%",
               "10 万分之一", "约 2 TB"],
    }[lang]
    checks = [
        round(4 * MEGA / 1e12) == 4,                                   # float32 bytes, TB
        round(MEGA / shared(1000, 1000), -4) == 250_000,               # translation invariance
        shared(1000, 1000) / conv(5) > 30_000,                         # locality, even at delta = 5
        round(dense_2d(224, 224) / 1e8) == 25,                         # 224 x 224 dense layer
        round(dense_2d(1000, 1000, 3, 64) / 1e12) == 192,              # channels
        round(100 * (1000 - 10) ** 2 / 1000 ** 2) == 98,               # exercise 4
        int(100 * (28 - 4) ** 2 / 28 ** 2) == 73,                      # 73.5 -> "about 73%"
        round(MEGA / locally_connected(1000, 1000, 1), -4) == 100_000,  # exercise 3
        round(4 * rgb_224 / 1e12) == 2,                                # exercise 2, TB
        round(rgb_224 / conv(1, 3, 64), -7) == 270_000_000,            # "2억 7천만"
    ]
    assert all(checks), checks
    for phrase in rounded:
        assert phrase in text, f"{lang}: {phrase!r}"


def test_receptive_field_needs_14_layers():
    """Exercise 5: the centre unit of a 28 x 28 image sees it all after L layers
    of 3 x 3 (padded) when its (2L + 1)-wide window covers rows 0..27."""
    def covers(L):
        return all(c - L <= 0 and c + L >= 27 for c in (13, 14))
    assert min(L for L in range(1, 30) if covers(L)) == 14
    for lang in EDITIONS:
        assert "29×29" in source(lang) and "L \\ge 14" in source(lang)


@pytest.mark.parametrize("lang", EDITIONS)
def test_index_quotes_the_megapixel_dense_layer(lang):
    text = source(lang, INDEX)
    assert 10 ** 6 * 10 ** 3 == 10 ** 9
    assert "10^6 \\times 10^3 = 10^9" in text
    assert {"ko": "10억", "zh": "10 亿"}[lang] in text
    assert {"ko": "4GB", "zh": "4 GB"}[lang] in text and 4 * 10 ** 9 / 1e9 == 4
    for label in ("sec-why-conv", "sec-conv-layer", "sec-padding", "sec-channels", "sec-pooling",
                  "sec-lenet", "sec-alexnet"):
        assert f"<{label}>`" in text or f"{{ref}}`{label}`" in text, label
    assert "{doc}`../chapter_convolutional-modern/index`" in text
    assert text.rstrip().endswith("```{tableofcontents}\n```")


def test_labels_are_unique_in_the_book():
    label = re.compile(r"^\((?P<label>[^)]+)\)=\s*$|^:name:\s*(?P<name>\S+)", re.M)
    for lang in EDITIONS:
        counts = {}
        for path in (book.BOOK / lang).rglob("*.md"):
            for m in label.finditer(path.read_text(encoding="utf-8")):
                name = m.group("label") or m.group("name")
                counts[name] = counts.get(name, 0) + 1
        mine = [n for page in (PAGE, INDEX) for m in label.finditer(source(lang, page))
                for n in [m.group("label") or m.group("name")]]
        assert "sec-cnn" in mine and "sec-why-conv" in mine and "fig-why-conv-dense-vs-conv" in mine
        for name in mine:
            assert name == "sec-cnn" or name.startswith(("sec-why-conv", "fig-why-conv")), name
            assert counts[name] == 1, f"{lang}: {name} is defined {counts[name]} times"


@pytest.mark.parametrize("lang", EDITIONS)
def test_figure_is_drawn_for_each_edition(lang):
    svg = (book.BOOK / lang / "img" / FIGURE).read_text(encoding="utf-8")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert {"ko": "Noto Sans CJK KR", "zh": "Noto Sans CJK SC"}[lang] in svg
    # 6 x 6 input and hidden representation: 36 x 36 weights dense, 3 x 3 shared.
    assert f"{36 * 36:,}" in svg and "3 × 3 = 9" in svg
    assert f"../img/{FIGURE}" in source(lang)
