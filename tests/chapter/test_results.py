"""The results appendix (chapter_convolutional-modern/results, built by
scripts/checks/results.py): one row per training run of the book, read from
the executed notebooks the merged pages show; sizes counted as the chapters
count them; published figures as the chapters quote them; only full runs
plotted, in each edition's language."""
import re

import nbformat
import pytest

from d2l import _core
from scripts.checks import equivalence, results
from scripts.environment import book
from scripts.pipeline.split import ALL

PAGE = "chapter_convolutional-modern/results"
ITALIC = re.compile(r"^\*([\d.,]+)\*$")


def test_multiply_adds_are_counted_as_the_chapters_count_them():
    # AlexNet's compute table and the answer of LeNet's exercise 3.
    assert sum(layer.macs for layer in equivalence.layers("alexnet")) == 938_146_176
    assert sum(layer.macs for layer in equivalence.layers("lenet")) == 416_520


@pytest.mark.parametrize("lang", list(book.editions()))
@pytest.mark.parametrize("key", sorted(results.PUBLISHED))
def test_published_figures_are_the_ones_the_chapter_quotes(key, lang):
    page, _, _ = key
    text = book.source_path(lang, page).read_text(encoding="utf-8")
    loss, train, test = results.PUBLISHED[key]
    # In this order, within one sentence or list of them (AlexNet's page
    # says both accuracies at once: "both about 0.88").
    values = [loss, train] + ([test] if test != train else [])
    pattern = ".{0,60}?".join(re.escape(v) + r"(?!\d)" for v in values)
    assert re.search(pattern, text), (page, lang, values)


def table(executed_book, lang):
    """The rows of the appendix's table, as cells, in `lang`."""
    nb = nbformat.read(executed_book / PAGE / f"{ALL}.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and "runs.table()" in c.source]
    (out,) = [o for o in cell.outputs if _core.LOCALIZED_MIME in o.get("data", {})]
    text = out.data[_core.LOCALIZED_MIME][lang]["data"]["text/markdown"]
    lines = text.strip().splitlines()[2:]   # past the header and its rule
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines]


def recorded(executed_book):
    """Every run recorded by the executed notebooks of the pages split per
    framework, in the order of the book, then run, then framework."""
    runs = []
    for page in results.trained_pages():
        per_fw = {fw: nbformat.read(executed_book / page / f"{fw}.ipynb", as_version=4).metadata["d2l"]
                  for fw in book.FRAMEWORKS}
        for index in range(max(len(m["results"]) for m in per_fw.values())):
            runs += [(page, fw, per_fw[fw]["results"][index], per_fw[fw]["stamp"])
                     for fw in book.FRAMEWORKS if index < len(per_fw[fw]["results"])]
    return runs


@pytest.mark.parametrize("lang", list(book.editions()))
def test_one_row_per_run_with_what_it_recorded(executed_book, lang):
    rows, runs = table(executed_book, lang), recorded(executed_book)
    assert len(rows) == len(runs) > 8
    for row, (page, fw, result, stamp) in zip(rows, runs):
        name, framework, params, macs, loss, train, test, speed, run, published = row
        assert name.startswith("{ref}`sec-") and framework == book.FRAMEWORK_LABELS[fw], (row, page)
        # The test fixture executes the quick profile: every row says so, its
        # figures in italics (not results).
        assert run == f"quick · {stamp['device']} · {stamp['date']}", row
        shown = [ITALIC.match(v).group(1) for v in (loss, train, test, speed)]
        assert shown == [f"{result['loss']:.3f}", f"{result['train_acc']:.3f}", f"{result['test_acc']:.3f}",
                         f"{result['examples_per_sec']:,.0f}"], (row, result)
        network = equivalence.NETWORKS[page.rpartition("/")[2]]
        assert params == f"{network.total_params:,}", row
        assert int(macs.replace(",", "")) > 0


