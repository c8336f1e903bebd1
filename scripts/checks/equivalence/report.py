"""What a page shows of a comparison: the layer table, the pairwise
differences, batch normalization's running statistics, the losses (table and
figure), and one summary line per network, each in the language of every
edition at once."""
from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass

from d2l import _core
from scripts.checks.display import localized, markdown
from scripts.checks.equivalence.networks import VGG, Network, pairs
from scripts.environment.book import FRAMEWORK_LABELS, FRAMEWORKS


@contextlib.contextmanager
def _quiet():
    """Keep printed progress and figures drawn in a notebook off the page."""
    from IPython.utils.capture import capture_output

    with capture_output():
        yield



TEXT = {
    "ko": {"network": "네트워크", "chapter": "장", "rows": "비교한 층", "logits_rel": "로짓 (최대 차이 / 최대 로짓)",
           "seconds": "초", "layer": "층", "shape": "출력 모양 (C, H, W)", "params": "매개변수", "agree": "일치",
           "total": "합계", "pair": "비교한 프레임워크", "inputs": "입력 이미지 (최대 절대 차이)",
           "logits": "로짓 (최대 절대 차이)", "weights": "한 스텝 뒤 가중치 (최대 상대 차이)",
           "updates": "갱신량 (최대 상대 차이)",
           "epoch": "에포크", "spread": "최대 차이", "loss": "훈련 손실",
           "means": "이동 평균의 갱신량 (최대 상대 차이)", "variances": "이동 분산에 들어간 배치 분산, n/(n-1) 보정 (최대 상대 차이)",
           "raw": "같은 값, 보정 없이"},
    "zh": {"network": "网络", "chapter": "章节", "rows": "比较的层数", "logits_rel": "logits（最大差 / 最大 logit）",
           "seconds": "秒", "layer": "层", "shape": "输出形状 (C, H, W)", "params": "参数个数", "agree": "一致",
           "total": "合计", "pair": "对比的框架", "inputs": "输入图像（最大绝对差）",
           "logits": "logits（最大绝对差）", "weights": "更新一步后的权重（最大相对差）",
           "updates": "更新量（最大相对差）",
           "epoch": "迭代周期", "spread": "最大差", "loss": "训练损失",
           "means": "移动平均的更新量（最大相对差）", "variances": "计入移动方差的批量方差，经 n/(n-1) 校正（最大相对差）",
           "raw": "同一量，不校正"},
    "en": {"network": "network", "chapter": "chapter", "rows": "layers compared", "logits_rel": "logits (max diff / max logit)",
           "seconds": "seconds", "layer": "layer", "shape": "output shape (C, H, W)", "params": "parameters",
           "agree": "same", "total": "total", "pair": "frameworks", "inputs": "input images (max abs diff)",
           "logits": "logits (max abs diff)", "weights": "weights after one step (max rel diff)",
           "updates": "update (max rel diff)",
           "epoch": "epoch", "spread": "max diff", "loss": "training loss",
           "means": "running mean update (max rel diff)",
           "variances": "batch variance in the running variance, n/(n-1) undone (max rel diff)",
           "raw": "the same, not undone"},
}


def _text(key: str) -> str:
    """In the language being written (see d2l._core.Localized)."""
    return TEXT[_core.language()][key]


