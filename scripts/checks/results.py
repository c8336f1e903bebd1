"""The results appendix: every training run of the book in one table, and
test accuracy against computation for the runs that trained in full.

A run is one call of `d2l.train_ch6` on a page, in one framework, as the
merged page shows it: executed in the profile that the build's request
($PROFILE, set by scripts/pipeline/execute.py and merge.py) resolves to, or
a kept full-profile record. Each run's network is its page's row of the
equivalence check's table (scripts/checks/equivalence/networks.py), built
from the chapter's own code to count its parameters and multiply-adds; the
figures the d2l Chinese edition 2.0.0 published for the same chapters stand
beside them (PUBLISHED). Nothing here is typed in but those.

    results.inputs()             what the table is made of, for the build's cache
    runs = results.collect()     -> Results
    runs.table(); runs.figure()  in every edition's language at once
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from d2l import _core
from scripts.checks.display import localized, markdown
from scripts.checks.equivalence import NETWORKS, layers
from scripts.environment import book, profiles
from scripts.pipeline import merge
from scripts.pipeline.source import parse
from scripts.pipeline.split import notebooks_for

# Loss, train and test accuracy that the d2l Chinese edition 2.0.0 printed
# for the same chapter, hyper-parameters and 10 epochs on one GPU, keyed by
# (page, run on the page, framework), written as the chapters quote them (a
# test holds the two together; AlexNet's page rounds them).
PUBLISHED = {
    ("chapter_convolutional-neural-networks/lenet", 0, "pytorch"): ("0.469", "0.823", "0.779"),
    ("chapter_convolutional-modern/alexnet", 0, "pytorch"): ("0.33", "0.88", "0.88"),
    ("chapter_convolutional-modern/vgg", 0, "mxnet"): ("0.176", "0.936", "0.923"),
    ("chapter_convolutional-modern/vgg", 0, "pytorch"): ("0.178", "0.935", "0.920"),
    ("chapter_convolutional-modern/vgg", 0, "tensorflow"): ("0.178", "0.934", "0.918"),
    ("chapter_convolutional-modern/googlenet", 0, "pytorch"): ("0.262", "0.900", "0.886"),
    ("chapter_convolutional-modern/batch-norm", 0, "pytorch"): ("0.273", "0.899", "0.807"),
    ("chapter_convolutional-modern/batch-norm", 1, "pytorch"): ("0.267", "0.902", "0.708"),
    ("chapter_convolutional-modern/resnet", 0, "pytorch"): ("0.012", "0.997", "0.893"),
    ("chapter_convolutional-modern/densenet", 0, "pytorch"): ("0.151", "0.944", "0.822"),
}

TEXT = {
    "ko": {"network": "네트워크", "framework": "프레임워크", "params": "매개변수", "macs": "곱셈-덧셈",
           "loss": "손실", "train": "훈련 정확도", "test": "테스트 정확도", "speed": "초당 예제 수",
           "run": "실행 (프로필 · 장치 · 날짜)", "published": "참고 수치: 중국어판 2.0.0 (손실 / 훈련 / 테스트)",
           "quick": "quick", "full": "full", "ours": "이 책의 full 실행 ({framework}, {device})",
           "theirs": "d2l 중국어판 2.0.0 (GPU)", "xlabel": "이미지 한 장당 곱셈-덧셈 횟수",
           "ylabel": "테스트 정확도", "batch-norm": "LeNet + 배치 정규화", "and": ", ",
           "alt": "가로축이 이미지 한 장당 곱셈-덧셈 횟수(로그 눈금), 세로축이 {ylabel}인 산점도: {points}.",
           "point": "{network}, {series}: 곱셈-덧셈 {macs} 번, {ylabel} {accuracy:.3f}", "sep": "; "},
    "zh": {"network": "网络", "framework": "框架", "params": "参数数量", "macs": "乘加次数",
           "loss": "损失", "train": "训练精度", "test": "测试精度", "speed": "每秒样本数",
           "run": "运行（配置 · 设备 · 日期）", "published": "参考值：中文版 2.0.0（损失 / 训练 / 测试）",
           "quick": "quick", "full": "full", "ours": "本书 full 配置（{framework}，{device}）",
           "theirs": "《动手学深度学习》中文版 2.0.0（GPU）", "xlabel": "每张图像的乘加次数",
           "ylabel": "测试精度", "batch-norm": "LeNet + 批量规范化", "and": "、",
           "alt": "散点图，横轴为每张图像的乘加次数（对数刻度），纵轴为{ylabel}：{points}。",
           "point": "{network}，{series}：乘加 {macs}次，{ylabel} {accuracy:.3f}", "sep": "；"},
    "en": {"network": "network", "framework": "framework", "params": "parameters", "macs": "multiply-adds",
           "loss": "loss", "train": "train acc", "test": "test acc", "speed": "examples/sec",
           "run": "run (profile · device · date)", "published": "d2l-zh 2.0.0 (loss / train / test)",
           "quick": "quick", "full": "full", "ours": "this book, full ({framework}, {device})",
           "theirs": "d2l-zh 2.0.0 (GPU)", "xlabel": "multiply-adds per image", "ylabel": "test accuracy",
           "batch-norm": "LeNet + batch normalization", "and": ", ",
           "alt": ("Scatter plot with multiply-adds per image (log scale) on the horizontal axis and {ylabel} "
                   "on the vertical axis: {points}."),
           "point": "{network}, {series}: {macs} multiply-adds, {ylabel} {accuracy:.3f}", "sep": "; "},
}

LABEL = re.compile(r"^\((sec-[\w-]+)\)=$", re.M)


def _text(key: str) -> str:
    return TEXT[_core.language()][key]


def trained_pages() -> list[str]:
    """The pages split per framework, in the order of the book."""
    return [page for page in book.pages()
            if notebooks_for(parse(book.source_path(book.executed_edition(), page))) == book.FRAMEWORKS]


def inputs() -> list:
    """The results and stamps of every notebook the table reads, as the
    request resolves them (and any kept record beside them), and the section
    labels its rows link to: the appendix executes again when one of them
    changes. Read raw, unchecked: the merge checks each page's own
    executions."""
    request = profiles.profile_request(None)
    found = []
    for page in trained_pages():
        found.append([page, _sections(page)])
        paths, kept = merge.executions(page, request)
        for fw in book.FRAMEWORKS:
            for path in (paths[fw], kept[fw]):
                try:
                    meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]["d2l"]
                except (OSError, ValueError, KeyError):
                    continue
                found.append([book.shown(path), meta.get("results"), meta.get("stamp")])
    return found


@dataclass(frozen=True)
class Run:
    page: str
    index: int            # of the runs on its page, in order
    framework: str
    section: str          # the label of the section that trains it
    result: dict          # what d2l.train_ch6 recorded
    stamp: dict           # profile, device, date of the execution shown
    params: int
    macs: int

    @property
    def full(self) -> bool:
        return self.result["profile"] == "full"

    @property
    def published(self) -> tuple[str, str, str] | None:
        return PUBLISHED.get((self.page, self.index, self.framework))


def _sections(page: str) -> list[tuple[int, str]]:
    """(source cell index, label) of every labelled heading of a page."""
    found = []
    for index, cell in enumerate(parse(book.source_path(book.executed_edition(), page)).cells):
        if cell.kind == "markdown":
            found += [(index, label) for label in LABEL.findall(cell.source)]
    return found


def collect() -> "Results":
    """Every run the merged pages show, checked as the merge checks them."""
    request = profiles.profile_request(None)
    runs, sizes = [], {}
    for page in trained_pages():
        shown = merge.shown(page, request)
        sections, key = _sections(page), Path(page).name
        for fw in book.FRAMEWORKS:
            _, meta = shown[fw]
            for index, result in enumerate(meta["results"]):
                if key not in NETWORKS:
                    raise LookupError(f"{page} trains a network that scripts/checks/equivalence/networks.py "
                                      "does not list: add its row to NETWORKS")
                if key not in sizes:
                    net = layers(key)
                    sizes[key] = (sum(l.params for l in net), sum(l.macs for l in net))
                section = [label for cell, label in sections if cell <= result["cell"]][-1]
                runs.append(Run(page, index, fw, section, result, meta["stamp"], *sizes[key]))
    return Results(sorted(runs, key=lambda r: (book.pages().index(r.page), r.index,
                                               book.FRAMEWORKS.index(r.framework))))


def _number(value: float, run: Run, digits: int = 3) -> str:
    text = f"{value:,.{digits}f}"
    return text if run.full else f"*{text}*"   # quick: not a result


@dataclass
class Results:
    runs: list[Run]

    @localized
    def table(self):
        """One row per run: the network's size, what it reached, where and
        when it ran, and the published figures beside it."""
        rows = []
        several = {run.page for run in self.runs if run.index > 0}
        for run in self.runs:
            r = run.result
            # The page; where it trains more than once, the section of the run too.
            name = f"{{ref}}`{_sections(run.page)[0][1]}`" + (
                f" · {{ref}}`{run.section}`" if run.page in several else "")
            published = " / ".join(run.published) if run.published else "—"
            rows.append([name, book.FRAMEWORK_LABELS[run.framework], f"{run.params:,}", f"{run.macs:,}",
                         _number(r["loss"], run), _number(r["train_acc"], run), _number(r["test_acc"], run),
                         _number(r["examples_per_sec"], run, 0),
                         f"{_text(r['profile'])} · {run.stamp['device']} · {run.stamp['date']}", published])
        return markdown([_text(k) for k in ("network", "framework", "params", "macs", "loss", "train", "test",
                                             "speed", "run", "published")], rows)

    def points(self) -> dict[str, list[tuple[int, float]]]:
        """What the figure plots, (multiply-adds, test accuracy) per series:
        each framework's runs that trained in full (no series without one),
        then "published": the published figure of every run that has one."""
        found = {}
        for fw in book.FRAMEWORKS:
            mine = [(run.macs, run.result["test_acc"]) for run in self.runs if run.full and run.framework == fw]
            if mine:
                found[fw] = mine
        found["published"] = [(run.macs, float(run.published[2])) for run in self.runs if run.published]
        return found

    @localized
    def figure(self):
        """Test accuracy against multiply-adds per image (log scale): the
        runs of this build that trained in full, one marker per framework,
        and the published figures; each network named under its points."""
        import matplotlib
        from matplotlib.figure import Figure

        points = self.points()
        names = {run.macs: _network(run.page) for run in self.runs}
        described = []      # each point in words, for the alt text
        faces, face = _core._cjk_faces()
        with matplotlib.rc_context(_core._plot_style(face)):
            fig = Figure(figsize=(6, 4))
            ax = fig.subplots()
            for series, marker in zip(points, "os^x"):
                if series == "published":
                    label, marker, color = _text("theirs"), "x", "black"
                else:
                    devices = sorted({run.stamp["device"] for run in self.runs
                                      if run.full and run.framework == series})
                    label, color = _text("ours").format(framework=book.FRAMEWORK_LABELS[series],
                                                        device=_text("and").join(devices)), None
                xs, ys = zip(*points[series]) if points[series] else ((), ())
                described += [_text("point").format(network=names.get(macs, _text("network")), series=label,
                                                    ylabel=_text("ylabel"), accuracy=acc,
                                                    macs=_multiply_adds(macs))
                              for macs, acc in points[series]]
                ax.scatter(xs, ys, marker=marker, color=color, label=label)
            plotted = [p for series in points.values() for p in series]
            for run in {run.macs: run for run in reversed(self.runs)}.values():
                at = sorted(acc for macs, acc in plotted if macs == run.macs)
                if at:   # the network's name right of its points, at their middle
                    ax.annotate(_network(run.page), (run.macs, at[len(at) // 2]), textcoords="offset points",
                                xytext=(7, 0), ha="left", va="center", fontsize=7)
            macs = [m for m, _ in plotted]
            # Room on the right for the names.
            ax.set(xscale="log", xlim=(min(macs) / 2, max(macs) * 4), xlabel=_text("xlabel"),
                   ylabel=_text("ylabel"))
            ax.grid(True, which="major")
            ax.legend(fontsize=7, loc="lower right")
        alt = _text("alt").format(ylabel=_text("ylabel"), points=_text("sep").join(described))
        return _core.DescribedSVG(_core.figure_svg(fig, faces, face), alt)


# Units a screen reader speaks, as the results page counts multiply-adds
# ('1억~10억 번', '1 亿到 10 亿次'): (smallest count, scale, format).
UNITS = {
    "ko": ((1e8, 1e8, "{:.3g}억"), (0, 1e4, "{:.3g}만")),
    "zh": ((1e8, 1e8, "{:.3g} 亿"), (0, 1e4, "{:.3g} 万")),
    "en": ((1e9, 1e9, "{:.3g} billion"), (1e6, 1e6, "{:.3g} million"), (0, 1e3, "{:.3g} thousand")),
}


def _multiply_adds(macs: float) -> str:
    """Multiply-adds in words, in the language of the moment: '9.38억',
    '9.38 亿', '938 million'; '41.7만', '41.7 万', '417 thousand'."""
    for least, scale, form in UNITS[_core.language()]:
        if macs >= least:
            return form.format(macs / scale)


def _network(page: str) -> str:
    """A network's name on the plot: its title, in the reader's language where it has words."""
    key = Path(page).name
    return _text(key) if key in TEXT["en"] else NETWORKS[key].title


def main() -> int:
    """Print the table in English (for a look without building the book)."""
    results = collect()
    with _core.speaking("en"):
        print(results.table().render().data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
