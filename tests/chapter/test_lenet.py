"""The LeNet chapter: every framework prints the same network (shapes and
parameters computed here, not copied), the numbers the prose quotes follow from
the architecture, the chapter's own `train_ch6` ran on the device it names and
reports in the library's format, and no number that this build's training
printed appears in prose."""
import math
import re

import nbformat
import pytest

from scripts.environment import book
from scripts.pipeline.source import parse
from tests.chapter import executed
from tests.chapter.executed import headings

PAGE = "chapter_convolutional-neural-networks/lenet"
EDITIONS = list(book.editions())


# -- the network, counted independently of the chapter's code -----------------

def out_size(n, k, s=1, p=0):
    return (n + 2 * p - k) // s + 1


def conv(c_in, c_out, k):
    return k * k * c_in * c_out + c_out


def dense(n_in, n_out):
    return n_in * n_out + n_out


def lenet(size=28, padding=2):
    """[(kind, output shape channels-first, parameters)] of every layer of d2l's
    LeNet (activations folded in), for a square input of `size`."""
    layers, c, n = [], 1, size
    for c_out, p in ((6, padding), (16, 0)):
        n = out_size(n, 5, 1, p)
        layers.append(("conv", (1, c_out, n, n), conv(c, c_out, 5)))
        n = out_size(n, 2, 2)
        layers.append(("pool", (1, c_out, n, n), 0))
        c = c_out
    width = c * n * n
    layers.append(("flatten", (1, width), 0))
    for n_out in (120, 84, 10):
        layers.append(("dense", (1, n_out), dense(width, n_out)))
        width = n_out
    return layers


