"""Each network of the table (the modern part's AlexNet, VGG-11, NiN,
GoogLeNet, LeNet with batch normalization, ResNet-18, DenseNet; the
convolution part's LeNet) is one network
in MXNet, PyTorch and TensorFlow (scripts/checks/equivalence/), and a small change
to one framework's model code in any chapter is caught, naming the chapter,
the framework and the layer. The reports are those the appendix computed
when the book executed; the tests read them rather than run the checks
again."""
import math
import pickle
from types import SimpleNamespace

import numpy as np
import pytest

from d2l import _core
from scripts.checks import equivalence
from scripts.environment import book
from scripts.environment.book import FRAMEWORK_LABELS, FRAMEWORKS
from scripts.pipeline.split import ALL

# MXNet 1.9's own deprecation warnings (NumPy, distutils) are not this check's.
pytestmark = pytest.mark.filterwarnings(r"ignore::DeprecationWarning:mxnet(\..*)?")

CONV = "conv 3x3, stride 1, pad 1 + relu"
POOL = "maxpool 2x2, stride 2"
# VGG-11 as Simonyan and Zisserman define it, with the chapter's dense part.
VGG11 = [CONV, POOL, CONV, POOL, CONV, CONV, POOL, CONV, CONV, POOL, CONV, CONV, POOL,
         "flatten", "dense 4096 + relu", "dropout 0.5", "dense 4096 + relu", "dropout 0.5", "dense 10"]


# Per network: rows of the table, conv layers, dense layers, concatenations,
# additions, batch normalizations.
SHAPES = {"alexnet": (14, 5, 3, 0, 0, 0), "vgg": (19, 8, 3, 0, 0, 0), "nin": (18, 12, 0, 0, 0, 0),
          "googlenet": (82, 57, 1, 9, 0, 0), "batch-norm": (16, 2, 3, 0, 0, 4),
          "resnet": (66, 20, 1, 0, 8, 17), "densenet": (85, 20, 1, 16, 0, 21),
          "lenet": (8, 2, 3, 0, 0, 0)}
BATCH_NORM = {"batch-norm", "resnet", "densenet"}
APPENDIX = "chapter_convolutional-modern/vgg-equivalence"


@pytest.fixture(scope="module")
def reports(executed_book):
    """The report of every network, as the appendix computed and showed it
    when the book executed (book.reports_dir): the checks run once."""
    folder = book.reports_dir(book.executed_path("quick", APPENDIX, ALL))
    found = {path.stem: path for path in folder.glob("*.pickle")}
    assert set(found) == set(equivalence.NETWORKS), f"{book.shown(folder)}: reports of {sorted(found)}"
    return {key: pickle.loads(path.read_bytes()) for key, path in found.items()}


@pytest.fixture(scope="module")
def report(reports):
    return reports["vgg"]


@pytest.fixture(params=list(equivalence.NETWORKS))
def any_report(request, reports):
    return reports[request.param]


def test_every_network_of_the_part_is_in_the_table():
    assert list(equivalence.NETWORKS) == ["alexnet", "vgg", "nin", "googlenet", "batch-norm", "resnet", "densenet",
                                          "lenet"]
    for network in equivalence.NETWORKS.values():
        assert network.source.is_file()
    assert {n.part for n in equivalence.NETWORKS.values()} == {
        "chapter_convolutional-modern", "chapter_convolutional-neural-networks"}
    assert equivalence.NETWORKS["lenet"].page == "chapter_convolutional-neural-networks/lenet"


def test_lenet_of_the_convolution_part_is_one_network():
    """LeNet's layers as its chapter draws them (sigmoid, average pooling)."""
    rows, _ = equivalence.build("lenet")
    assert [r.layer.describe() for r in rows] == [
        "conv 5x5, stride 1, pad 2 + sigmoid", "avgpool 2x2, stride 2", "conv 5x5, stride 1, pad 0 + sigmoid",
        "avgpool 2x2, stride 2", "flatten", "dense 120 + sigmoid", "dense 84 + sigmoid", "dense 10"]
    assert [r.layer.params for r in rows] == [156, 0, 2416, 0, 0, 48120, 10164, 850]
    assert sum(r.layer.params for r in rows) == equivalence.NETWORKS["lenet"].total_params == 61_706


