"""The network table: one row (`Network`) per network the check compares,
saying where its chapter is, which names it takes from the chapter's code,
how those build the net in each framework, its input, its parameter count as
the chapter counts it, and its learning rate; with the check's tolerances.
Adding a network is adding a row to NETWORKS.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from scripts.environment.book import FRAMEWORKS, source_path

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
    # more than their size (lr 0.05). Between frameworks the sums run in other
    # orders, MXNet's also by its thread count: with one and two threads the
    # updates differed by up to 7.1% (ResNet-18) and 3.6% (DenseNet); a
    # wrong gradient or a weight copied wrong is off by about 100%.
    step_tol: tuple[float, float] | None = None
    # The part (folder of the book) the chapter is in.
    part: str = "chapter_convolutional-modern"

    @property
    def page(self) -> str:
        return f"{self.part}/{self.key}"

    @property
    def source(self) -> Path:
        return source_path("ko", self.page)

    def expression(self, framework: str) -> str:
        return self.build.get(framework, self.build["*"])


# Everything the check knows about each network; the frameworks' adapters
# (adapters/) know nothing about any one of them.
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
            {"*": "net", "tensorflow": "net()"}, (1, 96, 96), 11_178_378, 0.05, step_tol=(0.15, 0.15)),
    Network("densenet", "DenseNet", ("conv_block", "DenseBlock", "transition_block", "net"),
            {"*": "net", "tensorflow": "net()"}, (1, 96, 96), 758_226, 0.1, step_tol=(0.15, 0.15)),
    Network("lenet", "LeNet", ("net",), {"*": "net", "tensorflow": "net()"},
            (1, 28, 28), 61_706, 0.9, part="chapter_convolutional-neural-networks"),
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


def pairs() -> list[tuple[str, str]]:
    """Every pair of frameworks, in tab order."""
    return list(itertools.combinations(FRAMEWORKS, 2))