def multiply_adds(layers):
    """Each output value of a conv or dense layer costs (params / C_out - 1)
    multiply-adds: its kernel's weights, the bias aside."""
    return sum(math.prod(shape) * (p // shape[1] - 1) for _, shape, p in layers if p)


def alexnet_multiply_adds():
    """The AlexNet chapter's network on one 1x224x224 image (its figure 938,146,176)."""
    c, n, macs = 1, 224, 0
    for c_out, k, s, p, pool in ((96, 11, 4, 0, True), (256, 5, 1, 2, True), (384, 3, 1, 1, False),
                                 (384, 3, 1, 1, False), (256, 3, 1, 1, True)):
        n = out_size(n, k, s, p)
        macs += n * n * c_out * k * k * c
        c = c_out
        if pool:
            n = out_size(n, 3, 2)
    width = c * n * n
    for n_out in (4096, 4096, 10):
        macs += width * n_out
        width = n_out
    return macs


LAYERS = lenet()
WEIGHTED = [(shape, p) for _, shape, p in LAYERS if p]
TOTAL = sum(p for _, _, p in LAYERS)
CONV_PARAMS = sum(p for kind, _, p in LAYERS if kind == "conv")
FC1 = WEIGHTED[2][1]
MACS = multiply_adds(LAYERS)
CONV_MACS = multiply_adds([layer for layer in LAYERS if layer[0] == "conv"])
# LeNet-5 as the 1998 paper counts it: C1, S2 (coefficient + bias per map), C3
# (Table I: 6 maps see 3 of S2's maps, 9 see 4, 1 sees all 6), S4, C5, F6; the
# RBF outputs are fixed by hand.
C3 = 6 * conv(3, 1, 5) + 9 * conv(4, 1, 5) + conv(6, 1, 5)
LENET5 = conv(1, 6, 5) + 2 * 6 + C3 + 2 * 16 + conv(16, 120, 5) + dense(120, 84)
# Rows each framework prints: PyTorch has Sigmoid and Flatten layers, TensorFlow
# a Flatten layer, MXNet neither (Dense flattens).
ROWS = {"mxnet": 7, "pytorch": 12, "tensorflow": 8}


def test_the_counting_here_is_right():
    assert [shape for _, shape, _ in LAYERS] == [(1, 6, 28, 28), (1, 6, 14, 14), (1, 16, 10, 10),
                                                 (1, 16, 5, 5), (1, 400), (1, 120), (1, 84), (1, 10)]
    assert (TOTAL, CONV_PARAMS, FC1) == (61_706, 2_572, 48_120)
    assert (C3, LENET5) == (1_516, 60_000)  # the paper's figures
    assert alexnet_multiply_adds() == 938_146_176  # the AlexNet chapter's executed figure
    # Padding changes no parameter: 32x32 without padding is the same network.
    assert lenet(32, 0) == LAYERS
    assert sum(p for _, _, p in lenet(28, 0)) == 44_426  # the batch-norm chapter's net without BN


def test_chapter_covers_every_section():
    for lang in EDITIONS:
        labels = [label for _, label in headings(lang, PAGE)]
        assert labels == ["sec-lenet", "sec-lenet-history", "sec-lenet-model", "sec-lenet-shapes",
                          "sec-lenet-train-func", "sec-lenet-training", "sec-lenet-d2l-train",
                          "sec-lenet-faq", None, None, None, "sec-lenet-summary",
                          "sec-lenet-exercises"], lang


# -- the executed notebooks ----------------------------------------------------

def notebook(executed_book, framework):
    return nbformat.read(executed_book / PAGE / f"{framework}.ipynb", as_version=4)


def code_cells(executed_book, framework):
    return [c for c in notebook(executed_book, framework).cells if c.cell_type == "code"]


def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def stream(cell):
    """What a cell printed with print() (the figures' displays aside)."""
    return "".join(o.text for o in cell.outputs if o.output_type == "stream")


def layer_rows(executed_book, framework):
    return executed.layer_rows(printed(executed_book, framework, "total_params = 0"), framework)


def test_every_framework_prints_the_same_network(executed_book):
    for fw in book.FRAMEWORKS:
        rows = layer_rows(executed_book, fw)
        assert len(rows) == ROWS[fw], f"{fw}: {len(rows)} rows"
        assert [(shape, p) for _, shape, p in rows if p] == WEIGHTED, fw
        pooled = [shape for name, shape, _ in rows if "Pool" in name]
        assert pooled == [shape for kind, shape, _ in LAYERS if kind == "pool"], fw
        assert rows[-1][1] == (1, 10)
        names = [name for name, _, _ in rows]
        assert ("Flatten" in names) == (fw != "mxnet"), fw
        assert names.count("Sigmoid") == (4 if fw == "pytorch" else 0), fw
        if fw != "mxnet":
            assert [shape for name, shape, _ in rows if name == "Flatten"] == [(1, 400)], fw


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_total_is_printed_and_follows_from_the_layers(executed_book, framework):
    rows = layer_rows(executed_book, framework)
    assert sum(p for _, _, p in rows) == TOTAL
    assert multiply_adds(rows) == MACS
    assert printed(executed_book, framework, "print(f'parameters:").strip() == f"parameters: {TOTAL:,}"


def own_training_cell(executed_book, framework):
    """The cell that trains with the chapter's own train_ch6 (not d2l's)."""
    cells = [c for c in code_cells(executed_book, framework)
             if re.match(r"^(model = )?train_ch6\(", c.source.strip())]
    assert len(cells) == 1, f"{framework}: {len(cells)} cells train with the chapter's train_ch6"
    return cells[0]


def d2l_training_cell(executed_book, framework):
    cells = [c for c in code_cells(executed_book, framework) if "d2l.train_ch6(" in c.source]
    assert len(cells) == 1, f"{framework}: {len(cells)} cells train with d2l.train_ch6"
    return cells[0]


REPORT = re.compile(r"^loss (\d+\.\d{3}), train acc (\d\.\d{3}), test acc (\d\.\d{3})\n"
                    r"(\d+\.\d) examples/sec on (\S+)$")


def report(cell):
    """(loss, train acc, test acc, examples/sec, device) of the two final lines."""
    lines = stream(cell).strip().splitlines()
    assert len(lines) >= 2, lines
    m = REPORT.match("\n".join(lines[-2:]))
    assert m, f"not in the library's format: {lines[-2:]}"
    return m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)


# What d2l.try_gpu() gives, as each framework prints it.
DEVICES = {"cpu": {"mxnet": "cpu(0)", "pytorch": "cpu", "tensorflow": "/CPU:0"},
           "gpu": {"mxnet": "gpu(0)", "pytorch": "cuda:0", "tensorflow": "/GPU:0"}}


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_the_chapters_train_ch6_ran_on_the_device(executed_book, framework):
    loss, train_acc, test_acc, speed, device = report(own_training_cell(executed_book, framework))
    assert math.isfinite(float(loss)) and float(speed) > 0
    assert 0 <= float(train_acc) <= 1 and 0 <= float(test_acc) <= 1
    # The device it names is the one d2l.train_ch6 recorded in the same
    # kernel, and the one the execution stamp reports.
    nb = notebook(executed_book, framework)
    results = nb.metadata["d2l"]["results"]
    assert [r["device"] for r in results] == [device]
    kind = "cpu" if nb.metadata["d2l"]["stamp"]["device"].startswith("CPU") else "gpu"
    assert device == DEVICES[kind][framework]
    assert report(d2l_training_cell(executed_book, framework))[4] == device


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_d2l_train_ch6_reports_the_same_way(executed_book, framework):
    cell = d2l_training_cell(executed_book, framework)
    report(cell)
    nb = notebook(executed_book, framework)
    (result,) = nb.metadata["d2l"]["results"]
    profile = nb.metadata["d2l"]["stamp"]["profile"]
    assert result["profile"] == profile
    if profile == "quick":
        assert "quick" in executed.shown(cell)
        assert result["num_epochs"] == 2 and result["examples"] == 2 * 128
    else:
        assert result["num_epochs"] == 10 and result["examples"] == 10 * 60_000


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_hyperparameters_are_d2ls(executed_book, framework):
    sources = [c.source for c in code_cells(executed_book, framework)]
    assert "lr, num_epochs, batch_size = 0.9, 10, 256" in sources[sources.index(next(
        s for s in sources if "load_data_fashion_mnist(batch_size)" in s))]
    definition = next(s for s in sources if s.startswith("def train_ch6("))
    for word in ("d2l.Accumulator(", "d2l.Timer()", "d2l.Animator(", "evaluate_accuracy_gpu("):
        assert word in definition, f"{framework}: {word}"


# -- the prose -----------------------------------------------------------------

def text(lang):
    return book.source_path(lang, PAGE).read_text(encoding="utf-8")


def paragraphs(lang):
    """The prose paragraphs of the page (code cells and fenced blocks aside),
    each as one line of text."""
    found = []
    for cell in parse(book.source_path(lang, PAGE)).cells:
        if cell.kind != "markdown":
            continue
        block, fence = [], None
        for line in cell.source.splitlines() + [""]:
            stripped = line.strip()
            if fence:
                fence = None if stripped == fence else fence
                continue
            m = re.match(r"^(`{3,}|:{3,})(.*)$", stripped)
            if m and not m.group(2).startswith("{dropdown}") and m.group(1)[0] == "`":
                fence = m.group(1)
                continue
            if stripped and not m:
                block.append(stripped)
            elif block:
                found.append(" ".join(block))
                block = []
    return found


def number_forms(n):
    """How an integer may be written: 2,416 in text, 2{,}416 in math."""
    plain = f"{n:,}"
    return plain, plain.replace(",", "{,}")


@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_numbers_are_the_computed_ones(lang):
    page = text(lang)
    no_padding = lenet(28, 0)
    integers = [TOTAL, CONV_PARAMS, FC1, LENET5, C3, TOTAL - LENET5, MACS, CONV_MACS,
                alexnet_multiply_adds(), sum(p for _, _, p in no_padding), no_padding[4][1][1],
                dense(no_padding[4][1][1], 120), 6 * 28 * 28, dense(28 * 28, 6 * 28 * 28)]
    integers += [p for _, p in WEIGHTED]
    integers += [math.prod(shape) * (p // shape[1] - 1) for shape, p in WEIGHTED]  # per-layer MACs
    for n in integers:
        assert any(form in page for form in number_forms(n)), f"{lang}: {n:,} is not in the text"
    for share in (FC1 / TOTAL, CONV_PARAMS / TOTAL, CONV_MACS / MACS):
        assert f"{share:.1%}" in page, f"{lang}: {share:.1%}"
    assert f"{alexnet_multiply_adds() / MACS:,.0f}" == "2,252" and "2,252" in page
    # The differences from LeNet-5 add up: C3's full connections, the learned
    # output layer, and the subsampling coefficients avg pooling lacks.
    c3, out, pools = conv(6, 16, 5) - C3, dense(84, 10), 2 * 6 + 2 * 16
    assert (c3, out, pools) == (900, 850, 44) and c3 + out - pools == TOTAL - LENET5
    assert "900 + 850 - 44 = 1{,}706" in page
    # Output sizes the shapes section derives.
    for formula in ("(28 + 2", "14 - 5 + 1 = 10", "\\lfloor (10 - 2)/2 \\rfloor + 1 = 5"):
        assert formula in page, (lang, formula)


LINE_CLAIMS = {"ko": r"PyTorch는[^.]*?(\d+)줄, TensorFlow는[^.]*?(\d+)줄, MXNet은[^.]*?(\d+)줄",
               "zh": r"PyTorch[^。]*?输出 (\d+) 行；TensorFlow[^。]*?输出 (\d+) 行；MXNet[^。]*?输出 (\d+) 行"}


@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_says_how_many_rows_each_framework_prints(executed_book, lang):
    m = re.search(LINE_CLAIMS[lang], text(lang))
    assert m, f"{lang}: the printed-lines sentence is missing"
    claimed = dict(zip(("pytorch", "tensorflow", "mxnet"), map(int, m.groups())))
    assert claimed == ROWS
    for fw in book.FRAMEWORKS:
        lines = printed(executed_book, fw, "total_params = 0").strip().splitlines()
        assert len(lines) == ROWS[fw], fw


@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_states_no_number_of_the_chapters_own_training(executed_book, lang):
    """test_prose_outputs checks the figures d2l.train_ch6 records; the chapter's
    own train_ch6 records none, so its printed figures are checked here."""
    figures = set()
    for fw in book.FRAMEWORKS:
        figures |= set(report(own_training_cell(executed_book, fw))[:4])
    number = re.compile(r"(?<![\d.,])\d+\.\d+(?![\d])")
    for para in paragraphs(lang):
        if "{cite" in para:
            continue
        found = set(number.findall(para)) & figures
        assert not found, f"{lang}: {sorted(found)} printed by this build's training, in: {para[:80]}"


@pytest.mark.parametrize("lang", EDITIONS)
def test_reference_figures_are_cited(lang):
    # d2l-zh 2.0.0's executed PyTorch notebook (d2l-ai/d2l-zh-pytorch-colab,
    # chapter_convolutional-neural-networks/lenet.ipynb): "loss 0.469, train
    # acc 0.823, test acc 0.779".
    quoting = [p for p in paragraphs(lang) if "0.469" in p]
    assert len(quoting) == 1, lang
    assert all(f in quoting[0] for f in ("0.823", "0.779", "{cite:p}`Zhang.Li.Lipton.ea.2022`"))


@pytest.mark.parametrize("lang", EDITIONS)
def test_figures_are_drawn_in_the_edition_s_language(lang):
    page = text(lang)
    for name, label in (("lenet-dataflow", "fig-lenet"), ("lenet-compact", "fig-lenet-compact")):
        assert f"../img/{name}.svg\n:name: {label}\n" in page
        svg = (book.BOOK / lang / "img" / f"{name}.svg").read_text(encoding="utf-8")
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        assert ("Noto Sans CJK KR" if lang == "ko" else "Noto Sans CJK SC") in svg
        if name == "lenet-compact":
            for _, p in WEIGHTED:
                assert f">{p:,}<" in svg, (lang, p)
            assert f">{TOTAL:,}<" in svg and f"{FC1 / TOTAL:.1%}" in svg
        for dims in ("1@28×28", "6@28×28", "6@14×14", "16@10×10", "16@5×5"):
            assert dims in svg, (lang, name, dims)
