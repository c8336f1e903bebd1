"""The ResNet chapter: every framework prints the same residual blocks, stages
and parameter counts, and the figures the prose quotes are the ones this file
computes from the network's configuration (never copied from the prose)."""
import re

import pytest

from scripts.environment import book
from scripts.pipeline.source import parse
from tests.chapter import executed
from tests.chapter.executed import defined_names

PAGE = "chapter_convolutional-modern/resnet"
EDITIONS = list(book.editions())
SIZE = 96  # resize=96
CHANNELS = (64, 128, 256, 512)  # b2..b5
RESNET18 = (2, 2, 2, 2)  # residual blocks per stage
RESNET34 = (3, 4, 6, 3)


def out_size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def conv_params(k, c_in, c_out):
    return k * k * c_in * c_out + c_out  # weights and bias, as the chapter's layers


def bn_params(c):
    return 2 * c  # learned scale and shift; the running mean and variance are 2 * c more


def residual_params(c_in, c, projection):
    return (conv_params(3, c_in, c) + conv_params(3, c, c)
            + (conv_params(1, c_in, c) if projection else 0) + 2 * bn_params(c))


def stages(blocks=RESNET18):
    """(name, output shape without the batch axis in CHW order, learned
    parameters, channels batch normalization normalizes) per printed layer."""
    n = out_size(out_size(SIZE, 7, 2, 3), 3, 2, 1)
    result = [("b1", (64, n, n), conv_params(7, 1, 64) + bn_params(64), 64)]
    c_in = 64
    for i, (c, num) in enumerate(zip(CHANNELS, blocks)):
        params, bn = 0, 0
        for j in range(num):
            projection = j == 0 and i > 0  # first_block=True for b2
            if projection:
                n = out_size(n, 3, 2, 1)
                assert n == out_size(n * 2, 1, 2, 0)  # the 1x1 shortcut agrees
            params += residual_params(c_in, c, projection)
            bn += 2 * c
            c_in = c
        result.append((f"b{i + 2}", (c, n, n), params, bn))
    result += [("pool", (c_in, 1, 1), 0, 0), ("flatten", (c_in,), 0, 0),
               ("dense", (10,), c_in * 10 + 10, 0)]
    return result


def total(blocks=RESNET18):
    return sum(p for _, _, p, _ in stages(blocks))


def running_statistics():
    return 2 * sum(bn for *_, bn in stages())


def bottleneck():
    """Weights of the blocks the bottleneck section compares (biases left out)."""
    w = lambda k, c_in, c_out: k * k * c_in * c_out
    return {"basic, 256 channels": 2 * w(3, 256, 256),
            "bottleneck, 256-64-64-256": w(1, 256, 64) + w(3, 64, 64) + w(1, 64, 256),
            "basic, 64 channels": 2 * w(3, 64, 64)}


def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def prose(lang):
    return "\n".join(c.source for c in parse(book.source_path(lang, PAGE)).cells if c.kind == "markdown")


def test_the_configuration_gives_the_stages_of_the_chapter():
    assert [shape for _, shape, _, _ in stages()] == [
        (64, 24, 24), (64, 24, 24), (128, 12, 12), (256, 6, 6), (512, 3, 3),
        (512, 1, 1), (512,), (10,)]
    assert total() == 11_178_378 and running_statistics() == 7_808


def test_chapter_covers_every_section():
    labels = [line[1:-2] for line in book.source_path("ko", PAGE).read_text().splitlines()
              if re.fullmatch(r"\(sec-[a-z0-9-]+\)=", line)]
    assert labels == ["sec-resnet", "sec-resnet-function-classes", "sec-resnet-block",
                      "sec-resnet-bn-defaults", "sec-resnet-model", "sec-resnet-params",
                      "sec-resnet-training", "sec-resnet-bottleneck", "sec-resnet-faq",
                      "sec-resnet-summary", "sec-resnet-exercises"]


