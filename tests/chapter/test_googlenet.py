"""The GoogLeNet chapter: every framework prints the same stages and parameter
counts, and the figures the prose quotes are the ones this file computes from
the network's configuration (never copied from the prose)."""
import re

import pytest

from scripts.environment import book
from tests.chapter import executed
from tests.chapter.executed import defined_names
from scripts.pipeline.source import parse

PAGE = "chapter_convolutional-modern/googlenet"
EDITIONS = list(book.editions())
SIZE = 96  # resize=96

# d2l's GoogLeNet: each Inception block is (c1, (c2_1, c2_2), (c3_1, c3_2), c4).
INCEPTIONS = {
    "b3": [(64, (96, 128), (16, 32), 32), (128, (128, 192), (32, 96), 64)],
    "b4": [(192, (96, 208), (16, 48), 64), (160, (112, 224), (24, 64), 64),
           (128, (128, 256), (24, 64), 64), (112, (144, 288), (32, 64), 64),
           (256, (160, 320), (32, 128), 128)],
    "b5": [(256, (160, 320), (32, 128), 128), (384, (192, 384), (48, 128), 128)],
}


def out_size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def conv_params(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def conv_macs(size, k, c_in, c_out):
    return size * size * k * k * c_in * c_out


def inception_out(c1, c2, c3, c4):
    return c1 + c2[1] + c3[1] + c4


def inception_params(c_in, c1, c2, c3, c4):
    return (conv_params(1, c_in, c1)
            + conv_params(1, c_in, c2[0]) + conv_params(3, c2[0], c2[1])
            + conv_params(1, c_in, c3[0]) + conv_params(5, c3[0], c3[1])
            + conv_params(1, c_in, c4))


def stages():
    """(name, output shape without the batch axis in CHW order, parameters) per stage."""
    down = lambda n: out_size(n, 3, 2, 1)  # the 3x3, stride 2, padding 1 max-pooling
    result, n = [], out_size(SIZE, 7, 2, 3)
    n = down(n)
    result.append(("b1", (64, n, n), conv_params(7, 1, 64)))
    n = down(n)
    result.append(("b2", (192, n, n), conv_params(1, 64, 64) + conv_params(3, 64, 192)))
    c = 192
    for name in ("b3", "b4", "b5"):
        params = 0
        for cfg in INCEPTIONS[name]:
            params += inception_params(c, *cfg)
            c = inception_out(*cfg)
        if name == "b5":
            result.append((name, (c,), params))  # global average pooling, flatten
        else:
            n = down(n)
            result.append((name, (c, n, n), params))
    result.append(("dense", (10,), c * 10 + 10))
    return result


def first_block_macs():
    """Multiply-adds per path of b3's first Inception block, without and with
    the 1x1 reductions of paths 2 and 3."""
    _, (c_in, size, _), _ = stages()[1]  # b2's output feeds the block
    c1, c2, c3, c4 = INCEPTIONS["b3"][0]
    reduced = {"1x1": conv_macs(size, 1, c_in, c1),
               "3x3": conv_macs(size, 1, c_in, c2[0]) + conv_macs(size, 3, c2[0], c2[1]),
               "5x5": conv_macs(size, 1, c_in, c3[0]) + conv_macs(size, 5, c3[0], c3[1]),
               "pool": conv_macs(size, 1, c_in, c4)}
    direct = dict(reduced, **{"3x3": conv_macs(size, 3, c_in, c2[1]),
                              "5x5": conv_macs(size, 5, c_in, c3[1])})
    return direct, reduced


def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def prose(lang):
    return "\n".join(c.source for c in parse(book.source_path(lang, PAGE)).cells if c.kind == "markdown")


def test_the_configuration_gives_the_stages_of_the_chapter():
    assert [shape for _, shape, _ in stages()] == [
        (64, 24, 24), (192, 12, 12), (480, 6, 6), (832, 3, 3), (1024,), (10,)]


def test_chapter_covers_every_section():
    labels = [line[1:-2] for line in book.source_path("ko", PAGE).read_text().splitlines()
              if re.fullmatch(r"\(sec-[a-z0-9-]+\)=", line)]
    assert labels == ["sec-googlenet", "sec-googlenet-inception", "sec-googlenet-1x1",
                      "sec-googlenet-model", "sec-googlenet-params", "sec-googlenet-training",
                      "sec-googlenet-significance", "sec-googlenet-faq",
                      "sec-googlenet-summary", "sec-googlenet-exercises"]


@pytest.mark.parametrize("lang", EDITIONS)
def test_page_has_figure_citations_and_exercise_answers(lang):
    text = book.source_path(lang, PAGE).read_text()
    assert (book.BOOK / lang / "img" / "googlenet.svg").exists()
    assert ":name: fig-googlenet" in text
    assert re.search(r"\{numref\}`[^`]*fig-googlenet>?`", text)
    for key in ("Szegedy.Liu.Jia.ea.2015", "Lin.Chen.Yan.2013"):
        assert key in text
    exercises = text.split("(sec-googlenet-exercises)=")[1]
    numbered = re.findall(r"^\d+\. ", exercises, re.M)
    assert len(numbered) == exercises.count(":::{dropdown}") > 0


MODEL = {"Inception", "b1", "b2", "b3", "b4", "b5", "net"}


@pytest.mark.parametrize("lang", EDITIONS)
@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_model_cells_are_separate_from_data_and_training(lang, framework):
    """The equivalence check runs the cells that define the model: together
    they define Inception, b1..b5 and net, and none of them loads data,
    trains, initializes or prints."""
    cells = [c.source for c in parse(book.source_path(lang, PAGE)).cells
             if c.kind == "code" and framework in c.frameworks and defined_names(c.source) & MODEL]
    assert MODEL <= set().union(*map(defined_names, cells))
    for source in cells:
        for forbidden in ("load_data_fashion_mnist", "train_ch6", "initialize(", "print("):
            assert forbidden not in source, f"{framework}: a model cell contains {forbidden}"


def test_every_framework_prints_the_same_stages(executed_book):
    expected = [shape for _, shape, _ in stages()]
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
    report = dict(re.findall(r"^\s*(\w+):\s+([\d,]+)$", printed(executed_book, framework, "print(f'total"), re.M))
    counts = {name: params for name, _, params in stages()}
    counts["total"] = sum(counts.values())
    assert {k: int(v.replace(",", "")) for k, v in report.items()} == counts
    assert counts["total"] == 5_977_530


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_multiply_adds_are_reproduced(executed_book, framework):
    lines = printed(executed_book, framework, "def conv_macs").strip().splitlines()
    found = {line.split(":")[0].strip(): tuple(int(n.replace(",", "")) for n in re.findall(r"[\d,]{2,}", line))
             for line in lines}
    direct, reduced = first_block_macs()
    expected = {path: (direct[path], reduced[path]) for path in direct}
    expected["block"] = (sum(direct.values()), sum(reduced.values()))
    assert found == expected


@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_quotes_the_computed_figures(lang):
    text = prose(lang)
    fmt = "{:,}".format
    counts = [params for _, _, params in stages()]
    quoted = [fmt(sum(counts))] + [fmt(n) for n in counts]
    # Stage shapes, C@HxW as the prose and the figure write them.
    quoted += ["{}@{}×{}".format(*shape) for _, shape, _ in stages()[:4]]
    direct, reduced = first_block_macs()
    for path in ("3x3", "5x5"):
        quoted += [fmt(direct[path]), fmt(reduced[path]), f"{direct[path] / reduced[path]:.1f}"]
    quoted += [fmt(sum(direct.values())), fmt(sum(reduced.values())),
               f"{sum(direct.values()) / sum(reduced.values()):.1f}"]
    # Weights of paths 2 and 3 without and with the reduction (biases left out).
    c1, c2, c3, c4 = INCEPTIONS["b3"][0]
    quoted += [fmt(9 * 192 * c2[1]), fmt(192 * c2[0] + 9 * c2[0] * c2[1]),
               fmt(25 * 192 * c3[1]), fmt(192 * c3[0] + 25 * c3[0] * c3[1])]
    # Channel arithmetic of every Inception block, and the pooling path without its 1x1.
    for cfg in sum(INCEPTIONS.values(), []):
        quoted.append(" + ".join(str(n) for n in (cfg[0], cfg[1][1], cfg[2][1], cfg[3])) + f" = {inception_out(*cfg)}")
    c_in, growth = 192, []
    for cfg in INCEPTIONS["b3"] + INCEPTIONS["b4"][:1]:
        c_in = cfg[0] + cfg[1][1] + cfg[2][1] + c_in
        growth.append(c_in)
    assert growth == [416, 832, 1280]
    quoted += ["= 416", "= 832", "1{,}280"]
    # Exercise 2: the whole first block with and without the reductions.
    with_reduction = inception_params(192, *INCEPTIONS["b3"][0])
    without = with_reduction - conv_params(1, 192, c2[0]) - conv_params(3, c2[0], c2[1]) \
        - conv_params(1, 192, c3[0]) - conv_params(5, c3[0], c3[1]) \
        + conv_params(3, 192, c2[1]) + conv_params(5, 192, c3[1])
    quoted += [fmt(with_reduction), fmt(without)]
    # Exercise 6: a VGG-style dense part after global average pooling, or after flattening b5.
    dense = conv_params(1, 1024, 4096) + conv_params(1, 4096, 4096) + conv_params(1, 4096, 10)
    flat = conv_params(1, 1024 * 3 * 3, 4096)
    total = sum(counts)
    tex = lambda n: fmt(n).replace(",", "{,}")
    quoted += [tex(dense), fmt(dense - counts[-1]), fmt(total - counts[-1] + dense), tex(flat)]
    # The share of b4 and b5.
    quoted.append(f"{(counts[3] + counts[4]) / total:.0%}")
    missing = [q for q in quoted if q not in text]
    assert not missing, f"{lang}: the prose does not quote {missing}"