@pytest.mark.parametrize("lang", list(book.editions()))
def test_published_figures_stand_beside_their_runs(executed_book, lang):
    rows, runs = table(executed_book, lang), recorded(executed_book)
    seen = {}
    for row, (page, fw, _, _) in zip(rows, runs):
        index = seen.get((page, fw), 0)
        seen[page, fw] = index + 1
        figures = results.PUBLISHED.get((page, index, fw))
        assert row[-1] == (" / ".join(figures) if figures else "—"), (row, page, fw, index)
    # Batch normalization trains twice: the two rows name their sections.
    names = [row[0] for row in rows if "sec-batch-norm`" in row[0]]
    assert len(set(names)) == 2 and all(" · {ref}`sec-batch-norm-" in n for n in names), names
    assert all(" · " not in row[0] for row in rows if "sec-batch-norm`" not in row[0])


def test_the_figure_plots_full_runs_and_published_figures_only():
    def run(page, fw, profile, acc, index=0):
        return results.Run(page, index, fw, "sec-x", {"profile": profile, "test_acc": acc}, {"device": "CPU"},
                           1, 10)
    lenet = "chapter_convolutional-neural-networks/lenet"
    runs = results.Results([run(lenet, "mxnet", "full", 0.8), run(lenet, "pytorch", "full", 0.81),
                            run("chapter_convolutional-modern/vgg", "pytorch", "quick", 0.1)])
    points = runs.points()
    assert points["mxnet"] == [(10, 0.8)] and points["pytorch"] == [(10, 0.81)]
    assert "tensorflow" not in points   # no full run: no series
    assert points["published"] == [(10, 0.779), (10, 0.920)]   # the quick VGG run is not plotted, its reference is


def test_the_figure_says_in_words_what_it_plots(monkeypatch):
    """Its alt text (in the output's metadata, which the merge passes to the
    image) names every point, in each edition's language."""
    monkeypatch.setenv("D2L_LANG", "ko,zh")
    lenet = "chapter_convolutional-neural-networks/lenet"
    runs = results.Results([results.Run(lenet, 0, "pytorch", "sec-x", {"profile": "full", "test_acc": 0.81},
                                        {"device": "CPU"}, 1, 4.2e8)])
    made = runs.figure().outputs()
    alt = {lang: out["metadata"]["image/svg+xml"]["alt"] for lang, out in made.items()}
    assert alt["ko"].startswith("가로축이 이미지 한 장당 곱셈-덧셈 횟수(로그 눈금), 세로축이 테스트 정확도인 산점도: ")
    assert "LeNet, 이 책의 full 실행 (PyTorch, CPU): 곱셈-덧셈 4.2억 번, 테스트 정확도 0.810" in alt["ko"]
    assert alt["zh"].startswith("散点图，横轴为每张图像的乘加次数（对数刻度），纵轴为测试精度：")
    assert "LeNet，本书 full 配置（PyTorch，CPU）：乘加 4.2 亿次，测试精度 0.810" in alt["zh"]
    assert alt["zh"].endswith("。")


@pytest.mark.parametrize("lang, macs, words", [
    ("ko", 938_146_176, "9.38억"), ("ko", 416_520, "41.7만"),
    ("zh", 938_146_176, "9.38 亿"), ("zh", 416_520, "41.7 万"),
    ("en", 938_146_176, "938 million"), ("en", 416_520, "417 thousand"), ("en", 2.1e9, "2.1 billion")])
def test_multiply_adds_are_said_in_units_a_screen_reader_speaks(monkeypatch, lang, macs, words):
    monkeypatch.setenv("D2L_LANG", lang)
    assert results._multiply_adds(macs) == words


@pytest.mark.parametrize("lang, words", [("ko", ("테스트 정확도", "곱셈-덧셈")), ("zh", ("测试精度", "乘加次数"))])
def test_the_figure_speaks_each_editions_language(executed_book, lang, words):
    nb = nbformat.read(executed_book / PAGE / f"{ALL}.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and "runs.figure()" in c.source]
    (out,) = [o for o in cell.outputs if _core.LOCALIZED_MIME in o.get("data", {})]
    svg = out.data[_core.LOCALIZED_MIME][lang]["data"]["image/svg+xml"]
    assert all(word in svg for word in words)