@pytest.mark.parametrize("lang", EDITIONS)
def test_page_has_figure_citations_and_exercise_answers(lang):
    text = book.source_path(lang, PAGE).read_text()
    assert (book.BOOK / lang / "img" / "resnet.svg").exists()
    assert ":name: fig-resnet" in text
    assert re.search(r"\{numref\}`[^`]*fig-resnet>?`", text)
    for key in ("He.Zhang.Ren.ea.2016", "Ioffe.Szegedy.2015"):
        assert "`" + key in text or "," + key in text
    for label in ("sec-vgg", "sec-vgg-params", "sec-googlenet-params", "sec-googlenet-1x1"):
        # bare, or with link text that names the chapter
        assert re.search(r"\{ref\}`(?:[^`<]*<)?" + label + ">?`", text), label
    exercises = text.split("(sec-resnet-exercises)=")[1]
    numbered = re.findall(r"^\d+\. ", exercises, re.M)
    assert len(numbered) == exercises.count(":::{dropdown}") > 0


def model_names(framework):
    # TensorFlow builds its stages inside the function net.
    stages = {"b1"} if framework == "tensorflow" else {"b1", "b2", "b3", "b4", "b5"}
    return {"Residual", "resnet_block", "net"} | stages


@pytest.mark.parametrize("lang", EDITIONS)
@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_model_cells_are_separate_from_data_and_training(lang, framework):
    """The equivalence check runs the cells that define the model: together
    they define Residual, resnet_block, b1 (b2..b5) and net, and none of them
    loads data, trains, initializes or prints."""
    cells = [c.source for c in parse(book.source_path(lang, PAGE)).cells
             if c.kind == "code" and framework in c.frameworks and defined_names(c.source) & model_names(framework)]
    assert model_names(framework) <= set().union(*map(defined_names, cells))
    for source in cells:
        for forbidden in ("load_data_fashion_mnist", "train_ch6", "initialize(", "print("):
            assert forbidden not in source, f"{framework}: a model cell contains {forbidden}"


@pytest.mark.parametrize("lang", EDITIONS)
def test_keras_batch_normalization_matches_the_other_frameworks(lang):
    """epsilon 1e-5 as MXNet and PyTorch (Keras: 1e-3), and the moving
    averages keep 0.9 of the old value as MXNet's 0.9 and PyTorch's 0.1
    (Keras: 0.99): every Keras BatchNormalization of the chapter says so."""
    code = "\n".join(c.source for c in parse(book.source_path(lang, PAGE)).cells
                     if c.kind == "code" and "tensorflow" in c.frameworks)
    calls = re.findall(r"BatchNormalization\(([^)]*)\)", code)
    assert len(calls) == 3  # b1, bn1, bn2
    assert all(re.sub(r"\s+", "", args) == "epsilon=1e-5,momentum=0.9" for args in calls), calls
    for default in ("1e-3", "0.99"):
        assert default in prose(lang)


def test_every_framework_prints_the_same_residual_blocks(executed_book):
    x = (4, 3, 6, 6)
    expected = {"without": x, "with": (x[0], 6, out_size(x[2], 3, 2, 1), out_size(x[3], 3, 2, 1))}
    for fw in book.FRAMEWORKS:
        lines = printed(executed_book, fw, "without 1x1 conv").strip().splitlines()
        found = {line.split()[0]: tuple(int(n) for n in re.findall(r"\d+", line.split(":")[1])) for line in lines}
        if fw == "tensorflow":  # NHWC -> NCHW
            found = {k: (s[0], s[3], s[1], s[2]) for k, s in found.items()}
        assert found == expected, f"{fw}: {found}"