def test_each_network_is_the_same_in_every_framework(any_report):
    network = any_report.network
    rows, *counts = SHAPES[network.key]
    assert len(any_report.rows) == rows and all(row.agree for row in any_report.rows)
    kinds = [row.layer.kind for row in any_report.rows]
    assert [kinds.count(k) for k in ("conv", "dense", "concat", "add", "batchnorm")] == counts
    assert any_report.rows[-1].layer.shape == (10,)
    assert any_report.totals == dict.fromkeys(FRAMEWORKS, network.total_params)
    assert max(any_report.inputs.values()) <= equivalence.INPUT_TOL
    assert max(any_report.logits.values()) <= equivalence.LOGITS_TOL
    assert any_report.scale > 0
    weights_tol, update_tol = network.step_tol or (equivalence.WEIGHTS_TOL, equivalence.UPDATE_TOL)
    assert max(any_report.weights.values()) <= weights_tol
    assert max(any_report.updates.values()) <= update_tol
    assert bool(any_report.losses) == bool(network.epochs)
    assert bool(any_report.running) == (network.key in BATCH_NORM)


@pytest.mark.parametrize("key", sorted(BATCH_NORM))
def test_batch_normalization_is_the_same_in_every_framework(reports, key):
    """The chapters set Keras' epsilon and momentum to MXNet's and PyTorch's
    defaults (1e-5; 0.9 as the weight of the old running value); after one
    step the running means agree, and the running variances once PyTorch's
    unbiased n/(n-1) is undone, which does show without undoing it."""
    any_report = reports[key]
    norms = [row.layer for row in any_report.rows if row.layer.kind == "batchnorm"]
    assert {(layer.epsilon, layer.momentum) for layer in norms} == {(1e-5, 0.9)}
    assert all(layer.params == 2 * layer.width for layer in norms)     # gamma and beta
    running = any_report.running
    assert max(running["means"].values()) <= equivalence.UPDATE_TOL
    assert max(running["variances"].values()) <= equivalence.VAR_TOL
    for pair, raw in running["raw"].items():
        if "pytorch" in pair:
            assert raw > 10 * running["variances"][pair]
        else:
            assert raw == running["variances"][pair]


def test_residual_additions_and_dense_concatenations():
    resnet, _ = equivalence.build("resnet")
    block = [r.layer.describe() for r in resnet[18:26]]
    assert block == ["conv 3x3, stride 2, pad 1", "batchnorm, eps 1e-05, momentum 0.9", "activation + relu",
                     "conv 3x3, stride 1, pad 1", "batchnorm, eps 1e-05, momentum 0.9",
                     "conv 1x1, stride 2, pad 0", "add of 2 paths", "activation + relu"]
    assert resnet[24].layer.shape == (128, 12, 12)
    densenet, _ = equivalence.build("densenet")
    assert [r.layer.describe() for r in densenet[4:8]] == [
        "batchnorm, eps 1e-05, momentum 0.9", "activation + relu", "conv 3x3, stride 1, pad 1", "concat of 2 paths"]
    assert [densenet[i].layer.shape[0] for i in (7, 11, 15, 19)] == [96, 128, 160, 192]


def test_global_pooling_and_inception_paths():
    """NiN's and GoogLeNet's global average pooling reads the same in all
    three (Keras' keepdims=False drops the 1x1); an Inception block is its
    four paths in the order they run, then their concatenation."""
    nin, _ = equivalence.build("nin")
    assert [r.layer.describe() for r in nin[-2:]] == ["global avgpool", "flatten"]
    assert nin[-2].layer.shape == (10, 1, 1)
    googlenet, _ = equivalence.build("googlenet")
    block = [r.layer.describe() for r in googlenet[5:13]]
    assert block == ["conv 1x1, stride 1, pad 0 + relu", "conv 1x1, stride 1, pad 0 + relu",
                     "conv 3x3, stride 1, pad 1 + relu", "conv 1x1, stride 1, pad 0 + relu",
                     "conv 5x5, stride 1, pad 2 + relu", "maxpool 3x3, stride 1, pad 1",
                     "conv 1x1, stride 1, pad 0 + relu", "concat of 4 paths"]
    assert googlenet[12].layer.shape == (64 + 128 + 32 + 32, 12, 12)
    # Keras' ZeroPadding2D(3) + Conv2D(7, strides=2) is the others' padding 3.
    assert googlenet[0].layer.describe() == "conv 7x7, stride 2, pad 3 + relu"


