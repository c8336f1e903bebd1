"""Check that the MXNet, PyTorch and TensorFlow versions of each network of
the part (AlexNet, VGG-11, NiN, GoogLeNet) are one network.

The model code is not copied here: the names a network needs (`vgg_block`,
`vgg`, `small_conv_arch`; `nin_block`, `net`; `Inception`, `b1`...`b5`,
`net`) are executed straight from its chapter's source, so the check follows
every edit of the chapter. What the check knows about each network is one
entry of NETWORKS; what it knows about each framework is one adapter class
(MXNet, PyTorch, TensorFlow). The checks, each raising `EquivalenceError`
naming the chapter, the framework and (where there is one) the layer:

1. structure: the nets built for the chapter's input size and 10 classes,
   flattened into leaf layers and described framework-independently (a
   PyTorch `Conv2d` + `ReLU` is the same "conv + relu" as an MXNet `Conv2D`
   with `activation='relu'`; an MXNet `Dense` flattens its input itself; a
   Keras `ZeroPadding2D` is the next layer's padding; the three global
   average poolings are one; a block with a forward of its own, such as an
   Inception block, is its leaves in the order they run, then the
   concatenation of its paths), must have the same layers, output shapes
   (channels first) and parameter counts, and the chapter's total;
2. logits: with one set of weights copied into all three, the same real
   Fashion-MNIST batch must give the same logits (inference mode);
3. one SGD step: `d2l.train_ch6` for one step on that batch, at the
   chapter's learning rate, must leave the same weights, having made the
   same update;
4. training (networks with `epochs`, VGG-11 only: the same `train_ch6` serves
   all four): `d2l.train_ch6` for two epochs on a small real subset must give
   the same per-epoch losses.

Steps 3 and 4 run the chapter's own training loop, which switches the nets
to training mode, so dropout is disabled by setting its rate to 0 for the
duration (MXNet `Dropout._rate`, PyTorch `Dropout.p`, Keras `Dropout.rate`);
each framework's dropout is then the identity, as in inference mode.

Everything runs in float32 on the CPU. `run(network)` does them all and
returns a `Report` that a page can show.
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import itertools
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from d2l import _core
from scripts.environment.book import FRAMEWORK_LABELS, FRAMEWORKS, source_path
from scripts.pipeline.source import parse

@dataclass(frozen=True)
class Network:
    """One network of the part, as the check takes it from its chapter."""
    key: str                     # the chapter's file name, e.g. "nin"
    title: str
    names: tuple[str, ...]       # what the check takes from the chapter's model cells
    build: dict[str, str]        # an expression per framework ("*": the others) that builds it
    image: tuple[int, int, int]  # one example, channels first
    total_params: int            # as the chapter counts them
    lr: float                    # the chapter's learning rate
    epochs: int = 0              # of the training comparison (0: none)
    # The label of the section whose definitions count, where a chapter
    # defines a name twice (batch-norm's `net`: from scratch, then with the
    # built-in layers); the cells before it give only their imports and
    # set-up calls (`npx.set_np()`).
    start: str | None = None
    # Tolerances of one SGD step (updated weights, update) where they are not
    # WEIGHTS_TOL and UPDATE_TOL: in ResNet-18 (and DenseNet) the gradients of the early
    # layers pass through 17 (DenseNet: 21) batch normalizations, whose backward pass
    # subtracts means; PyTorch's own float32 and float64 gradients there
    # differ by 0.7-0.9%, and one step moves the first conv's weights by
    # more than their size (lr 0.05).
    step_tol: tuple[float, float] | None = None

    @property
    def page(self) -> str:
        return f"chapter_convolutional-modern/{self.key}"

    @property
    def source(self) -> Path:
        return source_path("ko", self.page)

    def expression(self, framework: str) -> str:
        return self.build.get(framework, self.build["*"])


# Everything the check knows about each network; the frameworks' adapters
# below know nothing about any one of them.
NETWORKS = {n.key: n for n in (
    Network("alexnet", "AlexNet", ("net",), {"*": "net", "tensorflow": "net()"},
            (1, 224, 224), 46_764_746, 0.01),
    Network("vgg", "VGG-11", ("vgg_block", "conv_arch", "vgg", "ratio", "small_conv_arch"),
            {"*": "vgg(small_conv_arch, num_classes=10)"}, (1, 224, 224), 43_093_322, 0.05,
            epochs=2),
    Network("nin", "NiN", ("nin_block", "net"), {"*": "net", "tensorflow": "net()"},
            (1, 224, 224), 1_992_166, 0.1),
    Network("googlenet", "GoogLeNet", ("Inception", "b1", "b2", "b3", "b4", "b5", "net"),
            {"*": "net", "tensorflow": "net()"}, (1, 96, 96), 5_977_530, 0.1),
    Network("batch-norm", "LeNet + batch normalization", ("net",), {"*": "net", "tensorflow": "net()"},
            (1, 28, 28), 44_878, 1.0, start="sec-batch-norm-concise"),
    Network("resnet", "ResNet-18", ("Residual", "resnet_block", "b1", "net"),
            {"*": "net", "tensorflow": "net()"}, (1, 96, 96), 11_178_378, 0.05, step_tol=(5e-2, 5e-2)),
    Network("densenet", "DenseNet", ("conv_block", "DenseBlock", "transition_block", "net"),
            {"*": "net", "tensorflow": "net()"}, (1, 96, 96), 758_226, 0.1, step_tol=(5e-2, 5e-2)),
)}
# Compatibility: the VGG chapter's constants, as before the table.
VGG = NETWORKS["vgg"]
SOURCE, NAMES, IMAGE, TOTAL_PARAMS, LR = VGG.source, VGG.names, VGG.image, VGG.total_params, VGG.lr
NUM_CLASSES = 10
BATCH_SIZE, TRAIN_BATCHES, TEST_BATCHES, EPOCHS = 32, 2, 1, VGG.epochs
LOGITS_TOL, WEIGHTS_TOL, LOSS_TOL = 1e-4, 1e-4, 1e-3
# A conv layer's gradient sums millions of float32 products, in an order
# that differs between frameworks: the update itself agrees to about 0.1%
# (as float32 and float64 do within one framework); a wrong gradient is off
# by 100%.
UPDATE_TOL = 1e-2
# The batch variance that one step folds into a running variance is an
# average over the batch, far more exact than a gradient; PyTorch's
# unbiased n/(n-1) would exceed this for n < 1,000 values per channel.
VAR_TOL = 1e-3
# Pixels are made by each framework's own loader (same resize matrix), so
# they may differ by float32 rounding; anything more is a different image.
INPUT_TOL = 1e-5


def network_of(network: "Network | str | Path") -> Network:
    """A Network from itself, its key ("nin") or its chapter's file ("nin.md")."""
    if isinstance(network, Network):
        return network
    key = Path(network).stem
    if key not in NETWORKS:
        raise KeyError(f"no network for {network!r}; the table has {', '.join(NETWORKS)}")
    return NETWORKS[key]


