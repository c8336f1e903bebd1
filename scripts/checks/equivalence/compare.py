"""The comparison: build the nets of one network in every framework from its
chapter and compare them layer by layer (structure), then the logits for
one set of weights, one SGD step, and (networks with `epochs`) training;
`run` does them all and returns a Report."""
from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scripts.checks.equivalence.adapters import ADAPTERS, Framework, Param
from scripts.checks.equivalence.chapter import chapter_namespace
from scripts.checks.equivalence.layer import EquivalenceError, Layer, _Failure
from scripts.checks.equivalence.networks import (
    BATCH_SIZE, IMAGE, INPUT_TOL, LOGITS_TOL, LOSS_TOL, TEST_BATCHES, TRAIN_BATCHES, UPDATE_TOL, VAR_TOL,
    WEIGHTS_TOL, Network, _source, network_of, pairs)
from scripts.checks.equivalence.report import Report, _quiet
from scripts.environment.book import FRAMEWORK_LABELS, FRAMEWORKS

@dataclass
class Model:
    framework: Framework
    net: object
    layers: list[Layer] = dataclasses.field(default_factory=list)
    weighted: list[object] = dataclasses.field(default_factory=list)   # leaves with weights, in order
    dropouts: list[object] = dataclasses.field(default_factory=list)


@dataclass
class Row:
    index: int
    layers: dict[str, Layer | None]   # per framework; None where it has no such layer

    @property
    def agree(self) -> bool:
        return len(set(self.layers.values())) == 1

    @property
    def layer(self) -> Layer:
        return next(layer for layer in self.layers.values() if layer is not None)


def _fuse(pairs):
    """Merge an activation layer into the conv or dense layer before it, so
    that PyTorch's Conv2d + ReLU reads like MXNet's and Keras' Conv2D(activation=...),
    and a zero padding layer into the conv or pooling layer after it, so that
    Keras' ZeroPadding2D(3) + Conv2D reads like a Conv2D with padding 3."""
    pending = None
    for layer, leaf in _fold_padding(pairs):
        if (layer.kind == "activation" and pending and pending[0].kind in ("conv", "dense")
                and pending[0].activation is None):
            pending = (dataclasses.replace(pending[0], activation=layer.activation), pending[1])
            continue
        if pending:
            yield pending
        pending = (layer, leaf)
    if pending:
        yield pending


def _fold_padding(pairs):
    """Zero padding before a conv is the conv's own padding. Before a max
    pooling it is the same only for inputs >= 0 (a pooling's own padding
    never wins the max); the part's nets pool ReLU outputs there, and the
    logits check would see any difference."""
    held = None
    for layer, leaf in pairs:
        if held and layer.kind in ("conv", "maxpool", "avgpool") and layer.padding:
            layer = dataclasses.replace(layer, padding=tuple(
                (a + c, b + d) for (a, b), (c, d) in zip(held[0].padding, layer.padding)))
            held = None
        if held:
            yield held
            held = None
        if layer.kind == "zeropad":
            held = (layer, leaf)
            continue
        yield layer, leaf
    if held:
        yield held


def _layer_text(layer: Layer | None) -> str:
    if layer is None:
        return "no such layer"
    return f"{layer.describe()} -> {layer.shape}, {layer.params:,} parameters"


def _differences(layer: Layer, other: Layer) -> str:
    # The settings first: a wrong shape or count is their consequence.
    fields = sorted(dataclasses.fields(Layer), key=lambda f: f.name in ("shape", "params"))
    return "; ".join(f"{f.name} {getattr(layer, f.name)} instead of {getattr(other, f.name)}"
                     for f in fields if getattr(layer, f.name) != getattr(other, f.name))


def _mismatch(row: Row) -> str:
    """Name the framework that differs from the other two, or all three."""
    groups: dict[Layer | None, list[str]] = {}
    for fw, layer in row.layers.items():
        groups.setdefault(layer, []).append(FRAMEWORK_LABELS[fw])
    if len(groups) == len(row.layers):
        return f"layer {row.index} differs in every framework:" + "".join(
            f"\n  {names[0]}: {_layer_text(layer)}" for layer, names in groups.items())
    (odd, [odd_name]), (common, names) = sorted(groups.items(), key=lambda item: len(item[1]))
    others = " and ".join(names)
    message = (f"{odd_name} layer {row.index} differs from {others}:\n"
               f"  {odd_name}: {_layer_text(odd)}\n  {others}: {_layer_text(common)}")
    return message + (f"\n  {_differences(odd, common)}" if odd and common else "")