def test_same_layers_shapes_and_parameters(report):
    assert [row.layer.describe() for row in report.rows] == VGG11
    assert all(row.agree for row in report.rows)
    shapes = [row.layer.shape for row in report.rows]
    assert shapes[0] == (16, 224, 224) and shapes[12] == (128, 7, 7) and shapes[13] == (6272,)
    assert report.rows[14].layer.params == 6272 * 4096 + 4096
    assert report.totals == dict.fromkeys(FRAMEWORKS, equivalence.TOTAL_PARAMS)


def test_same_logits_for_the_same_images(report):
    assert set(report.inputs) == set(report.logits) == {
        ("mxnet", "pytorch"), ("mxnet", "tensorflow"), ("pytorch", "tensorflow")}
    assert max(report.inputs.values()) <= equivalence.INPUT_TOL
    assert max(report.logits.values()) <= equivalence.LOGITS_TOL


def test_same_weights_and_update_after_one_sgd_step(report):
    assert max(report.weights.values()) <= equivalence.WEIGHTS_TOL
    assert max(report.updates.values()) <= equivalence.UPDATE_TOL


def test_same_losses_in_the_chapters_training_loop(report):
    for fw in FRAMEWORKS:
        losses = report.losses[fw]
        assert len(losses) == equivalence.EPOCHS and all(map(math.isfinite, losses))
        assert losses[1] < losses[0]    # it trained: the same weights at the start are no proof
    for epoch in range(equivalence.EPOCHS):
        values = [report.losses[fw][epoch] for fw in FRAMEWORKS]
        assert max(values) - min(values) <= equivalence.LOSS_TOL


def _shown(localized, lang, mime):
    """What one edition shows of a Localized table or figure."""
    return localized.outputs()[lang]["data"][mime]


def test_tables_and_figure_follow_the_edition(report, monkeypatch):
    monkeypatch.setenv("D2L_LANG", "zh")
    table = _shown(report.layer_table(), "zh", "text/markdown").splitlines()
    assert "层" in table[0] and len(table) == 2 + len(VGG11) + 1
    assert "43,093,322" in table[-1]
    assert "更新一步后的权重" in _shown(report.difference_table(), "zh", "text/markdown")
    monkeypatch.setenv("D2L_LANG", "ko")
    assert _shown(report.loss_table(), "ko", "text/markdown").count("\n") == 1 + equivalence.EPOCHS
    svg = _shown(report.loss_figure(), "ko", "image/svg+xml")
    assert "에포크" in svg and all(label in svg for label in ("MXNet", "PyTorch", "TensorFlow"))


def test_one_execution_holds_every_edition(report, monkeypatch):
    """The build runs the appendix once for both editions (D2L_LANG=ko,zh)."""
    monkeypatch.setenv("D2L_LANG", "ko,zh")
    bundle = report.layer_table()._repr_mimebundle_()
    editions = bundle[_core.LOCALIZED_MIME]
    assert set(editions) == {"ko", "zh"}
    assert "층" in editions["ko"]["data"]["text/markdown"]
    assert "层" in editions["zh"]["data"]["text/markdown"]
    figures = report.loss_figure().outputs()
    assert "에포크" in figures["ko"]["data"]["image/svg+xml"]
    assert "迭代周期" in figures["zh"]["data"]["image/svg+xml"]