def _source(network: Network, source) -> Path | str:
    if source is not None:
        return source
    if isinstance(network, Network) or not str(network).endswith(".md"):
        return network_of(network).source
    return network


class EquivalenceError(AssertionError):
    """The frameworks disagree; the message names the chapter, the framework and the layer."""


class _Failure(Exception):
    """A layer of one framework's net cannot run on what comes before it."""


# -- describing layers ---------------------------------------------------------

@dataclass(frozen=True)
class Layer:
    """One leaf layer, described the same way in every framework."""
    kind: str                    # conv, maxpool, avgpool, global avgpool, zeropad, flatten,
                                 # dense, dropout, activation, batchnorm, concat, add, or the class name
                                 # of a layer (or block) the check does not know
    shape: tuple[int, ...]       # output shape of one example, channels first
    params: int
    kernel: tuple[int, ...] | None = None
    stride: tuple[int, ...] | None = None
    padding: tuple[tuple[int, int], ...] | None = None   # (before, after) per dimension
    width: int | None = None     # output channels or features; a concat's or add's number of paths
    activation: str | None = None
    rate: float | None = None
    epsilon: float | None = None   # batchnorm: added to the variance
    momentum: float | None = None  # batchnorm: the weight of the old running value
                                   # (MXNet's and Keras' momentum, 1 - PyTorch's)

    def describe(self) -> str:
        """E.g. `conv 3x3, stride 1, pad 1 + relu`; the width is in the shape."""
        parts = [self.kind]
        if self.kernel:
            parts[0] += " " + "x".join(map(str, self.kernel))
        if self.kind == "dense":
            parts[0] += f" {self.width}"
        if self.kind in ("concat", "add"):
            parts[0] += f" of {self.width} paths"
        if self.kind == "batchnorm":
            parts += [f"eps {self.epsilon:g}", f"momentum {self.momentum:g}"]
        if self.rate is not None:
            parts[0] += f" {self.rate:g}"
        if self.stride:
            parts.append(f"stride {_compact(self.stride)}")
        if self.padding and (self.kind == "conv" or any(map(any, self.padding))):
            pads = {p for pair in self.padding for p in pair}
            parts.append(f"pad {pads.pop()}" if len(pads) == 1 else f"pad {self.padding}")
        return ", ".join(parts) + (f" + {self.activation}" if self.activation else "")


def _compact(values) -> str:
    return str(values[0]) if len(set(values)) == 1 else "x".join(map(str, values))


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def _padding(padding, spatial, kernel, stride) -> tuple[tuple[int, int], ...]:
    """Explicit (before, after) pads from a number, a tuple or 'same'/'valid'."""
    if padding == "valid":
        return ((0, 0),) * len(kernel)
    if padding == "same":
        pads = []
        for n, k, s in zip(spatial, kernel, stride):
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads.append((total // 2, total - total // 2))
        return tuple(pads)
    return tuple((p, p) for p in _pair(padding))


# -- the chapter's code --------------------------------------------------------

def _defined(node) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _completes(node) -> set[str]:
    """Names a statement defines, or builds up in place (`net.add(...)`)."""
    if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute) and isinstance(node.value.func.value, ast.Name)):
        return {node.value.func.value.id}
    return _defined(node)


def _set_up(tree) -> bool:
    """A cell of imports and argument-free calls (`npx.set_np()`) only."""
    return bool(tree.body) and all(
        isinstance(node, (ast.Import, ast.ImportFrom))
        or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and not node.value.args and not node.value.keywords)
        for node in tree.body)