@contextlib.contextmanager
def in_chapter(network: Network):
    """Every EquivalenceError raised inside names the chapter first."""
    try:
        yield
    except EquivalenceError as err:
        if str(err).startswith(network.page):
            raise
        raise EquivalenceError(f"{network.page} ({network.title}): {err}") from None


def build(network: Network | str = "vgg", source: Path | str | None = None,
          text: str | None = None) -> tuple[list[Row], dict[str, Model]]:
    """Build the three nets from the network's chapter (`source`, by default
    the Korean one; `text`, if given, stands for its content) and compare
    them layer by layer; raise EquivalenceError, naming the chapter, the
    framework and the layer, at the first layer that differs."""
    network = network_of(network)
    source = _source(network, source)
    with in_chapter(network):
        return _build(network, source, text)


def _build(network, source, text):
    models, streams = {}, {}
    for fw in FRAMEWORKS:
        adapter = ADAPTERS[fw](chapter_namespace(fw, source, text, network), network)
        models[fw] = Model(adapter, adapter.build())
        streams[fw] = _fuse(adapter.walk(models[fw].net))
    rows = []
    for index in itertools.count():
        current = {}
        for fw, stream in streams.items():
            try:
                current[fw] = next(stream, None)
            except _Failure as err:
                raise EquivalenceError(f"{FRAMEWORK_LABELS[fw]}: the layer after layer {index - 1} "
                                       f"fails to run, {err}") from None
        if not any(current.values()):
            break
        row = Row(index, {fw: pair and pair[0] for fw, pair in current.items()})
        rows.append(row)
        if not row.agree:
            raise EquivalenceError(_mismatch(row))
        for fw, (layer, leaf) in current.items():
            model = models[fw]
            model.layers.append(layer)
            if layer.kind in ("conv", "dense", "batchnorm"):
                model.weighted.append(leaf)
            elif layer.kind == "dropout":
                model.dropouts.append(leaf)
    for fw, model in models.items():
        total = sum(layer.params for layer in model.layers)
        if total != network.total_params:
            raise EquivalenceError(f"{FRAMEWORK_LABELS[fw]}: {total:,} parameters in all, "
                                   f"the chapter counts {network.total_params:,}")
    return rows, models


def layers(network: Network | str, framework: str = "pytorch") -> list[Layer]:
    """One framework's net of `network`, built from its chapter, as leaf
    layers (what `build` compares, without comparing)."""
    network = network_of(network)
    with in_chapter(network):
        adapter = ADAPTERS[framework](chapter_namespace(framework, network.source, None, network), network)
        return [layer for layer, _ in _fuse(adapter.walk(adapter.build()))]


# -- weights and the numerical checks ------------------------------------------

def initial_params(layers: list[Layer], seed: int = 0, image: tuple[int, int, int] = IMAGE) -> list[Param]:
    """Glorot-uniform weights (as train_ch6 would draw) and small non-zero
    biases, so that a bias copied to the wrong place would show. A layer's
    input size comes from its parameter count (an Inception path's conv
    does not take the layer before it in the table as its input)."""
    rng = np.random.default_rng(seed)
    inputs = [image, *(layer.shape for layer in layers)]     # inputs[i]: the input of layer i in a chain
    params = []
    for index, layer in enumerate(layers):
        if layer.kind == "batchnorm":
            # gamma near 1, beta near 0; running statistics near those of the
            # layer's inputs, so that inference mode neither saturates nor
            # hides a mean or variance copied to the wrong place.
            c = layer.width
            gamma = 1 + (rng.random(c, np.float32) * 2 - 1) * np.float32(0.1)
            beta = (rng.random(c, np.float32) * 2 - 1) * np.float32(0.1)
            mean = (rng.random(c, np.float32) * 2 - 1) * np.float32(0.1)
            var = np.float32(0.5) + rng.random(c, np.float32)
            count = BATCH_SIZE * math.prod(layer.shape[1:])
            params.append(Param(index, gamma, beta, None, mean, var, count))
            continue
        if layer.kind not in ("conv", "dense"):
            continue
        fan_in = (layer.params - layer.width) // (layer.width * math.prod(layer.kernel or ()))
        shape = (layer.width, fan_in, *(layer.kernel or ()))
        receptive = math.prod(shape[2:])
        bound = math.sqrt(6 / ((shape[0] + shape[1]) * receptive))
        weight = (rng.random(shape, np.float32) * 2 - 1) * np.float32(bound)
        bias = (rng.random(shape[0], np.float32) * 2 - 1) * np.float32(0.01)
        image = None
        if layer.kind == "dense" and index and layers[index - 1].kind == "flatten":
            image = inputs[index - 1] if len(inputs[index - 1]) == 3 else None
        params.append(Param(index, weight, bias, image))
    return params