def test_every_framework_prints_the_same_stages(executed_book):
    expected = [shape for _, shape, _, _ in stages()]
    for fw in book.FRAMEWORKS:
        lines = printed(executed_book, fw, "output shape").strip().splitlines()
        shapes = [tuple(int(n) for n in re.findall(r"\d+", line.split("output shape:")[1])) for line in lines]
        assert all(s[0] == 1 for s in shapes), f"{fw}: batch axis"
        shapes = [s[1:] for s in shapes]
        if fw == "tensorflow":  # NHWC -> CHW
            shapes = [(s[2], s[0], s[1]) if len(s) == 3 else s for s in shapes]
        assert shapes == expected, f"{fw}: {shapes}"


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_parameter_counts_are_reproduced(executed_book, framework):
    report = printed(executed_book, framework, "print(f'  total")
    counts = dict(re.findall(r"^\s*(\w+):\s+([\d,]+)$", report, re.M))
    expected = {name: params for name, _, params, _ in stages()}
    expected["total"] = total()
    assert {k: int(v.replace(",", "")) for k, v in counts.items()} == expected
    assert f"running statistics: {running_statistics():,}" in report


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_bottleneck_arithmetic_is_reproduced(executed_book, framework):
    size = out_size(out_size(224, 7, 2, 3), 3, 2, 1)
    assert size == 56
    lines = printed(executed_book, framework, "def conv_weights").strip().splitlines()
    found = {line.split(":")[0].strip(): tuple(int(n.replace(",", "")) for n in re.findall(r"[\d,]{4,}", line.split(":")[1]))
             for line in lines}
    assert found == {name: (w, w * size * size) for name, w in bottleneck().items()}


@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_quotes_the_computed_figures(lang):
    text = prose(lang)
    fmt = "{:,}".format
    tex = lambda n: fmt(n).replace(",", "{,}")
    rows = stages()
    quoted = [fmt(total()), fmt(running_statistics()), fmt(running_statistics() // 2),
              fmt(total() + running_statistics())]  # Keras's count_params()
    quoted += [fmt(params) for _, _, params, _ in rows if params]
    quoted += ["{}@{}×{}".format(*shape) for _, shape, _, _ in rows[:5]]
    # Every printed shape, NCHW and NHWC, as the prose lists them.
    nchw = [str((1,) + shape) for _, shape, _, _ in rows]
    nhwc = [str((1,) + (shape[1:] + shape[:1] if len(shape) == 3 else shape)) for _, shape, _, _ in rows]
    for listing in (nchw, nhwc):  # separated by ", " (ko) or "、" (zh)
        assert re.search(r"\s*[,、]\s*".join(map(re.escape, listing)), text), f"{lang}: {listing}"
    # b3's two blocks, the 1x1 shortcut of b3 and b4, and b4's two blocks.
    quoted += [tex(conv_params(3, 64, 128) + conv_params(3, 128, 128)), tex(conv_params(1, 64, 128)),
               fmt(residual_params(64, 128, True)), tex(residual_params(128, 128, False)),
               tex(residual_params(128, 256, True)), tex(residual_params(256, 256, False)),
               fmt(conv_params(1, 128, 256))]
    # Shares: b5, the dense layer; comparisons with GoogLeNet and VGG-11.
    quoted += [f"{rows[5 - 1][2] / total():.1%}", f"{rows[-1][2] / total():.2%}",
               f"{total() / 5_977_530:.1f}"]
    # Biases in front of batch normalization (exercise 3) and ResNet-34 (exercise 6).
    quoted += [tex(running_statistics() // 2), fmt(total() - running_statistics() // 2), fmt(total(RESNET34))]
    quoted += [fmt(p) for _, _, p, _ in stages(RESNET34)[1:5]]
    # The bottleneck block against two 3x3 convolutions.
    size = 56
    weights = bottleneck()
    basic, neck, small = weights.values()
    quoted += [fmt(basic), fmt(basic * size * size), fmt(neck), fmt(neck * size * size), fmt(small),
               tex(neck), f"{basic / neck:.1f}"]
    # Exercise 5: what is left of the initial moving average after 20 updates.
    quoted += [f"{0.99 ** 20:.2f}", f"{0.9 ** 20:.2f}"]
    missing = [q for q in quoted if q not in text]
    assert not missing, f"{lang}: the prose does not quote {missing}"
