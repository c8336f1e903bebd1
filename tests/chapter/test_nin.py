"""The NiN chapter: the executed notebooks print the same layers, shapes and
parameter counts in every framework, and every count or multiply-add figure
the prose quotes is what the architecture gives (computed here, not copied)."""
import re

import nbformat
import pytest

from scripts.environment import book
from tests.chapter import executed

PAGE = "chapter_convolutional-modern/nin"
EDITIONS = list(book.editions())


# -- the architectures, counted independently of the chapter's code ----------

def out_size(n, k, s=1, p=0):
    return (n + 2 * p - k) // s + 1


def conv(c_in, c_out, k, n_out):
    """(parameters, multiply-adds) of a k x k convolution with n_out x n_out output."""
    return k * k * c_in * c_out + c_out, n_out * n_out * k * k * c_in * c_out


def dense(n_in, n_out):
    return n_in * n_out + n_out, n_in * n_out


def nin_layers(size=224):
    """(output shape channels-first, parameters, multiply-adds) of each top-level
    component of the chapter's NiN, and the multiply-adds of the 1x1 convolutions."""
    layers, macs_1x1, c = [], 0, 1
    blocks = [(96, 11, 4, 0), (256, 5, 1, 2), (384, 3, 1, 1), None, (10, 3, 1, 1)]
    for i, spec in enumerate(blocks):
        if spec is None:
            layers.append(("dropout", (1, c, size, size), 0, 0))
            continue
        c_out, k, s, p = spec
        size = out_size(size, k, s, p)
        first, one_a, one_b = conv(c, c_out, k, size), conv(c_out, c_out, 1, size), conv(c_out, c_out, 1, size)
        macs_1x1 += one_a[1] + one_b[1]
        layers.append(("block", (1, c_out, size, size), first[0] + one_a[0] + one_b[0],
                       first[1] + one_a[1] + one_b[1]))
        c = c_out
        if i < 3:
            size = out_size(size, 3, 2)
            layers.append(("maxpool", (1, c, size, size), 0, 0))
    layers.append(("gap", (1, c, 1, 1), 0, 0))
    layers.append(("flatten", (1, c), 0, 0))
    return layers, macs_1x1


def alexnet(size=224, classes=10):
    """d2l's Fashion-MNIST AlexNet: conv parameters, dense parameters, multiply-adds
    (all, and of the dense layers)."""
    c, conv_p, macs = 1, 0, 0
    for c_out, k, s, p, pool in [(96, 11, 4, 1, True), (256, 5, 1, 2, True), (384, 3, 1, 1, False),
                                 (384, 3, 1, 1, False), (256, 3, 1, 1, True)]:
        size = out_size(size, k, s, p)
        pm = conv(c, c_out, k, size)
        conv_p, macs, c = conv_p + pm[0], macs + pm[1], c_out
        if pool:
            size = out_size(size, 3, 2)
    dense_p, dense_macs, n = 0, 0, c * size * size
    for n_out in (4096, 4096, classes):
        pm = dense(n, n_out)
        dense_p, dense_macs, n = dense_p + pm[0], dense_macs + pm[1], n_out
    return conv_p, dense_p, macs + dense_macs, dense_macs


def vgg11(size=224, channels=1, classes=10):
    c, params, macs = channels, 0, 0
    for num_convs, c_out in ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)):
        for _ in range(num_convs):
            pm = conv(c, c_out, 3, size)
            params, macs, c = params + pm[0], macs + pm[1], c_out
        size //= 2
    n = c * size * size
    for n_out in (4096, 4096, classes):
        pm = dense(n, n_out)
        params, macs, n = params + pm[0], macs + pm[1], n_out
    return params, macs


LAYERS, MACS_1X1 = nin_layers()
NIN_PARAMS = sum(layer[2] for layer in LAYERS)
NIN_MACS = sum(layer[3] for layer in LAYERS)
ALEX_CONV, ALEX_DENSE, ALEX_MACS, ALEX_DENSE_MACS = alexnet()
ALEX_PARAMS = ALEX_CONV + ALEX_DENSE
VGG_PARAMS, VGG_MACS = vgg11()


def test_the_counting_here_agrees_with_the_vgg_chapter():
    # The VGG chapter's executed count for VGG-11 at 3x224x224 and 1000 classes.
    assert vgg11(channels=3, classes=1000)[0] == 132_863_336


# -- the executed notebooks ----------------------------------------------------

def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def layer_table(executed_book, framework):
    """[(class name, shape channels-first, parameters)] and the printed total."""
    text = printed(executed_book, framework, "total parameters")
    rows, total = [], None
    for line in text.strip().splitlines():
        if line.startswith("total parameters:"):
            total = int(line.split(":")[1].replace(",", ""))
            continue
        m = re.match(r"^(\w+?)\s*(\([\d, ]+\))\s+([\d,]+)$", line.strip())
        assert m, f"{framework}: unexpected line {line!r}"
        shape = tuple(int(n) for n in re.findall(r"\d+", m.group(2)))
        if framework == "tensorflow" and len(shape) == 4:  # NHWC -> NCHW
            shape = (shape[0], shape[3], shape[1], shape[2])
        rows.append((m.group(1), shape, int(m.group(3).replace(",", ""))))
    return rows, total