def load_params(model: Model, params: list[Param]):
    for leaf, param in zip(model.weighted, params):
        model.framework.set_param(leaf, param)


def read_params(model: Model, like: list[Param]) -> list[Param]:
    return [model.framework.get_param(leaf, p) for leaf, p in zip(model.weighted, like)]


@contextlib.contextmanager
def dropout_off(model: Model):
    """Dropout rate 0 while training, so that each framework's dropout is the
    identity; the chapter's rate is restored afterwards."""
    attr = model.framework.rate_attr
    saved = [getattr(leaf, attr) for leaf in model.dropouts]
    for leaf in model.dropouts:
        setattr(leaf, attr, 0.0)
    try:
        yield
    finally:
        for leaf, rate in zip(model.dropouts, saved):
            setattr(leaf, attr, rate)


@contextlib.contextmanager
def _training(model: Model):
    """How the check runs train_ch6: dropout off, no progress on the page,
    and no record in D2L_RESULTS_FILE, whose table is for the chapter's
    real training runs."""
    results = os.environ.pop("D2L_RESULTS_FILE", None)
    try:
        with dropout_off(model), _quiet():
            yield
    finally:
        if results is not None:
            os.environ["D2L_RESULTS_FILE"] = results


def _max_abs(arrays: dict[str, np.ndarray], what: str, tol: float) -> dict[tuple[str, str], float]:
    diffs = {}
    for a, b in pairs():
        if arrays[a].shape != arrays[b].shape:
            raise EquivalenceError(f"{what}: {FRAMEWORK_LABELS[a]} gives shape {arrays[a].shape}, "
                                   f"{FRAMEWORK_LABELS[b]} {arrays[b].shape}")
        diffs[a, b] = float(np.max(np.abs(arrays[a] - arrays[b])))
        if not diffs[a, b] <= tol:
            raise EquivalenceError(f"{what} of {FRAMEWORK_LABELS[a]} and {FRAMEWORK_LABELS[b]} "
                                   f"differ by up to {diffs[a, b]:.2e} (tolerance {tol:g})")
    return diffs


def _step_differences(before: list[Param], after: dict[str, list[Param]], layers: list[Layer],
                      tolerances: tuple[float, float] | None = None):
    """Per pair, the largest relative difference over the layers, each layer's
    weights and bias taken together, of the updated weights, ||a - b|| / ||b||,
    and of the update itself, ||a - b|| / ||b - before||. One step moves the
    weights little, so the first is small even for a wrong gradient; the
    second shows that the gradients agree."""
    weights_tol, update_tol = tolerances or (WEIGHTS_TOL, UPDATE_TOL)
    weights, updates = {}, {}
    for a, b in pairs():
        weights[a, b] = updates[a, b] = 0.0
        for start, pa, pb in zip(before, after[a], after[b]):
            x, y, x0 = (np.concatenate([p.weight.ravel(), p.bias.ravel()]) for p in (pa, pb, start))
            gap = np.linalg.norm(x - y)
            for table, what, d, tol in (
                    (weights, "updated weights", gap / np.linalg.norm(y), weights_tol),
                    (updates, "update (new minus old weights)", gap / np.linalg.norm(y - x0), update_tol)):
                if not d <= tol:
                    raise EquivalenceError(
                        f"after one SGD step, the {what} of layer {start.layer} "
                        f"({layers[start.layer].describe()}) differ between {FRAMEWORK_LABELS[a]} and "
                        f"{FRAMEWORK_LABELS[b]} by {d:.2e} relative (tolerance {tol:g})")
                table[a, b] = max(table[a, b], float(d))
    return weights, updates