@pytest.mark.parametrize("network, framework, old, new, index, layer, what", [
    ("vgg", "pytorch", "kernel_size=3", "kernel_size=5", 0, "conv 5x5, stride 1, pad 1 + relu",
     "kernel (5, 5) instead of (3, 3)"),
    ("vgg", "mxnet", "strides=2", "strides=1", 1, "maxpool 2x2, stride 1", "stride (1, 1) instead of (2, 2)"),
    ("vgg", "tensorflow", "activation='relu'))", "activation='tanh'))", 0, "conv 3x3, stride 1, pad 1 + tanh",
     "activation tanh instead of relu"),
    ("vgg", "pytorch", "nn.Dropout(0.5)", "nn.Dropout(0.4)", 15, "dropout 0.4", "rate 0.4 instead of 0.5"),
    ("alexnet", "tensorflow", "strides=4,", "strides=2,", 0, "conv 11x11, stride 2, pad 0 + relu",
     "stride (2, 2) instead of (4, 4)"),
    ("alexnet", "mxnet", "nn.Conv2D(384, kernel_size=3", "nn.Conv2D(256, kernel_size=3", 4,
     "conv 3x3, stride 1, pad 1 + relu", "width 256 instead of 384"),
    ("nin", "mxnet", "kernel_size=1,", "kernel_size=3,", 1, "conv 3x3, stride 1, pad 0 + relu",
     "kernel (3, 3) instead of (1, 1)"),
    ("nin", "pytorch", "nn.AdaptiveAvgPool2d((1, 1))", "nn.AdaptiveMaxPool2d((1, 1))", 16, "global maxpool",
     "kind global maxpool instead of global avgpool"),
    ("googlenet", "pytorch", "p4 = F.relu(self.p4_2(self.p4_1(x)))", "p4 = self.p4_2(self.p4_1(x))", 11,
     "conv 1x1, stride 1, pad 0", "activation None instead of relu"),
    ("googlenet", "tensorflow", "Conv2D(c3[1], 5,", "Conv2D(c3[1], 3,", 9, "conv 3x3, stride 1, pad 1 + relu",
     "kernel (3, 3) instead of (5, 5)"),
    ("googlenet", "mxnet", "Inception(112, (144, 288)", "Inception(112, (144, 256)", 48,
     "conv 3x3, stride 1, pad 1 + relu", "width 256 instead of 288"),
    ("batch-norm", "tensorflow", "Conv2D(6, kernel_size=5),\n        tf.keras.layers.BatchNormalization(epsilon=1e-5",
     "Conv2D(6, kernel_size=5),\n        tf.keras.layers.BatchNormalization(epsilon=1e-3", 1,
     "batchnorm, eps 0.001, momentum 0.9", "epsilon 0.001 instead of 1e-05"),
    ("batch-norm", "pytorch", "nn.BatchNorm2d(16)", "nn.BatchNorm2d(16, momentum=0.01)", 5,
     "batchnorm, eps 1e-05, momentum 0.99", "momentum 0.99 instead of 0.9"),
    ("batch-norm", "mxnet", "nn.Dense(84), nn.BatchNorm()", "nn.Dense(64), nn.BatchNorm()", 12,
     "dense 64", "width 64 instead of 84"),
    ("resnet", "tensorflow", "self.bn1 = tf.keras.layers.BatchNormalization(epsilon=1e-5,",
     "self.bn1 = tf.keras.layers.BatchNormalization(epsilon=1e-3,", 5,
     "batchnorm, eps 0.001, momentum 0.9", "epsilon 0.001 instead of 1e-05"),
    ("resnet", "mxnet", "Residual(num_channels, use_1x1conv=True, strides=2)",
     "Residual(num_channels, use_1x1conv=True, strides=1)", 18, "conv 3x3, stride 1, pad 1",
     "stride (1, 1) instead of (2, 2)"),
    ("resnet", "pytorch", "return F.relu(Y + X)", "return F.relu(Y)", 9, "activation + relu",
     "kind activation instead of add"),
    ("densenet", "tensorflow", "momentum=0.9),\n        tf.keras.layers.ReLU(),\n        tf.keras.layers.Conv2D(num_channels, 1)",
     "momentum=0.99),\n        tf.keras.layers.ReLU(),\n        tf.keras.layers.Conv2D(num_channels, 1)", 20,
     "batchnorm, eps 1e-05, momentum 0.99", "momentum 0.99 instead of 0.9"),
    ("densenet", "mxnet", "nn.AvgPool2D(pool_size=2, strides=2)", "nn.MaxPool2D(pool_size=2, strides=2)", 23,
     "maxpool 2x2, stride 2", "kind maxpool instead of avgpool"),
    ("lenet", "pytorch", "nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid()", "nn.Conv2d(6, 16, kernel_size=5), nn.ReLU()",
     2, "conv 5x5, stride 1, pad 0 + relu", "activation relu instead of sigmoid"),
    ("lenet", "mxnet", "nn.Conv2D(6, kernel_size=5, padding=2,", "nn.Conv2D(6, kernel_size=5, padding=1,", 0,
     "conv 5x5, stride 1, pad 1 + sigmoid", "padding ((1, 1), (1, 1)) instead of ((2, 2), (2, 2))"),
    ("lenet", "tensorflow", "Dense(84, activation='sigmoid')", "Dense(84, activation='tanh')", 6,
     "dense 84 + tanh", "activation tanh instead of sigmoid"),
])
def test_a_small_change_in_one_framework_is_caught(network, framework, old, new, index, layer, what):
    net = equivalence.NETWORKS[network]
    text = equivalence.change_code(framework, old, new, network=network)
    with pytest.raises(equivalence.EquivalenceError) as caught:
        equivalence.build(network, net.source, text)
    label = FRAMEWORK_LABELS[framework]
    others = " and ".join(FRAMEWORK_LABELS[f] for f in FRAMEWORKS if f != framework)
    first, mine, theirs, differences = str(caught.value).splitlines()
    assert first == f"{net.page} ({net.title}): {label} layer {index} differs from {others}:"
    assert mine.startswith(f"  {label}: {layer} -> ")
    assert theirs.startswith(f"  {others}: ")
    assert differences.lstrip().startswith(what)
    if network == "vgg":
        assert theirs.startswith(f"  {others}: {VGG11[index]} -> ")