def _root(node) -> str | None:
    """`npx` of `npx.set_np`."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _chapter_text(source, text: str | None) -> str:
    return Path(source).read_text(encoding="utf-8") if text is None else text


def model_cells(framework: str, network: Network | str = "vgg", source: Path | str | None = None,
                text: str | None = None):
    """The chapter code the check runs for one framework: (source, tree) of
    each cell that defines the network's names, cut after its last statement
    that defines a wanted name or adds to it (`net.add(...)`), so the set-up
    before it (imports, `npx.set_np()`) runs and the demonstration after it
    (building a net and printing its shapes) does not; cells of imports alone
    run as they come. The first definition of each name counts (from the
    network's `start` section on, if it has one). Tree line
    numbers are the chapter's own. `text`, if given, stands for the content
    of `source`, by default the Korean chapter."""
    network = network_of(network)
    source = _source(network, source)
    text = _chapter_text(source, text)
    lines = text.splitlines()
    missing = set(network.names)
    start = lines.index(f"({network.start})=") if network.start else -1
    imported = set()
    for cell in parse(source, text).cells:
        if cell.kind != "code" or framework not in cell.frameworks or not missing:
            continue
        tree = ast.parse(cell.source)
        if cell.line < start:
            # imports, and argument-free calls on what they import (npx.set_np())
            tree.body = [node for node in tree.body if _set_up(ast.Module([node], []))
                         and (isinstance(node, (ast.Import, ast.ImportFrom)) or _root(node.value.func) in imported)]
            imported |= {(a.asname or a.name).split(".")[0] for node in tree.body
                         if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names}
            if not tree.body:
                continue
        elif not _set_up(tree):
            wanted = [i for i, node in enumerate(tree.body) if _completes(node) & missing]
            if not wanted:
                continue
            tree.body = tree.body[:wanted[-1] + 1]
        # cell.line is the fence; the code starts after any option lines.
        ast.increment_lineno(tree, lines.index(cell.source.splitlines()[0], cell.line))
        missing -= set().union(*map(_defined, tree.body))
        yield source, tree
    if missing:
        raise EquivalenceError(f"{FRAMEWORK_LABELS[framework]}: {source} defines no "
                               f"{', '.join(sorted(missing))} in its {framework} cells")


def chapter_namespace(framework: str, source: Path | str | None = None, text: str | None = None,
                      network: Network | str = "vgg") -> dict:
    """Execute, for one framework, the chapter code that defines the
    network's names (see `model_cells`); tracebacks point at the chapter's
    own lines."""
    network = network_of(network)
    namespace = {"__name__": f"{network.key}_{framework}"}
    for path, tree in model_cells(framework, network, source, text):
        exec(compile(tree, str(path), "exec"), namespace)
    return namespace


def code_read() -> list[str]:
    """All the chapter code this check runs, for the build's cache: the
    appendix executes again when this code changes, not when other cells of
    the chapters do."""
    return [ast.unparse(tree) for network in NETWORKS.values() for fw in FRAMEWORKS
            for _, tree in model_cells(fw, network)]


def change_code(framework: str, old: str, new: str, source: Path | str | None = None,
                network: Network | str | None = None) -> str:
    """The chapter's text with `old` replaced by `new` once, in the one code
    cell of `framework` alone that contains `old`: a deliberate bug for
    `build(network, source, text)` to catch. The chapter is `source`, or by
    default the Korean chapter of `network` (VGG if neither is given)."""
    source = _source(network or source or "vgg", source)
    text = _chapter_text(source, None)
    cells = [c for c in parse(source, text).cells
             if c.kind == "code" and c.frameworks == (framework,) and old in c.source]
    if len(cells) != 1 or text.count(cells[0].source) != 1:
        raise ValueError(f"{old!r} must be in exactly one {framework} code cell of {source}, "
                         f"found {len(cells)}")
    return text.replace(cells[0].source, cells[0].source.replace(old, new, 1))


# -- the frameworks ------------------------------------------------------------

@dataclass
class Param:
    """A conv or dense layer's weights in one layout for all: conv (out, in,
    kh, kw); dense (out, in) with inputs flattened channels first."""
    layer: int
    weight: np.ndarray
    bias: np.ndarray
    image: tuple[int, int, int] | None = None   # (C, H, W) a dense layer's input was flattened from
    mean: np.ndarray | None = None   # batchnorm (weight: gamma, bias: beta): running mean
    var: np.ndarray | None = None    # and running variance
    count: int = 0                   # batchnorm: values per channel in one batch of BATCH_SIZE


class Framework:
    """What the checks need from one framework; the chapter's code (in
    `namespace`) builds the net, `d2l` trains it. Nothing here is about one
    network: the table above says how each is built."""

    name: str
    rate_attr: str               # the attribute holding a dropout layer's rate
    # Whether batch normalization's running variance takes the batch's
    # unbiased variance (divided by n - 1, PyTorch) or the biased one that
    # normalizes the batch (divided by n: MXNet, Keras).
    unbiased_running_var = False

    def __init__(self, namespace: dict, network: Network | str = "vgg"):
        self.namespace, self.d2l = namespace, namespace["d2l"]
        self.network = network_of(network)

    def build(self):
        return eval(self.network.expression(self.name), self.namespace)

    def walk(self, net):
        """Yield (Layer, leaf) for each leaf layer, running a zero image
        through them one at a time, so that a wrong layer is reported before
        the layers after it allocate weights for a wrong shape. A block with
        a forward of its own (an Inception block) runs as a whole, its leaves
        described in the order they ran, then how their paths were joined."""
        x = self.zeros()
        for leaf in self.leaves(net):
            try:
                if self.sublayers(leaf):
                    events, y = self.trace(leaf, x)
                else:
                    y = self.call(leaf, x)
            except Exception as err:
                raise _Failure(f"{type(leaf).__name__} on input {self.shape(x)}: "
                               f"{type(err).__name__}: {err}") from err
            if self.sublayers(leaf):
                yield from self._block(leaf, events, y)
            else:
                for layer in self.describe(leaf, self.shape(x), self.shape(y)):
                    yield layer, leaf
            x = y

    def _block(self, block, events, y):
        """The leaves of `block` as they ran ((leaf or activation name,
        input, output) each, in order), then one row for how the block joins
        its paths: `concat` where the outputs no other leaf consumed lie
        side by side along the channels and make up the block's output."""
        consumed = {id(t) for _, x, _ in events for t in (x if isinstance(x, list) else [x])}
        ends, joined = [], False
        for what, x, out in events:
            if isinstance(what, Join):      # an addition or concatenation in forward
                layers, joined = [Layer(what.kind, self.shape(out), 0, width=len(x))], True
            elif isinstance(what, str):     # an activation function called in forward
                layers = [Layer("activation", self.shape(out), 0, activation=what)]
            else:
                layers = self.describe(what, self.shape(x), self.shape(out))
            for layer in layers:
                yield layer, what
            if id(out) not in consumed:
                ends.append(layers[-1].shape)
        out = self.shape(y)
        if joined:                          # the joins were recorded where they ran
            return
        if (len(ends) > 1 and all(len(e) == len(out) and e[1:] == out[1:] for e in ends)
                and sum(e[0] for e in ends) == out[0]):
            yield Layer("concat", out, 0, width=len(ends)), block
        else:
            yield Layer(type(block).__name__, out, 0), block

    @staticmethod
    def event(what, args, out):
        """A function a block's forward called outside its leaves, as an
        event: an activation function by name with its input, `+` and
        concatenation as a Join of their inputs."""
        if isinstance(what, Join):
            return what, list(args[0]) if what.kind == "concat" else list(args[:2]), out
        return what, args[0], out

    @staticmethod
    def leaf_hooks(events, depth):
        """Forward pre- and post-hooks (MXNet's and PyTorch's take the same
        arguments) that count how deep inside leaves the forward is and
        record each leaf's call as an event."""
        def enter(leaf, inputs):
            depth[0] += 1

        def leave(leaf, inputs, out):
            depth[0] -= 1
            events.append((leaf, inputs[0], out))

        return enter, leave

    @staticmethod
    @contextlib.contextmanager
    def recording(events, depth, functions):
        """While inside, the functions ({(owner, name): what}) that a
        block's forward calls outside its leaves (depth 0) are recorded as
        events (see `event`)."""
        saved = []

        def wrap(original, what):
            def recorded(*args, **kwargs):
                out = original(*args, **kwargs)
                if depth[0] == 0:
                    events.append(Framework.event(what, args, out))
                return out
            return recorded

        try:
            for (owner, name), what in functions.items():
                if not hasattr(owner, name):
                    continue
                original = getattr(owner, name)
                saved.append((owner, name, original))
                setattr(owner, name, wrap(original, what))
            yield
        finally:
            for owner, name, original in reversed(saved):
                setattr(owner, name, original)

    def loaders(self):
        return self.d2l.load_data_fashion_mnist(BATCH_SIZE, resize=self.network.image[1], shuffle=False)

    def train(self, net, train_iter, test_iter, num_epochs):
        """The chapter's training loop; returns its TrainResult."""
        return self.d2l.train_ch6(net, train_iter, test_iter, num_epochs, self.network.lr, self.cpu,
                                  init_weights=False)