def test_shapes_and_parameters_agree_across_frameworks(executed_book):
    expected = [(shape, params) for _, shape, params, _ in LAYERS]
    assert expected[0] == ((1, 96, 54, 54), 30_336) and expected[-1] == ((1, 10), 0)
    tables = {}
    for fw in book.FRAMEWORKS:
        rows, total = layer_table(executed_book, fw)
        tables[fw] = [(shape, params) for _, shape, params in rows]
        assert tables[fw] == expected, f"{fw}: {tables[fw]}"
        assert total == NIN_PARAMS == 1_992_166, f"{fw}: total {total}"
    assert len({tuple(t) for t in tables.values()}) == 1


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_1x1_convolution_is_a_per_pixel_dense_layer(executed_book, framework):
    text = printed(executed_book, framework, "max difference")
    m = re.search(r"pixels \(25, 3\) -> \(25, 4\), max difference ([\d.e+-]+)", text)
    assert m, text
    assert float(m.group(1)) < 1e-5


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_comparison_with_alexnet_and_vgg(executed_book, framework):
    text = printed(executed_book, framework, "multiply-adds")
    rows = {}
    for line in text.strip().splitlines():
        m = re.match(r"^(\S+)\s+([\d,]+) parameters \(\s*([\d.]+)x NiN\), ([\d.]+) G multiply-adds$", line)
        assert m, line
        rows[m.group(1)] = (int(m.group(2).replace(",", "")), m.group(3), m.group(4))
    for name, params, macs in (("AlexNet", ALEX_PARAMS, ALEX_MACS), ("VGG-11", VGG_PARAMS, VGG_MACS),
                               ("NiN", NIN_PARAMS, NIN_MACS)):
        assert rows[name] == (params, f"{params / NIN_PARAMS:.1f}", f"{macs / 1e9:.2f}"), name
    assert ALEX_PARAMS == 46_764_746 and VGG_PARAMS == 128_806_154




@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_model_cells_are_separate_from_data_and_training(executed_book, framework):
    """What the equivalence check relies on: `nin_block` and `net` are defined in
    cells of their own, and MXNet initializes the net only in a later cell."""
    nb = nbformat.read(executed_book / PAGE / f"{framework}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    block = [s for s in code if "def nin_block" in s]
    model = [s for s in code if re.search(r"^(net = |def net\(\))", s, re.M)]
    assert len(block) == 1 and len(model) == 1
    for source in block + model:
        for word in ("load_data_fashion_mnist", "train_ch6", "initialize("):
            assert word not in source, f"{framework}: {word} in a model cell"
    assert code.index(block[0]) < code.index(model[0])


# -- the prose -----------------------------------------------------------------

def number_forms(n):
    """How an integer may be written: 1,992,166 in text, 1{,}992{,}166 in math."""
    plain = f"{n:,}"
    return plain, plain.replace(",", "{,}")


@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_numbers_are_the_computed_ones(lang):
    text = book.source_path(lang, PAGE).read_text(encoding="utf-8")
    blocks = [layer[2] for layer in LAYERS if layer[0] == "block"]
    params_1x1 = 2 * sum(c * c + c for c in (96, 256, 384, 10))
    conv2_macs = 26 * 26 * 5 * 5 * 96 * 256
    integers = blocks + [NIN_PARAMS, ALEX_PARAMS, VGG_PARAMS, ALEX_DENSE, ALEX_CONV, params_1x1,
                         NIN_PARAMS - params_1x1, MACS_1X1, conv2_macs,
                         5 * 5 * 96 * 256 + 256, 2 * (256 * 256 + 256)]
    for n in integers:
        assert any(form in text for form in number_forms(n)), f"{lang}: {n:,} is not in the text"
    percents = {
        "AlexNet dense share": ALEX_DENSE / ALEX_PARAMS,
        "third block share": blocks[2] / NIN_PARAMS,
        "NiN/AlexNet multiply-adds": NIN_MACS / ALEX_MACS,
        "5x5 conv share": conv2_macs / NIN_MACS,
        "1x1 multiply-add share": MACS_1X1 / NIN_MACS,
        "1x1 parameter share": params_1x1 / NIN_PARAMS,
        "AlexNet dense multiply-adds": ALEX_DENSE_MACS / ALEX_MACS,
    }
    for what, share in percents.items():
        assert f"{round(100 * share)}%" in text, f"{lang}: {what} ({share:.1%})"
    for ratio in (ALEX_PARAMS / NIN_PARAMS, VGG_PARAMS / NIN_PARAMS):
        assert f"{ratio:.1f}" in text
    # Rounded figures, each in the edition's own way of writing large numbers.
    rounded = {"ko": ["7억 6천만", "9억 4천만", "4억 1,533만", "1억 8,500만", "1억 2,880만", "4,300만"],
               "zh": ["7.6 亿", "9.4 亿", "4.15 亿", "1.85 亿", "1.288 亿", "4300 万"]}[lang]
    # (value, unit, digits) -> what the phrases above round it to
    rounding = [(NIN_MACS, 1e8, 1, 7.6), (ALEX_MACS, 1e8, 1, 9.4), (conv2_macs, 1e8, 4, 4.1533),
                (conv2_macs, 1e8, 2, 4.15),
                (MACS_1X1, 1e8, 2, 1.85), (VGG_PARAMS, 1e8, 3, 1.288), (ALEX_DENSE_MACS, 1e6, 0, 43)]
    for value, unit, digits, shown in rounding:
        assert round(value / unit, digits) == shown, (value, shown)
    for phrase in rounded:
        assert phrase in text, f"{lang}: {phrase!r}"


def test_smallest_input_is_67():
    def sizes(n):
        n = out_size(n, 11, 4)
        for _ in range(3):
            n = out_size(n, 3, 2)
        return n
    assert sizes(67) == 1 and sizes(66) < 1
    for lang in EDITIONS:
        assert "67×67" in book.source_path(lang, PAGE).read_text(encoding="utf-8")
