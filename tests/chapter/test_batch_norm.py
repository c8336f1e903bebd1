"""The batch normalization chapter: every framework prints the same LeNet with
batch normalization (shapes, parameters), the layer written from scratch
computes what the built-in one does, and the built-in layers' defaults that
the chapter states in its table are the ones each framework reports."""
import math
import re

import nbformat
import pytest

from scripts.environment import book
from tests.chapter import executed
from tests.chapter.executed import headings

PAGE = "chapter_convolutional-modern/batch-norm"
EDITIONS = list(book.editions())

# LeNet on 28x28 inputs: (output shape channels first, trained parameters)
# of every layer that has parameters; batch normalization has 2 per channel.
WEIGHTED = [
    ((1, 6, 24, 24), 5 * 5 * 1 * 6 + 6),
    ((1, 6, 24, 24), 2 * 6),
    ((1, 16, 8, 8), 5 * 5 * 6 * 16 + 16),
    ((1, 16, 8, 8), 2 * 16),
    ((1, 120), 16 * 4 * 4 * 120 + 120),
    ((1, 120), 2 * 120),
    ((1, 84), 120 * 84 + 84),
    ((1, 84), 2 * 84),
    ((1, 10), 84 * 10 + 10),
]
BN_PARAMS = 2 * (6 + 16 + 120 + 84)
TOTAL = sum(p for _, p in WEIGHTED)
# The cell of each framework that prints its built-in layer's defaults.
DEFAULTS_CELL = {"mxnet": "print(nn.BatchNorm())", "pytorch": "print(nn.BatchNorm2d(6))",
                 "tensorflow": "print(f'BatchNormalization("}
TABLE_NAMES = {"mxnet": "MXNet", "pytorch": "PyTorch", "tensorflow": "TensorFlow"}
STEPS = (1, 10, 100)
SMALL = 1e-5  # floating-point agreement of the scratch and built-in layers


def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def layer_rows(executed_book, framework):
    return executed.layer_rows(printed(executed_book, framework, "output shape:"), framework)


def printed_defaults(executed_book, framework):
    """(momentum, epsilon) as the framework's built-in layer prints them."""
    text = printed(executed_book, framework, DEFAULTS_CELL[framework])
    momenta = {float(v) for v in re.findall(r"momentum=([\d.e-]+)", text)}
    epsilons = {float(v) for v in re.findall(r"\beps(?:ilon)?=([\d.e-]+)", text)}
    assert len(momenta) == 1 and len(epsilons) == 1, f"{framework}: {text!r}"
    return momenta.pop(), epsilons.pop()


def table(lang):
    """The chapter's table of defaults: framework -> (momentum, rho, epsilon)."""
    text = book.source_path(lang, PAGE).read_text(encoding="utf-8")
    found = {}
    for fw, name in TABLE_NAMES.items():
        rows = [line for line in text.splitlines() if line.startswith(f"| {name} |")]
        assert len(rows) == 1, f"{lang}: {len(rows)} table rows for {name}"
        cells = [c.strip() for c in rows[0].strip("|").split("|")]
        found[fw] = (float(cells[2]), float(cells[3]), float(cells[4]))
    return found


