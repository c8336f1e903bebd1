"""The DenseNet chapter: every framework prints the same dense block,
transition layer, network shapes and parameter counts, and the figures the
prose quotes are the ones this file computes from the configuration (never
copied from the prose)."""
import re

import pytest

from scripts.environment import book
from scripts.pipeline.source import parse
from tests.chapter import executed
from tests.chapter.executed import defined_names
from tests.chapter.executed import headings

PAGE = "chapter_convolutional-modern/densenet"
EDITIONS = list(book.editions())
SIZE, STEM, GROWTH, BLOCKS = 96, 64, 32, [4, 4, 4, 4]


def out_size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def conv_params(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def block_params(c_in, num_convs, growth):
    """(learned, running statistics) of a dense block: BN-ReLU-3x3 conv per layer."""
    learned = running = 0
    for i in range(num_convs):
        c = c_in + i * growth
        learned += 2 * c + conv_params(3, c, growth)
        running += 2 * c
    return learned, running


def stages(blocks=BLOCKS, growth=GROWTH, compress=True):
    """(name, CHW output shape, learned, running) of every parameterized stage."""
    n = out_size(out_size(SIZE, 7, 2, 3), 3, 2, 1)
    c = STEM
    rows = [("b1", (c, n, n), conv_params(7, 1, c) + 2 * c, 2 * c)]
    for i, num_convs in enumerate(blocks):
        learned, running = block_params(c, num_convs, growth)
        c += num_convs * growth
        rows.append((f"block{i + 1}", (c, n, n), learned, running))
        if i < len(blocks) - 1:
            out = c // 2 if compress else c
            n //= 2
            rows.append((f"trans{i + 1}", (out, n, n), 2 * c + conv_params(1, c, out), 2 * c))
            c = out
    rows.append(("bn", (c, n, n), 2 * c, 2 * c))
    rows.append(("dense", (10,), c * 10 + 10, 0))
    return rows


def totals(rows):
    return sum(r[2] for r in rows), sum(r[3] for r in rows)


def printed(executed_book, framework, marker):
    return executed.printed(executed_book, PAGE, framework, marker)


def chw(shape, framework):
    """Drop the batch axis; NHWC -> CHW for TensorFlow."""
    shape = shape[1:]
    if framework == "tensorflow" and len(shape) == 3:
        shape = (shape[2], shape[0], shape[1])
    return shape


def shape_of(line):
    return tuple(int(n) for n in re.findall(r"\d+", line.split(":", 1)[1]))


def test_the_configuration_gives_the_channels_of_the_chapter():
    assert [r[1][0] for r in stages()[:-1]] == [64, 192, 96, 224, 112, 240, 120, 248, 248]
    assert totals(stages()) == (758_226, 6_608)


def test_chapter_covers_every_section():
    labels = [label for _, label in headings("ko", PAGE)]
    assert labels == ["sec-densenet", "sec-densenet-from-resnet", "sec-densenet-block",
                      "sec-densenet-transition", "sec-densenet-model", "sec-densenet-params",
                      "sec-densenet-training", "sec-densenet-significance", "sec-densenet-faq",
                      None, None, None, None, "sec-densenet-summary", "sec-densenet-exercises"]


@pytest.mark.parametrize("lang", EDITIONS)
def test_page_has_figure_citations_and_exercise_answers(lang):
    text = book.source_path(lang, PAGE).read_text()
    assert (book.BOOK / lang / "img" / "densenet.svg").exists()
    assert ":name: fig-densenet" in text
    assert re.search(r"\{numref\}`[^`]*fig-densenet>?`", text)
    for key in ("Huang.Liu.Van-Der-Maaten.ea.2017", "He.Zhang.Ren.ea.2016", "Ioffe.Szegedy.2015",
                "Pleiss.Chen.Huang.ea.2017"):
        assert key in text
    for ref in ("sec-googlenet", "sec-googlenet-params"):
        assert re.search(r"\{ref\}`(?:[^`<]*<)?" + ref + ">?`", text), ref  # bare or with link text
    exercises = text.split("(sec-densenet-exercises)=")[1]
    numbered = re.findall(r"^\d+\. ", exercises, re.M)
    assert len(numbered) == exercises.count(":::{dropdown}") == 6


@pytest.mark.parametrize("lang", EDITIONS)
def test_figure_labels_the_computed_shapes(lang):
    figure = (book.BOOK / lang / "img" / "densenet.svg").read_text()
    for _, shape, _, _ in stages()[:-2]:
        assert "{}@{}×{}".format(*shape) in figure
    assert "64@24×24" in figure and "96@12×12" in figure


MODEL = {"conv_block", "DenseBlock", "transition_block", "net"}


@pytest.mark.parametrize("lang", EDITIONS)
@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_model_cells_are_separate_from_data_and_training(lang, framework):
    """The equivalence check runs the cells that define the model: together
    they define conv_block, DenseBlock, transition_block and net, none of
    them loads data, trains, initializes or prints, and Keras's batch
    normalization is given MXNet's and PyTorch's epsilon and momentum."""
    cells = [c.source for c in parse(book.source_path(lang, PAGE)).cells
             if c.kind == "code" and framework in c.frameworks and defined_names(c.source) & MODEL]
    assert MODEL <= set().union(*map(defined_names, cells))
    for source in cells:
        for forbidden in ("load_data_fashion_mnist", "train_ch6", "initialize(", "print("):
            assert forbidden not in source, f"{framework}: a model cell contains {forbidden}"
        if framework == "tensorflow":
            norms = re.findall(r"BatchNormalization\(([^)]*)\)", source)
            assert all(args == "epsilon=1e-5, momentum=0.9" for args in norms), norms


def test_every_framework_prints_the_block_and_transition_shapes(executed_book):
    c_out = STEM + BLOCKS[0] * GROWTH
    n = out_size(out_size(SIZE, 7, 2, 3), 3, 2, 1)
    for fw in book.FRAMEWORKS:
        block = printed(executed_book, fw, "Y = blk(X)").strip()
        assert block.startswith("dense block:")
        assert (shape_of(block)[0],) + chw(shape_of(block), fw) == (2, c_out, n, n), fw
        trans = printed(executed_book, fw, "print('transition:'").strip()
        assert (shape_of(trans)[0],) + chw(shape_of(trans), fw) == (2, c_out // 2, n // 2, n // 2), fw


def test_every_framework_prints_the_same_network(executed_book):
    rows = stages()
    expected = [shape for _, shape, _, _ in rows[:-2]]  # b1, blocks, transitions
    last = rows[-2][1]
    expected += [last, last, (last[0], 1, 1), (last[0],), (10,)]  # BN, ReLU, pooling, flatten, dense
    for fw in book.FRAMEWORKS:
        lines = printed(executed_book, fw, "output shape").strip().splitlines()
        shapes = [shape_of(line) for line in lines]
        assert all(s[0] == 1 for s in shapes), f"{fw}: batch axis"
        assert [chw(s, fw) for s in shapes] == expected, f"{fw}: {shapes}"
        names = [line.split()[0] for line in lines]
        assert names[1:8] == ["DenseBlock", "Sequential"] * 3 + ["DenseBlock"], fw


@pytest.mark.parametrize("framework", book.FRAMEWORKS)
def test_parameter_counts_are_reproduced(executed_book, framework):
    report = re.findall(r"^\s*(\w+):\s+([\d,]+)\s+([\d,]+)$",
                        printed(executed_book, framework, "for name, (learned, running)"), re.M)
    found = {name: (int(a.replace(",", "")), int(b.replace(",", ""))) for name, a, b in report}
    expected = {name: (learned, running) for name, _, learned, running in stages()}
    expected["total"] = totals(stages())
    assert found == expected


@pytest.mark.parametrize("lang", EDITIONS)
def test_prose_quotes_the_computed_figures(lang):
    text = "\n".join(c.source for c in parse(book.source_path(lang, PAGE)).cells if c.kind == "markdown")
    fmt = "{:,}".format
    tex = lambda n: fmt(n).replace(",", "{,}")
    rows = stages()
    learned, running = totals(rows)
    quoted = [fmt(learned), fmt(running)] + [fmt(r[2]) for r in rows[:-1]]  # dense: in TeX below
    quoted.append(" → ".join(str(r[1][0]) for r in rows[:-2]))
    quoted += ["{}@{}×{}".format(*rows[1][1]), "{}@{}×{}".format(*rows[2][1])]
    # Printed shapes, channels first.
    quoted += ["(1, {}, {}, {})".format(*r[1]) for r in rows[:-2]]
    # The first dense block layer by layer, and the first transition.
    first = [2 * c + conv_params(3, c, GROWTH) for c in range(STEM, STEM + 4 * GROWTH, GROWTH)]
    quoted.append(" + ".join(fmt(p) for p in first) + f" = {fmt(sum(first))}")
    quoted += [f"$64 + 4 \\cdot 32 = {STEM + 4 * GROWTH}", f"2 \\cdot 192 = {2 * 192}",
               f"192 \\cdot 96 + 96 = {tex(conv_params(1, 192, 96))}", tex(9 * 160 * GROWTH),
               fmt(9 * 256 * 256), f"248 \\cdot 10 + 10 = {tex(248 * 10 + 10)}"]
    # The fourth block in the exercise.
    for c in range(120, 120 + 4 * GROWTH, GROWTH):
        quoted.append(f"2 \\cdot {c} + 9 \\cdot 32 \\cdot {c} + 32 = {tex(2 * c + conv_params(3, c, GROWTH))}")
    # Against GoogLeNet (5,977,530 learned parameters, its chapter's figure).
    quoted += ["5,977,530", f"{5_977_530 / learned:.1f}"]
    # Exercises: growth rate 48, no compression, DenseNet-121's channels.
    wide, flat = stages(growth=48), stages(compress=False)
    quoted += [" → ".join(str(r[1][0]) for r in wide[:-2]), fmt(totals(wide)[0]),
               f"{totals(wide)[0] / learned:.1f}",
               " → ".join(str(r[1][0]) for r in flat[:-2]), fmt(totals(flat)[0]),
               f"{totals(flat)[0] / learned:.1f}"]
    dn121 = stages(blocks=[6, 12, 24, 16])
    quoted += [f"{r[1][0] - n * 32} + {n} \\cdot 32 = {r[1][0]}"
               for r, n in zip(dn121[1::2][:4], [6, 12, 24, 16])]
    # Memory of the first block's concatenations.
    area = rows[1][1][1] ** 2
    concat = sum(range(STEM + GROWTH, STEM + 4 * GROWTH + 1, GROWTH)) * area
    new = 4 * GROWTH * area
    quoted += [tex(concat), tex(new), f"{concat / new:.1f}"]
    missing = [q for q in quoted if q not in text]
    assert not missing, f"{lang}: the prose does not quote {missing}"