@dataclass(frozen=True)
class Join:
    """How a block's forward joins paths: "add" (a residual connection) or
    "concat" (along the channels)."""
    kind: str


class MXNet(Framework):
    name, rate_attr = "mxnet", "_rate"

    def __init__(self, namespace, network="vgg"):
        super().__init__(namespace, network)
        import mxnet as mx

        self.mx, self.nn, self.cpu = mx, mx.gluon.nn, mx.cpu()

    def build(self):
        net = super().build()
        net.initialize(ctx=self.cpu)
        return net

    def leaves(self, block):
        if isinstance(block, (self.nn.Sequential, self.nn.HybridSequential)):
            for child in block:
                yield from self.leaves(child)
        else:
            yield block

    def sublayers(self, block):
        # Registered in creation order; MXNet 2 keeps weak references. A
        # Gluon layer is a leaf even where it has children (Conv2D's `act`);
        # a Sequential inside a block is a container.
        if _framework_class(block, "mxnet") and not isinstance(
                block, (self.nn.Sequential, self.nn.HybridSequential)):
            return []
        return [c() if not isinstance(c, self.mx.gluon.Block) else c for c in block._children.values()]

    def _leaf_blocks(self, block):
        children = self.sublayers(block)
        return [b for c in children for b in self._leaf_blocks(c)] if children else [block]

    def trace(self, block, x):
        events, depth, mx = [], [0], self.mx
        enter, leave = self.leaf_hooks(events, depth)
        handles = [h for leaf in self._leaf_blocks(block)
                   for h in (leaf.register_forward_pre_hook(enter), leaf.register_forward_hook(leave))]
        functions = {(mx.np.ndarray, "__add__"): Join("add"), (mx.np, "add"): Join("add"),
                     (mx.np, "concatenate"): Join("concat"), (mx.np, "concat"): Join("concat"),
                     (mx.npx, "relu"): "relu", (mx.npx, "sigmoid"): "sigmoid", (mx.np, "tanh"): "tanh"}
        try:
            with self.recording(events, depth, functions):
                y = block(x)
        finally:
            for handle in handles:
                handle.detach()
        return events, y

    def zeros(self):
        return self.mx.np.zeros((1, *self.network.image), ctx=self.cpu)

    def call(self, leaf, x):
        return leaf(x)

    def shape(self, x):
        return tuple(x.shape[1:])

    def describe(self, leaf, x_in, out):
        nn = self.nn
        params = sum(p.data().size for p in leaf.collect_params().values())
        act = leaf.act._act_type if getattr(leaf, "act", None) else None
        if isinstance(leaf, nn.BatchNorm):
            # Trained: gamma and beta; the running statistics are not counted.
            trained = sum(p.data().size for p in leaf.collect_params().values() if p.grad_req != "null")
            k = leaf._kwargs
            return [Layer("batchnorm", out, trained, width=out[0], epsilon=k["eps"],
                          momentum=round(k["momentum"], 12))]
        if isinstance(leaf, nn.Conv2D):
            k = leaf._kwargs
            return [Layer("conv", out, params, k["kernel"], k["stride"],
                          _padding(k["pad"], x_in[1:], k["kernel"], k["stride"]), leaf._channels, act)]
        if getattr(leaf, "_kwargs", {}).get("global_pool"):
            return [Layer(f"global {leaf._kwargs['pool_type']}pool", out, params)]
        if isinstance(leaf, (nn.MaxPool2D, nn.AvgPool2D)):
            k = leaf._kwargs
            return [Layer(k["pool_type"] + "pool", out, params, k["kernel"], k["stride"],
                          _padding(k["pad"], x_in[1:], k["kernel"], k["stride"]))]
        if isinstance(leaf, nn.Dense):
            # Dense(flatten=True), the default, flattens a multi-axis input itself.
            flat = [Layer("flatten", (math.prod(x_in),), 0)] if leaf._flatten and len(x_in) > 1 else []
            return flat + [Layer("dense", out, params, width=leaf._units, activation=act)]
        if isinstance(leaf, nn.Flatten):
            return [Layer("flatten", out, params)]
        if isinstance(leaf, nn.Dropout):
            return [Layer("dropout", out, params, rate=leaf._rate)]
        if isinstance(leaf, nn.Activation):
            return [Layer("activation", out, params, activation=leaf._act_type)]
        return [Layer(type(leaf).__name__, out, params)]

    def _arrays(self, leaf):
        if isinstance(leaf, self.nn.BatchNorm):
            return leaf.gamma, leaf.beta, leaf.running_mean, leaf.running_var
        return leaf.weight, leaf.bias

    def set_param(self, leaf, param):
        for p, value in zip(self._arrays(leaf), (param.weight, param.bias, param.mean, param.var)):
            p.set_data(self.mx.np.array(value, ctx=self.cpu))

    def get_param(self, leaf, like):
        values = [p.data().asnumpy() for p in self._arrays(leaf)]
        return dataclasses.replace(like, **dict(zip(("weight", "bias", "mean", "var"), values)))

    def images(self, X):
        return X.asnumpy()

    def logits(self, net, X):
        return net(X).asnumpy()        # outside autograd.record(): inference mode