def running_means(executed_book, framework):
    """The running means printed after STEPS training steps, in print order."""
    text = printed(executed_book, framework, "def running_means")
    values = [(int(k), float(v)) for k, v in
              re.findall(r"step\s+(\d+): running mean ([\d.]+)", text)]
    assert [k for k, _ in values] == list(STEPS) * (len(values) // len(STEPS)), text
    return [v for _, v in values]


def test_chapter_covers_every_section():
    labels = [label for _, label in headings("ko", PAGE)]
    assert labels == ["sec-batch-norm", "sec-batch-norm-why", "sec-batch-norm-layer",
                      "sec-batch-norm-inference", "sec-batch-norm-scratch",
                      "sec-batch-norm-lenet", "sec-batch-norm-defaults",
                      "sec-batch-norm-concise", "sec-batch-norm-debate", "sec-batch-norm-faq",
                      None, None, None, None, "sec-batch-norm-summary",
                      "sec-batch-norm-exercises"]


def test_every_framework_prints_the_same_network(executed_book):
    expected_rows = {"mxnet": 15, "pytorch": 16, "tensorflow": 16}  # MXNet's Dense flattens
    for fw in book.FRAMEWORKS:
        rows = layer_rows(executed_book, fw)
        assert len(rows) == expected_rows[fw], f"{fw}: {len(rows)} layers"
        weighted = [(shape, params) for _, shape, params in rows if params]
        assert weighted == WEIGHTED, f"{fw}: {weighted}"
        assert [name for name, _, _ in rows].count("BatchNorm") == 4, fw
        assert rows[-1][1] == (1, 10), fw
    assert (TOTAL, BN_PARAMS) == (44_878, 452)


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_concise_network_has_the_same_parameters(executed_book, framework):
    text = printed(executed_book, framework, "running statistics: {")
    assert f"trained parameters: {TOTAL:,}, running statistics: {BN_PARAMS:,}" in text


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_scratch_layer_matches_the_built_in_one(executed_book, framework):
    text = printed(executed_book, framework, "'output (training)'")
    diffs = dict((name, float(v)) for name, v in
                 re.findall(r"^(.+?)\s+max difference: ([\d.e+-]+)$", text, re.M))
    assert set(diffs) == {"output (training)", "running mean", "running variance",
                          "output (inference)"}, text
    assert diffs["output (training)"] < SMALL and diffs["running mean"] < SMALL, (framework, diffs)
    if framework == "pytorch":
        # The chapter explains it: PyTorch puts the unbiased variance (n - 1)
        # into its running variance; n = 16 * 5 * 5 values per channel here,
        # the variance about 9, so after one step (weight 0.1) about 9 * 0.1 / 399.
        assert 1e-4 < diffs["running variance"] < 1e-2, diffs
        assert diffs["output (inference)"] > SMALL, diffs
    else:
        assert diffs["running variance"] < SMALL and diffs["output (inference)"] < SMALL, diffs


@pytest.mark.parametrize("lang", EDITIONS)
def test_table_states_the_printed_defaults(executed_book, lang):
    stated = table(lang)
    for fw in book.FRAMEWORKS:
        momentum, eps = printed_defaults(executed_book, fw)
        assert stated[fw][0] == momentum and stated[fw][2] == eps, (lang, fw, stated[fw])
    assert {fw: stated[fw][2] for fw in stated} == {"mxnet": 1e-5, "pytorch": 1e-5,
                                                     "tensorflow": 1e-3}


@pytest.mark.parametrize("lang", EDITIONS)
def test_table_states_each_framework_s_momentum_convention(executed_book, lang):
    # rho, the weight of the old running value, is what the running mean
    # printed after k steps from 0 towards a constant 1 shows: 1 - rho ** k.
    stated = table(lang)
    for fw in book.FRAMEWORKS:
        rho = stated[fw][1]
        measured = running_means(executed_book, fw)[:len(STEPS)]
        assert measured == [round(1 - rho ** k, 4) for k in STEPS], (lang, fw, measured)
    assert stated["pytorch"][1] == 1 - stated["pytorch"][0]  # weight of the new value
    assert stated["mxnet"][1] == stated["mxnet"][0]
    assert stated["tensorflow"][1] == stated["tensorflow"][0]


def test_keras_set_as_the_book_does_updates_like_the_others(executed_book):
    measured = running_means(executed_book, "tensorflow")
    assert len(measured) == 2 * len(STEPS)
    assert measured[len(STEPS):] == running_means(executed_book, "mxnet")


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_epsilon_changes_a_small_variance_channel_as_stated(executed_book, framework):
    text = printed(executed_book, framework, "for eps in")
    values = dict(re.findall(r"eps=([\d.e-]+): 0\.01 -> ([\d.]+)", text))
    expected = {eps: f"{0.01 / math.sqrt(1e-4 + float(eps)):.4f}" for eps in ("1e-05", "0.001")}
    assert values == expected == {"1e-05": "0.9535", "0.001": "0.3015"}, (framework, values)


def test_the_book_s_keras_layers_are_set_like_mxnet_and_pytorch():
    # The decision the defaults section explains: every built-in Keras layer
    # of the chapter's networks sets epsilon=1e-5 and momentum=0.9.
    for lang in EDITIONS:
        text = book.source_path(lang, PAGE).read_text(encoding="utf-8")
        net_cells = [c for c in re.findall(r"```\{code-cell\}.*?```", text, re.S)
                     if ":tags: [tensorflow]" in c and "def net()" in c]
        layers = [line.strip() for c in net_cells for line in c.splitlines()
                  if "BatchNormalization(" in line]
        assert layers and all(line.startswith("tf.keras.layers.BatchNormalization("
                                              "epsilon=1e-5, momentum=0.9)") for line in layers), layers


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_learned_scale_and_shift_are_printed(executed_book, framework):
    text = printed(executed_book, framework, "print('gamma:'")
    for name in ("gamma:", "beta: "):
        line = next(line for line in text.splitlines() if line.startswith(name))
        # numpy arrays may wrap; take the text up to the next name
        chunk = text[text.index(line):].split("beta:" if name == "gamma:" else "\x00")[0]
        numbers = re.findall(r"-?\d+\.\d*(?:e[+-]?\d+)?", chunk)
        assert len(numbers) == 6, (framework, name, chunk)


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_both_networks_are_trained(executed_book, framework):
    nb = nbformat.read(executed_book / PAGE / f"{framework}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "train_ch6(" in c.source]
    assert len(cells) == 2, f"{framework}: {len(cells)} training cells"
    assert all("lr" in cell.source and "num_epochs" in cell.source for cell in cells)


@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_quotes_the_computed_numbers(lang):
    text = book.source_path(lang, PAGE).read_text(encoding="utf-8")
    assert "lr, num_epochs, batch_size = 1.0, 10, 256" in text
    for number in (f"{TOTAL:,}", f"{BN_PARAMS}", f"{TOTAL - BN_PARAMS:,}", "0.9535", "0.3015",
                   "0.6513", "0.0956", "0.6340"):
        assert number in text, f"{lang}: {number} is not quoted"
    # Exercise 2: steps until the running mean passes 0.99.
    for rho, steps in ((0.9, 44), (0.99, 459)):
        assert math.ceil(math.log(0.01) / math.log(rho)) == steps
        assert f"{steps}" in text
    # Exercise 1: the biases before batch normalization.
    assert f"{TOTAL - (6 + 16 + 120 + 84):,}" in text