def _running_differences(before: list[Param], after: dict[str, list[Param]], layers: list[Layer]):
    """Batch normalization's running statistics after one step in training
    mode, per pair the largest relative difference over the layers: of the
    running mean's update, ||a - b|| / ||b - before||; and of the batch
    variance each framework folded into its running variance, recovered as
    old + (new - old) / (1 - momentum) and, for a framework that takes the
    unbiased variance (PyTorch), multiplied by (n - 1) / n, n the values per
    channel in the batch. `raw` is the same difference without that factor."""
    frameworks = {fw: ADAPTERS[fw] for fw in FRAMEWORKS}
    means, variances, raw = {}, {}, {}
    for a, b in pairs():
        means[a, b] = variances[a, b] = raw[a, b] = 0.0
        for start, pa, pb in zip(before, after[a], after[b]):
            if start.mean is None:
                continue
            layer = layers[start.layer]
            batch = {fw: start.var + (p.var - start.var) / np.float32(1 - layer.momentum)
                     for fw, p in ((a, pa), (b, pb))}
            biased = {fw: v * ((start.count - 1) / start.count if frameworks[fw].unbiased_running_var else 1)
                      for fw, v in batch.items()}
            for table, what, d, tol in (
                    (means, "running mean's update", np.linalg.norm(pa.mean - pb.mean)
                     / np.linalg.norm(pb.mean - start.mean), UPDATE_TOL),
                    (variances, f"batch variance in the running variance (PyTorch's n/(n-1), "
                                f"n = {start.count:,}, undone)",
                     np.linalg.norm(biased[a] - biased[b]) / np.linalg.norm(biased[b]), VAR_TOL),
                    (raw, None, np.linalg.norm(batch[a] - batch[b]) / np.linalg.norm(batch[b]), math.inf)):
                if not d <= tol:
                    raise EquivalenceError(
                        f"after one SGD step, the {what} of layer {start.layer} ({layer.describe()}) "
                        f"differ between {FRAMEWORK_LABELS[a]} and {FRAMEWORK_LABELS[b]} by {d:.2e} "
                        f"relative (tolerance {tol:g})")
                table[a, b] = max(table[a, b], float(d))
    return {"means": means, "variances": variances, "raw": raw}



def run(network: Network | str = "vgg", source: Path | str | None = None) -> Report:
    """All the checks of one network (a key of NETWORKS, or its chapter's
    file, e.g. "nin.md", which is then the chapter read); raises
    EquivalenceError, naming the chapter, at the first disagreement."""
    if source is None and not isinstance(network, Network) and str(network).endswith(".md"):
        source = network
    network = network_of(network)
    with in_chapter(network):
        report = _run(network, _source(network, source))
    _leave(report)
    return report


def _leave(report: Report) -> None:
    """Pickle the report into D2L_REPORTS_DIR where the build sets it
    (scripts/pipeline/execute.py), so that the tests assert on what the
    appendix computed and showed instead of computing it again."""
    folder = os.environ.get("D2L_REPORTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        Path(folder, f"{report.network.key}.pickle").write_bytes(pickle.dumps(report))


def _run(network: Network, source) -> Report:
    seconds = dict.fromkeys(("structure", "logits", "step", "training"), 0.0)
    clock = time.perf_counter()

    def lap(phase):
        nonlocal clock
        now = time.perf_counter()
        seconds[phase] += now - clock
        clock = now

    rows, models = _build(network, source, None)
    lap("structure")
    layers = models[FRAMEWORKS[0]].layers
    params = initial_params(layers, image=network.image)
    images, outputs, updated, losses = {}, {}, {}, {}
    for fw in FRAMEWORKS:
        model = models.pop(fw)     # one framework at a time: the last one's net can go
        framework = model.framework
        train_iter, test_iter = framework.loaders()
        train = list(itertools.islice(train_iter, TRAIN_BATCHES if network.epochs else 1))
        images[fw] = framework.images(train[0][0])
        load_params(model, params)
        outputs[fw] = framework.logits(model.net, train[0][0])
        lap("logits")
        load_params(model, params)
        with _training(model):
            framework.train(model.net, train[:1], train[:1], 1)
        updated[fw] = read_params(model, params)
        lap("step")
        if network.epochs:
            test = list(itertools.islice(test_iter, TEST_BATCHES))
            load_params(model, params)
            with _training(model):
                losses[fw] = list(framework.train(model.net, train, test, network.epochs).epoch_losses)
            lap("training")
        del model, framework

    inputs = _max_abs(images, "the first batch's images", INPUT_TOL)
    logits = _max_abs(outputs, "the logits", LOGITS_TOL)
    first = outputs[FRAMEWORKS[0]]
    scale = float(np.max(np.abs(first)))
    if not np.ptp(first, axis=0).max() > 0:     # all-equal logits would prove nothing
        raise EquivalenceError(f"the logits are the same for every image ({scale:.1e}): "
                               "the comparison of logits shows nothing")
    weights, updates = _step_differences(params, updated, layers, network.step_tol)
    running = _running_differences(params, updated, layers) if any(p.mean is not None for p in params) else {}
    for epoch in range(network.epochs):
        for a, b in pairs():
            la, lb = losses[a][epoch], losses[b][epoch]
            if not abs(la - lb) <= LOSS_TOL:
                raise EquivalenceError(
                    f"epoch {epoch + 1}: training loss {la:.6f} in {FRAMEWORK_LABELS[a]}, "
                    f"{lb:.6f} in {FRAMEWORK_LABELS[b]} (tolerance {LOSS_TOL:g})")
    totals = {fw: sum(row.layers[fw].params for row in rows) for fw in FRAMEWORKS}
    return Report(rows, totals, inputs, logits, weights, updates, losses, seconds, network, scale, running)