class PyTorch(Framework):
    name, rate_attr = "pytorch", "p"
    unbiased_running_var = True

    def __init__(self, namespace, network="vgg"):
        super().__init__(namespace, network)
        import torch

        self.torch, self.nn, self.cpu = torch, torch.nn, torch.device("cpu")
        self.activations = {self.nn.ReLU: "relu", self.nn.Tanh: "tanh", self.nn.Sigmoid: "sigmoid"}
        F = torch.nn.functional
        # Activations a forward may call as functions (Inception's F.relu).
        self.functions = {F.relu: "relu", torch.relu: "relu", torch.Tensor.relu: "relu",
                          F.tanh: "tanh", torch.tanh: "tanh", torch.Tensor.tanh: "tanh",
                          F.sigmoid: "sigmoid", torch.sigmoid: "sigmoid", torch.Tensor.sigmoid: "sigmoid",
                          # and how it joins paths: ResNet's Y + X, DenseNet's torch.cat
                          torch.Tensor.add: Join("add"), torch.Tensor.__add__: Join("add"),
                          torch.add: Join("add"), torch.cat: Join("concat"), torch.concat: Join("concat")}

    def build(self):
        return super().build().eval()

    def leaves(self, module):
        if isinstance(module, self.nn.Sequential):
            for child in module:
                yield from self.leaves(child)
        else:
            yield module

    def sublayers(self, module):
        containers = (self.nn.Sequential, self.nn.ModuleList, self.nn.ModuleDict)
        if _framework_class(module, "torch") and not isinstance(module, containers):
            return []
        return list(module.children())   # in creation order

    def trace(self, block, x):
        """Module hooks give the leaves as they run; a TorchFunctionMode gives
        the activation functions called between them (not those inside a leaf)."""
        from torch.overrides import TorchFunctionMode

        events, depth, functions = [], [0], self.functions
        enter, leave = self.leaf_hooks(events, depth)

        class Activations(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                out = func(*args, **(kwargs or {}))
                if depth[0] == 0 and func in functions:
                    events.append(Framework.event(functions[func], args, out))
                return out

        leaves = [m for m in block.modules() if not self.sublayers(m)]
        handles = [h for m in leaves for h in (m.register_forward_pre_hook(enter),
                                                m.register_forward_hook(leave))]
        try:
            with self.torch.no_grad(), Activations():
                y = block(x)
        finally:
            for handle in handles:
                handle.remove()
        return events, y

    def zeros(self):
        return self.torch.zeros((1, *self.network.image))

    def call(self, leaf, x):
        with self.torch.no_grad():
            return leaf(x)

    def shape(self, x):
        return tuple(x.shape[1:])

    def describe(self, leaf, x_in, out):
        nn = self.nn
        params = sum(p.numel() for p in leaf.parameters())
        if isinstance(leaf, nn.modules.batchnorm._BatchNorm):
            # PyTorch's momentum is the weight of the new value; None: a cumulative average.
            momentum = None if leaf.momentum is None else round(1 - leaf.momentum, 12)
            return [Layer("batchnorm", out, params, width=out[0], epsilon=leaf.eps, momentum=momentum)]
        if isinstance(leaf, nn.Conv2d):
            return [Layer("conv", out, params, leaf.kernel_size, leaf.stride,
                          _padding(leaf.padding, x_in[1:], leaf.kernel_size, leaf.stride), leaf.out_channels)]
        if isinstance(leaf, (nn.MaxPool2d, nn.AvgPool2d)):
            kernel = _pair(leaf.kernel_size)
            stride = _pair(leaf.stride or leaf.kernel_size)
            kind = "maxpool" if isinstance(leaf, nn.MaxPool2d) else "avgpool"
            return [Layer(kind, out, params, kernel, stride, _padding(leaf.padding, x_in[1:], kernel, stride))]
        if isinstance(leaf, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
            kind = "avgpool" if isinstance(leaf, nn.AdaptiveAvgPool2d) else "maxpool"
            if _pair(leaf.output_size) == (1, 1):     # the mean (or max) of each whole channel
                return [Layer(f"global {kind}", out, params)]
            return [Layer(f"adaptive {kind}", out, params)]
        if isinstance(leaf, nn.ZeroPad2d):
            left, right, top, bottom = leaf.padding
            return [Layer("zeropad", out, params, padding=((top, bottom), (left, right)))]
        if isinstance(leaf, nn.Flatten):
            return [Layer("flatten", out, params)]
        if isinstance(leaf, nn.Linear):    # LazyLinear becomes a Linear once it has run
            return [Layer("dense", out, params, width=leaf.out_features)]
        if isinstance(leaf, nn.Dropout):
            return [Layer("dropout", out, params, rate=leaf.p)]
        if type(leaf) in self.activations:
            return [Layer("activation", out, params, activation=self.activations[type(leaf)])]
        return [Layer(type(leaf).__name__, out, params)]

    def _arrays(self, leaf):
        if isinstance(leaf, self.nn.modules.batchnorm._BatchNorm):
            return leaf.weight, leaf.bias, leaf.running_mean, leaf.running_var
        return leaf.weight, leaf.bias

    def set_param(self, leaf, param):
        with self.torch.no_grad():
            for p, value in zip(self._arrays(leaf), (param.weight, param.bias, param.mean, param.var)):
                p.copy_(self.torch.from_numpy(value))

    def get_param(self, leaf, like):
        values = [p.detach().numpy().copy() for p in self._arrays(leaf)]
        return dataclasses.replace(like, **dict(zip(("weight", "bias", "mean", "var"), values)))

    def images(self, X):
        return X.numpy()

    def logits(self, net, X):
        net.eval()
        with self.torch.no_grad():
            return net(X).numpy()


class TensorFlow(Framework):
    name, rate_attr = "tensorflow", "rate"
    cpu = "/CPU:0"

    def __init__(self, namespace, network="vgg"):
        super().__init__(namespace, network)
        import tensorflow as tf

        self.tf, self.layers = tf, tf.keras.layers

    def leaves(self, layer):
        if isinstance(layer, self.tf.keras.Sequential):
            for child in layer.layers:
                yield from self.leaves(child)
        else:
            yield layer

    def sublayers(self, layer):
        # Keras tracks a layer's sublayers in the order they were assigned;
        # a Sequential inside a block is a container.
        if _framework_class(layer, "keras") and not isinstance(layer, self.tf.keras.Sequential):
            return []
        return list(layer._flatten_layers(include_self=False, recursive=False))

    def trace(self, block, x):
        """Keras has no forward hooks: Layer.__call__ is wrapped for the
        duration and records the block's own leaves. The block runs once
        before, because Keras builds a subclassed model by running it."""
        leaves = {id(layer) for layer in block._flatten_layers(include_self=False, recursive=True)
                  if not self.sublayers(layer)}
        events, depth, base, tf = [], [0], self.layers.Layer, self.tf
        original = base.__call__

        def recording(layer, *args, **kwargs):
            if id(layer) not in leaves:
                return original(layer, *args, **kwargs)
            depth[0] += 1
            try:
                out = original(layer, *args, **kwargs)
            finally:
                depth[0] -= 1
            events.append((layer, args[0], out))
            return out

        functions = {(tf.Tensor, "__add__"): Join("add"), (tf, "add"): Join("add"), (tf.math, "add"): Join("add"),
                     (tf, "concat"): Join("concat"), (tf.nn, "relu"): "relu", (tf.nn, "sigmoid"): "sigmoid",
                     (tf.math, "sigmoid"): "sigmoid", (tf.nn, "tanh"): "tanh", (tf.math, "tanh"): "tanh"}
        with self.tf.device(self.cpu):
            block(x)
            base.__call__ = recording
            try:
                with self.recording(events, depth, functions):
                    y = block(x)
            finally:
                base.__call__ = original
        return events, y

    def zeros(self):
        with self.tf.device(self.cpu):
            c, h, w = self.network.image
            return self.tf.zeros((1, h, w, c))

    def call(self, leaf, x):
        with self.tf.device(self.cpu):
            return leaf(x)

    def shape(self, x):
        shape = tuple(x.shape[1:])
        return (shape[-1], *shape[:-1]) if len(shape) == 3 else shape   # NHWC -> CHW

    def _activation(self, leaf):
        name = leaf.activation.__name__
        return None if name == "linear" else name

    def describe(self, leaf, x_in, out):
        layers = self.layers
        params = leaf.count_params()
        if isinstance(leaf, layers.BatchNormalization):
            # count_params() counts the moving mean and variance too.
            trained = sum(int(np.prod(w.shape)) for w in leaf.trainable_weights)
            return [Layer("batchnorm", out, trained, width=out[0], epsilon=leaf.epsilon,
                          momentum=round(leaf.momentum, 12))]
        if isinstance(leaf, layers.Conv2D):
            return [Layer("conv", out, params, leaf.kernel_size, leaf.strides,
                          _padding(leaf.padding, x_in[1:], leaf.kernel_size, leaf.strides),
                          leaf.filters, self._activation(leaf))]
        if isinstance(leaf, (layers.MaxPooling2D, layers.AveragePooling2D)):
            kind = "maxpool" if isinstance(leaf, layers.MaxPooling2D) else "avgpool"
            return [Layer(kind, out, params, leaf.pool_size, leaf.strides,
                          _padding(leaf.padding, x_in[1:], leaf.pool_size, leaf.strides))]
        if isinstance(leaf, (layers.GlobalAveragePooling2D, layers.GlobalMaxPooling2D)):
            kind = "avgpool" if isinstance(leaf, layers.GlobalAveragePooling2D) else "maxpool"
            # keepdims=False drops the 1x1 the other frameworks keep until Flatten.
            return [Layer(f"global {kind}", out if len(out) == 3 else (*out, 1, 1), params)]
        if isinstance(leaf, layers.ZeroPadding2D):
            return [Layer("zeropad", out, params, padding=tuple(map(tuple, leaf.padding)))]
        if isinstance(leaf, layers.Flatten):
            return [Layer("flatten", out, params)]
        if isinstance(leaf, layers.Dense):
            return [Layer("dense", out, params, width=leaf.units, activation=self._activation(leaf))]
        if isinstance(leaf, layers.Dropout):
            return [Layer("dropout", out, params, rate=leaf.rate)]
        if isinstance(leaf, layers.Activation):
            return [Layer("activation", out, params, activation=self._activation(leaf))]
        if isinstance(leaf, layers.ReLU):
            return [Layer("activation", out, params, activation="relu")]
        return [Layer(type(leaf).__name__, out, params)]

    def set_param(self, leaf, param):
        if hasattr(leaf, "moving_variance"):           # BatchNormalization
            for v, value in zip((leaf.gamma, leaf.beta, leaf.moving_mean, leaf.moving_variance),
                                (param.weight, param.bias, param.mean, param.var)):
                v.assign(value)
            return
        w = param.weight
        if w.ndim == 4:
            kernel = w.transpose(2, 3, 1, 0)          # OIHW -> HWIO
        else:
            if param.image:                           # inputs (c, h, w) -> Keras' NHWC order (h, w, c)
                w = w.reshape(len(w), *param.image).transpose(0, 2, 3, 1).reshape(len(w), -1)
            kernel = w.T                              # (out, in) -> (in, out)
        leaf.kernel.assign(kernel)
        leaf.bias.assign(param.bias)

    def get_param(self, leaf, like):
        if hasattr(leaf, "moving_variance"):           # BatchNormalization
            values = [v.numpy() for v in (leaf.gamma, leaf.beta, leaf.moving_mean, leaf.moving_variance)]
            return dataclasses.replace(like, **dict(zip(("weight", "bias", "mean", "var"), values)))
        kernel = leaf.kernel.numpy()
        if kernel.ndim == 4:
            w = kernel.transpose(3, 2, 0, 1)          # HWIO -> OIHW
        else:
            w = kernel.T
            if like.image:
                c, h, width = like.image
                w = w.reshape(len(w), h, width, c).transpose(0, 3, 1, 2).reshape(len(w), -1)
        return dataclasses.replace(like, weight=np.ascontiguousarray(w), bias=leaf.bias.numpy())

    def images(self, X):
        return X.numpy().transpose(0, 3, 1, 2)

    def logits(self, net, X):
        with self.tf.device(self.cpu):
            return net(X, training=False).numpy()

    def train(self, net, train_iter, test_iter, num_epochs):
        # train_ch6 takes a function that makes the net; ours is already built.
        # Each call traces its training step anew, which TensorFlow warns
        # about from the fifth net on (four networks here, several calls each).
        logger = self.tf.get_logger()
        level = logger.level
        logger.setLevel("ERROR")
        try:
            super().train(lambda: net, train_iter, test_iter, num_epochs)
        finally:
            logger.setLevel(level)
        return self.d2l.last_result


def _framework_class(layer, package: str) -> bool:
    """A layer the framework defines (a leaf, whatever it holds), not one a
    chapter defines (a block whose forward joins its sublayers)."""
    return type(layer).__module__.split(".")[0] == package


ADAPTERS = {"mxnet": MXNet, "pytorch": PyTorch, "tensorflow": TensorFlow}


# -- structure -----------------------------------------------------------------

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
def _quiet():
    """Keep printed progress and figures drawn in a notebook off the page."""
    from IPython.utils.capture import capture_output

    with capture_output():
        yield


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


def _pairs():
    return list(itertools.combinations(FRAMEWORKS, 2))


def _max_abs(arrays: dict[str, np.ndarray], what: str, tol: float) -> dict[tuple[str, str], float]:
    diffs = {}
    for a, b in _pairs():
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
    for a, b in _pairs():
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
    for a, b in _pairs():
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


# -- the report ----------------------------------------------------------------

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


def _localized(method):
    """The method's table or figure in each edition's language at once (see
    d2l._core.Localized): the build executes this page once for both."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        return _core.Localized(lambda: method(self, *args, **kwargs))
    return wrapper


def _markdown(header: list[str], rows: list[list[str]]):
    from IPython.display import Markdown

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return Markdown("\n".join(lines))


@dataclass
class Report:
    rows: list[Row]
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

    @_localized
    def layer_table(self):
        """The layers with output shapes and parameter counts per framework."""
        labels = [FRAMEWORK_LABELS[fw] for fw in FRAMEWORKS]
        rows = [[str(r.index), f"`{r.layer.describe()}`", " x ".join(map(str, r.layer.shape)),
                 *(f"{r.layers[fw].params:,}" for fw in FRAMEWORKS), "✓" if r.agree else "✗"]
                for r in self.rows]
        rows.append(["", f"**{_text('total')}**", "", *(f"**{self.totals[fw]:,}**" for fw in FRAMEWORKS),
                     "✓" if len(set(self.totals.values())) == 1 else "✗"])
        return _markdown(["#", _text("layer"), _text("shape"),
                          *(f"{label} {_text('params')}" for label in labels), _text("agree")], rows)

    @_localized
    def difference_table(self):
        """Pairwise largest differences of inputs, logits, updated weights and updates."""
        tables = (self.inputs, self.logits, self.weights, self.updates)
        rows = [[f"{FRAMEWORK_LABELS[a]} – {FRAMEWORK_LABELS[b]}", *(f"{t[a, b]:.1e}" for t in tables)]
                for a, b in _pairs()]
        return _markdown([_text(key) for key in ("pair", "inputs", "logits", "weights", "updates")], rows)

    @_localized
    def running_table(self):
        """Batch normalization's running statistics after one step (see _running_differences)."""
        keys = ("means", "variances", "raw")
        rows = [[f"{FRAMEWORK_LABELS[a]} – {FRAMEWORK_LABELS[b]}", *(f"{self.running[k][a, b]:.1e}" for k in keys)]
                for a, b in _pairs()]
        return _markdown([_text("pair"), *(_text(k) for k in keys)], rows)

    @_localized
    def loss_table(self):
        """Per-epoch training losses of the three frameworks and their spread."""
        rows = []
        for epoch, values in enumerate(zip(*(self.losses[fw] for fw in FRAMEWORKS)), 1):
            rows.append([str(epoch), *(f"{v:.6f}" for v in values), f"{max(values) - min(values):.1e}"])
        return _markdown([_text("epoch"), *(FRAMEWORK_LABELS[fw] for fw in FRAMEWORKS), _text("spread")],
                         rows)

    @_localized
    def loss_figure(self, xlabel: str | None = None, ylabel: str | None = None):
        """The three loss curves on one SVG plot, drawn by the book's Animator
        so that it looks like the chapter's training figures."""
        from IPython.display import SVG

        # Margins around the first and last epoch keep their markers whole.
        animator = _core.Animator(xlabel=xlabel or _text("epoch"), ylabel=ylabel or _text("loss"),
                                  legend=[FRAMEWORK_LABELS[fw] for fw in FRAMEWORKS],
                                  xlim=[0.8, self.network.epochs + 0.2], fmts=("o-", "s--", "^:"),
                                  xticks=range(1, self.network.epochs + 1))   # whole epochs only
        with _quiet():     # Animator redraws in a notebook on every add
            for epoch, values in enumerate(zip(*(self.losses[fw] for fw in FRAMEWORKS)), 1):
                animator.add(epoch, list(values))
        return SVG(animator.svg())


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
        return _markdown([_text(k) for k in ("network", "chapter", "rows", "params", "logits_rel",
                                             "updates", "seconds")], rows)
    return _core.Localized(table)


def run(network: Network | str = "vgg", source: Path | str | None = None) -> Report:
    """All the checks of one network (a key of NETWORKS, or its chapter's
    file, e.g. "nin.md", which is then the chapter read); raises
    EquivalenceError, naming the chapter, at the first disagreement."""
    if source is None and not isinstance(network, Network) and str(network).endswith(".md"):
        source = network
    network = network_of(network)
    with in_chapter(network):
        return _run(network, _source(network, source))


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
        for a, b in _pairs():
            la, lb = losses[a][epoch], losses[b][epoch]
            if not abs(la - lb) <= LOSS_TOL:
                raise EquivalenceError(
                    f"epoch {epoch + 1}: training loss {la:.6f} in {FRAMEWORK_LABELS[a]}, "
                    f"{lb:.6f} in {FRAMEWORK_LABELS[b]} (tolerance {LOSS_TOL:g})")
    totals = {fw: sum(row.layers[fw].params for row in rows) for fw in FRAMEWORKS}
    return Report(rows, totals, inputs, logits, weights, updates, losses, seconds, network, scale, running)
