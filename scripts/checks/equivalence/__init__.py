"""Check that the MXNet, PyTorch and TensorFlow versions of each network of
the part (AlexNet, VGG-11, NiN, GoogLeNet) are one network.

The model code is not copied here: the names a network needs (`vgg_block`,
`vgg`, `small_conv_arch`; `nin_block`, `net`; `Inception`, `b1`...`b5`,
`net`) are executed straight from its chapter's source, so the check follows
every edit of the chapter. What the check knows about each network is one
row of NETWORKS (networks.py); what it knows about each framework is one
adapter class (adapters/: MXNet, PyTorch, TensorFlow, registered in
ADAPTERS). The checks, each raising `EquivalenceError`
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

The package: `networks` (the table, tolerances), `layer` (the common layer
description), `chapter` (reading the chapter's code), `adapters/` (one per
framework), `compare` (the checks), `report` (tables and figures). This
module re-exports what the book's pages and the tests use.
"""
from scripts.checks.equivalence.adapters import ADAPTERS, Framework, Join, MXNet, Param, PyTorch, TensorFlow
from scripts.checks.equivalence.chapter import chapter_namespace, change_code, code_read, model_cells
from scripts.checks.equivalence.compare import (
    Model, Row, build, dropout_off, in_chapter, initial_params, layers, load_params, read_params, run)
from scripts.checks.equivalence.layer import EquivalenceError, Layer
from scripts.checks.equivalence.networks import (
    BATCH_SIZE, EPOCHS, IMAGE, INPUT_TOL, LOGITS_TOL, LOSS_TOL, LR, NAMES, NETWORKS, NUM_CLASSES, SOURCE,
    TEST_BATCHES, TOTAL_PARAMS, TRAIN_BATCHES, UPDATE_TOL, VAR_TOL, VGG, WEIGHTS_TOL, Network, network_of,
    pairs)
from scripts.checks.equivalence.report import TEXT, Report, summary_table

__all__ = [
    "ADAPTERS", "BATCH_SIZE", "EPOCHS", "EquivalenceError", "Framework", "IMAGE", "INPUT_TOL", "Join",
    "LOGITS_TOL", "LOSS_TOL", "LR", "Layer", "MXNet", "Model", "NAMES", "NETWORKS", "NUM_CLASSES", "Network",
    "Param", "PyTorch", "Report", "Row", "SOURCE", "TEST_BATCHES", "TEXT", "TOTAL_PARAMS", "TRAIN_BATCHES",
    "TensorFlow", "UPDATE_TOL", "VAR_TOL", "VGG", "WEIGHTS_TOL", "build", "change_code", "chapter_namespace",
    "code_read", "dropout_off", "in_chapter", "initial_params", "layers", "load_params", "model_cells", "network_of",
    "pairs", "read_params", "run", "summary_table",
]
