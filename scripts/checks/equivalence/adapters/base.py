"""What the checks need from a framework (`Framework`, each adapter a
subclass), and the framework-independent weights (`Param`) they copy in and
read back."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from scripts.checks.equivalence.layer import Layer, _Failure
from scripts.checks.equivalence.networks import BATCH_SIZE, Network, network_of


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


def _framework_class(layer, package: str) -> bool:
    """A layer the framework defines (a leaf, whatever it holds), not one a
    chapter defines (a block whose forward joins its sublayers)."""
    return type(layer).__module__.split(".")[0] == package
