"""The chapter's MXNet, PyTorch and TensorFlow VGG-11 are one network
(scripts/equivalence.py), and a small change to one framework's model code is
caught, naming the framework and the layer."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from d2l import _core
from scripts import equivalence
from scripts.book import FRAMEWORK_LABELS, FRAMEWORKS

# MXNet 1.9's own deprecation warnings (NumPy, distutils) are not this check's.
pytestmark = pytest.mark.filterwarnings(r"ignore::DeprecationWarning:mxnet(\..*)?")

CONV = "conv 3x3, stride 1, pad 1 + relu"
POOL = "maxpool 2x2, stride 2"
# VGG-11 as Simonyan and Zisserman define it, with the chapter's dense part.
VGG11 = [CONV, POOL, CONV, POOL, CONV, CONV, POOL, CONV, CONV, POOL, CONV, CONV, POOL,
         "flatten", "dense 4096 + relu", "dropout 0.5", "dense 4096 + relu", "dropout 0.5", "dense 10"]


@pytest.fixture(scope="module")
def report():
    """All four checks on the chapter, once for this module; a mismatch
    errors every test that uses it, with the message naming the layer."""
    from d2l import fashion_mnist

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("D2L_OFFLINE", "1")
        for name in ("D2L_PROFILE", "D2L_RESULTS_FILE", "D2L_LANG"):
            mp.delenv(name, raising=False)
        try:
            fashion_mnist.locate()
        except fashion_mnist.DataNotFoundError:
            pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
        return equivalence.run()


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


@pytest.mark.parametrize("framework, old, new, index, layer, what", [
    ("pytorch", "kernel_size=3", "kernel_size=5", 0, "conv 5x5, stride 1, pad 1 + relu",
     "kernel (5, 5) instead of (3, 3)"),
    ("mxnet", "strides=2", "strides=1", 1, "maxpool 2x2, stride 1", "stride (1, 1) instead of (2, 2)"),
    ("tensorflow", "activation='relu'))", "activation='tanh'))", 0, "conv 3x3, stride 1, pad 1 + tanh",
     "activation tanh instead of relu"),
    ("pytorch", "nn.Dropout(0.5)", "nn.Dropout(0.4)", 15, "dropout 0.4", "rate 0.4 instead of 0.5"),
])
def test_a_small_change_in_one_framework_is_caught(framework, old, new, index, layer, what):
    text = equivalence.change_code(framework, old, new)
    with pytest.raises(equivalence.EquivalenceError) as caught:
        equivalence.build(equivalence.SOURCE, text)
    label = FRAMEWORK_LABELS[framework]
    others = " and ".join(FRAMEWORK_LABELS[f] for f in FRAMEWORKS if f != framework)
    first, mine, theirs, differences = str(caught.value).splitlines()
    assert first == f"{label} layer {index} differs from {others}:"
    assert mine.startswith(f"  {label}: {layer} -> ")
    assert theirs.startswith(f"  {others}: {VGG11[index]} -> ")
    assert differences.lstrip().startswith(what)


def test_missing_definition_names_the_framework():
    text = equivalence.change_code("tensorflow", "def vgg(", "def vgg_(")
    with pytest.raises(equivalence.EquivalenceError,
                       match=r"^TensorFlow: .* defines no vgg in its tensorflow cells"):
        equivalence.chapter_namespace("tensorflow", equivalence.SOURCE, text)


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
