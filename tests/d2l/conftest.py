"""Shared fixtures: a clean, offline d2l environment and one object per
framework that hides how its tensors and nets differ."""

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

# Let plain `pytest` (not only `python -m pytest`) import the package from
# this checkout without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

FRAMEWORKS = ['mxnet', 'torch', 'tensorflow']


@pytest.fixture(autouse=True)
def d2l_env(monkeypatch):
    """Every test starts offline, in the full profile, in English."""
    monkeypatch.setenv('D2L_OFFLINE', '1')
    for name in ('D2L_PROFILE', 'D2L_LANG', 'D2L_RESULTS_FILE',
                 'D2L_DATA_DIR', 'D2L_DATA_SEARCH'):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope='session')
def real_files():
    """Paths of the machine's Fashion-MNIST files; skips when it has none."""
    from d2l import fashion_mnist  # after pytest_configure's warning filters
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv('D2L_OFFLINE', '1')
        try:
            return fashion_mnist.locate()
        except fashion_mnist.DataNotFoundError:
            pytest.skip('Fashion-MNIST is not installed '
                        '(apt-get install dataset-fashion-mnist)')


class Framework:
    """One framework's d2l module plus the few test helpers that differ."""

    def __init__(self, name):
        self.name = name
        self.d2l = importlib.import_module(f'd2l.{name}')
        self.fw = importlib.import_module(name)

    def numpy(self, X):
        return X.asnumpy() if self.name == 'mxnet' else X.numpy()

    def nchw(self, X):
        """A batch of images as a NumPy array in NCHW layout."""
        X = self.numpy(X)
        return X.transpose(0, 3, 1, 2) if self.name == 'tensorflow' else X

    def seed(self, seed=0):
        {'mxnet': lambda: self.fw.random.seed(seed),
         'torch': lambda: self.fw.manual_seed(seed),
         'tensorflow': lambda: self.fw.keras.utils.set_random_seed(seed)
         }[self.name]()

    def tiny_net(self):
        """A small CNN whose dense layer infers its input size; for
        TensorFlow, the function that builds it."""
        self.seed()
        if self.name == 'torch':
            nn = self.fw.nn
            return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
                                 nn.MaxPool2d(2), nn.Flatten(),
                                 nn.LazyLinear(10))
        if self.name == 'mxnet':
            from mxnet.gluon import nn
            net = nn.Sequential()
            net.add(nn.Conv2D(8, 3, padding=1, activation='relu'),
                    nn.MaxPool2D(2), nn.Dense(10))
            return net
        layers = self.fw.keras.layers
        return lambda: self.fw.keras.Sequential([
            layers.Conv2D(8, 3, padding='same', activation='relu'),
            layers.MaxPool2D(2), layers.Flatten(), layers.Dense(10)])

    def train(self, net, train_iter, test_iter, num_epochs, lr, **kwargs):
        """Runs train_ch6; returns its TrainResult and the trained net."""
        device = self.d2l.try_gpu()
        out = self.d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr,
                                 device, **kwargs)
        if self.name == 'tensorflow':  # returns the net, as in the book
            assert isinstance(out, self.fw.keras.Model)
            return self.d2l.last_result, out
        assert out is self.d2l.last_result
        return out, net

    def built_net(self, X, value):
        """A tiny net with every parameter set to value (for TensorFlow, the
        built model), and a function that reads its parameters."""
        net = self.tiny_net()
        if self.name == 'torch':
            net(self.fw.tensor(X))
            for p in net.parameters():
                self.fw.nn.init.constant_(p, value)
            return net, lambda: [p.detach().numpy().copy()
                                 for p in net.parameters()]
        if self.name == 'mxnet':
            from mxnet import init, np as mnp
            net.initialize(init.Constant(value))
            net(mnp.array(X))
            return net, lambda: [p.data().asnumpy()
                                 for p in net.collect_params().values()]
        model = net()
        model(X.transpose(0, 2, 3, 1))
        model.set_weights([np.full(w.shape, value, w.dtype)
                           for w in model.get_weights()])
        return model, model.get_weights


@pytest.fixture(params=FRAMEWORKS)
def fw(request, real_files):
    """Each framework in turn; skipped only where it cannot be imported."""
    name = request.param
    try:
        return Framework(name)
    except Exception as e:
        # A failed import leaves no module behind: if the framework is
        # there, the failure is d2l's and must not be hidden as a skip.
        if sys.modules.get(name) is not None:
            raise
        pytest.skip(f'{name} cannot be imported: {e!r}')


def pytest_configure(config):
    # MXNet's and matplotlib's own imports trip deprecations of NumPy,
    # distutils and pyparsing (hidden outside pytest); they are not ours to
    # fix and would bury this suite's output.
    for module in ('mxnet', 'matplotlib'):
        config.addinivalue_line(
            'filterwarnings', rf'ignore::DeprecationWarning:{module}(\..*)?')