@dataclass
class Report:
    rows: list           # of compare.Row, one per layer
    totals: dict[str, int]
    inputs: dict[tuple[str, str], float]      # max abs difference of the batch's pixels
    logits: dict[tuple[str, str], float]      # max abs difference
    weights: dict[tuple[str, str], float]     # max relative difference after one SGD step
    updates: dict[tuple[str, str], float]     # max relative difference of that step's update
    losses: dict[str, list[float]]            # per-epoch training loss (none if not compared)
    seconds: dict[str, float]
    network: Network = VGG
    scale: float = 0.0                        # the largest logit, for the scale of their differences
    # batch normalization after one step (none without it): per pair, the
    # largest relative difference of the running means' updates ("means"), of
    # the batch variances with PyTorch's n/(n-1) undone ("variances"), and
    # of those without undoing it ("raw"), see _running_differences
    running: dict[str, dict[tuple[str, str], float]] = dataclasses.field(default_factory=dict)

    @localized
    def layer_table(self):
        """The layers with output shapes and parameter counts per framework."""
        labels = [FRAMEWORK_LABELS[fw] for fw in FRAMEWORKS]
        rows = [[str(r.index), f"`{r.layer.describe()}`", " x ".join(map(str, r.layer.shape)),
                 *(f"{r.layers[fw].params:,}" for fw in FRAMEWORKS), "✓" if r.agree else "✗"]
                for r in self.rows]
        rows.append(["", f"**{_text('total')}**", "", *(f"**{self.totals[fw]:,}**" for fw in FRAMEWORKS),
                     "✓" if len(set(self.totals.values())) == 1 else "✗"])
        return markdown(["#", _text("layer"), _text("shape"),
                          *(f"{label} {_text('params')}" for label in labels), _text("agree")], rows)

    @localized
    def difference_table(self):
        """Pairwise largest differences of inputs, logits, updated weights and updates."""
        tables = (self.inputs, self.logits, self.weights, self.updates)
        rows = [[f"{FRAMEWORK_LABELS[a]} – {FRAMEWORK_LABELS[b]}", *(f"{t[a, b]:.1e}" for t in tables)]
                for a, b in pairs()]
        return markdown([_text(key) for key in ("pair", "inputs", "logits", "weights", "updates")], rows)

    @localized
    def running_table(self):
        """Batch normalization's running statistics after one step (see _running_differences)."""
        keys = ("means", "variances", "raw")
        rows = [[f"{FRAMEWORK_LABELS[a]} – {FRAMEWORK_LABELS[b]}", *(f"{self.running[k][a, b]:.1e}" for k in keys)]
                for a, b in pairs()]
        return markdown([_text("pair"), *(_text(k) for k in keys)], rows)

    @localized
    def loss_table(self):
        """Per-epoch training losses of the three frameworks and their spread."""
        rows = []
        for epoch, values in enumerate(zip(*(self.losses[fw] for fw in FRAMEWORKS)), 1):
            rows.append([str(epoch), *(f"{v:.6f}" for v in values), f"{max(values) - min(values):.1e}"])
        return markdown([_text("epoch"), *(FRAMEWORK_LABELS[fw] for fw in FRAMEWORKS), _text("spread")],
                         rows)

    @localized
    def loss_figure(self, xlabel: str | None = None, ylabel: str | None = None):
        """The three loss curves on one SVG plot, drawn by the book's Animator
        so that it looks like the chapter's training figures, with its alt text."""
        # Margins around the first and last epoch keep their markers whole.
        animator = _core.Animator(xlabel=xlabel or _text("epoch"), ylabel=ylabel or _text("loss"),
                                  legend=[FRAMEWORK_LABELS[fw] for fw in FRAMEWORKS],
                                  xlim=[0.8, self.network.epochs + 0.2], fmts=("o-", "s--", "^:"),
                                  xticks=range(1, self.network.epochs + 1))   # whole epochs only
        with _quiet():     # Animator redraws in a notebook on every add
            for epoch, values in enumerate(zip(*(self.losses[fw] for fw in FRAMEWORKS)), 1):
                animator.add(epoch, list(values))
        return _core.DescribedSVG(animator.svg(), animator.describe())


def summary_table(reports: list[Report]):
    """One line per network: its chapter, layers, parameters, and the largest
    differences of logits (relative to the largest logit) and updates."""
    def table():
        rows = []
        for r in reports:
            logits = max(r.logits.values())
            rows.append([r.network.title, f"`{r.network.key}.md`", str(len(r.rows)),
                         f"{r.totals[FRAMEWORKS[0]]:,}", f"{logits / r.scale:.1e}",
                         f"{max(r.updates.values()):.1e}", f"{sum(r.seconds.values()):.0f}"])
        return markdown([_text(k) for k in ("network", "chapter", "rows", "params", "logits_rel",
                                             "updates", "seconds")], rows)
    return _core.Localized(table)