def test_a_block_that_cannot_run_names_chapter_framework_and_layer():
    """A PyTorch Inception whose 5x5 path loses its padding cannot concatenate."""
    net = equivalence.NETWORKS["googlenet"]
    text = equivalence.change_code("pytorch", "kernel_size=5, padding=2", "kernel_size=5",
                                   network="googlenet")
    with pytest.raises(equivalence.EquivalenceError,
                       match=r"^chapter_convolutional-modern/googlenet \(GoogLeNet\): "
                             r"PyTorch: the layer after layer \d+ fails to run, Inception on input \(192, 12, 12\): "
                             r"RuntimeError"):
        equivalence.build("googlenet", net.source, text)


def test_missing_definition_names_the_framework():
    text = equivalence.change_code("tensorflow", "def vgg(", "def vgg_(")
    with pytest.raises(equivalence.EquivalenceError,
                       match=r"^TensorFlow: .* defines no vgg in its tensorflow cells"):
        equivalence.chapter_namespace("tensorflow", equivalence.SOURCE, text)
    with pytest.raises(equivalence.EquivalenceError,
                       match=r"^chapter_convolutional-modern/vgg \(VGG-11\): TensorFlow: "):
        equivalence.build("vgg", equivalence.SOURCE, text)


def test_the_change_must_be_unambiguous():
    with pytest.raises(ValueError, match="exactly one tensorflow code cell"):
        equivalence.change_code("tensorflow", "activation='relu'", "activation='tanh'")


class Variable:
    """Stands for a Keras variable: what the weight conversion assigns and reads."""

    def assign(self, value):
        self.value = np.array(value)

    def numpy(self):
        return self.value


def test_keras_dense_weights_follow_the_nhwc_flatten_order():
    rng = np.random.default_rng(0)
    image = (3, 2, 4)                                   # (C, H, W)
    x = rng.standard_normal(image).astype(np.float32)
    param = equivalence.Param(0, rng.standard_normal((5, x.size)).astype(np.float32),
                              rng.standard_normal(5).astype(np.float32), image)
    leaf = SimpleNamespace(kernel=Variable(), bias=Variable())
    # The conversion uses neither TensorFlow nor the adapter's state.
    equivalence.TensorFlow.set_param(None, leaf, param)
    expected = param.weight @ x.reshape(-1) + param.bias          # NCHW flatten, y = Wx + b
    nhwc = x.transpose(1, 2, 0).reshape(-1)                      # what Keras' Flatten gives
    np.testing.assert_allclose(nhwc @ leaf.kernel.value + leaf.bias.value, expected, rtol=1e-5)
    assert not np.allclose(nhwc @ param.weight.T + param.bias, expected)   # transposing is not enough
    back = equivalence.TensorFlow.get_param(None, leaf, param)
    np.testing.assert_array_equal(back.weight, param.weight)
