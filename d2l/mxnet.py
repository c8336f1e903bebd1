"""The book's library for MXNet: ``from d2l import mxnet as d2l``."""

from d2l import environment

# Before MXNet's own import, which fails deep inside under numpy 2.
environment.require('mxnet')

import numpy  # noqa: E402

if 'bool' not in vars(numpy):
    # MXNet 1.9 still uses np.bool, which NumPy 1.24 removed; restoring the
    # alias here keeps the reader's cells those of the book. (vars(): on
    # NumPy 1.2x, even asking for np.bool issues a FutureWarning.)
    numpy.bool = bool

import mxnet as mx  # noqa: E402
from mxnet import autograd, gluon, init, np, npx  # noqa: E402

from d2l import _core, fashion_mnist  # noqa: E402
# Re-exported for the book's cells.
from d2l._core import Accumulator, Animator, Timer  # noqa: E402,F401

environment.check_version('mxnet', mx.__version__)

npx.set_np()  # the chapter works with mxnet.np arrays, as do the loaders

last_result = None  # the TrainResult of the latest train_ch6


def try_gpu(i=0):
    """GPU i if it exists, else the CPU."""
    return npx.gpu(i) if npx.num_gpus() >= i + 1 else npx.cpu()


def try_all_gpus():
    """All GPUs, or [cpu()] if there is none."""
    return [npx.gpu(i) for i in range(npx.num_gpus())] or [npx.cpu()]


class _Loader(fashion_mnist.Loader):
    """Batches of NCHW float32 images and int32 labels (mxnet.np arrays)."""

    default_device = mx.cpu()

    def _setup(self):
        self._x = np.array(self.images, dtype='uint8', ctx=self.device)
        self._y = np.array(self.labels, dtype='int32', ctx=self.device)
        self._w = (None if self.matrix is None
                   else np.array(self.matrix, ctx=self.device))

    def _indices(self, order):
        return np.array(order, dtype='int64', ctx=self.device)

    def _batch(self, idx):
        X = self._x[idx].astype('float32') / 255
        if self._w is not None:
            X = np.matmul(np.matmul(self._w, X), self._w.T)
        return np.expand_dims(X, 1), self._y[idx]


def load_data_fashion_mnist(batch_size, resize=None, *, shuffle=True):
    """(train_iter, test_iter) over Fashion-MNIST; see d2l.fashion_mnist."""
    return fashion_mnist.loaders(_Loader, batch_size, resize, shuffle)


def _correct(y_hat, y):
    return (y_hat.argmax(axis=1).astype(y.dtype) == y).sum()


def evaluate_accuracy_gpu(net, data_iter, device=None):
    """Accuracy of net on data_iter, on device (default: net's)."""
    if device is None:
        device = list(net.collect_params().values())[0].list_ctx()[0]
    metric = Accumulator(2)
    for X, y in data_iter:
        X, y = X.as_in_ctx(device), y.as_in_ctx(device)
        metric.add(_correct(net(X), y), y.size)
    return metric[0] / metric[1]


def train_ch6(net, train_iter, test_iter, num_epochs, lr, device=try_gpu(), *,
              init_weights=True):
    """Trains net with minibatch SGD, plots and prints progress, returns a
    TrainResult (also in d2l.last_result). init_weights=False keeps the
    weights net has."""
    global last_result
    train_iter, test_iter = (
        it.on_device(device) if isinstance(it, fashion_mnist.Loader) else it
        for it in (train_iter, test_iter))
    if init_weights:
        net.initialize(force_reinit=True, ctx=device, init=init.Xavier())
    else:
        net.collect_params().reset_ctx(device)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': lr})

    def step(X, y):
        X, y = X.as_in_ctx(device), y.as_in_ctx(device)
        with autograd.record():
            y_hat = net(X)
            l = loss(y_hat, y)
        l.backward()
        trainer.step(X.shape[0])
        return l.sum(), _correct(y_hat, y), X.shape[0]

    last_result = _core.fit(
        'mxnet', device, train_iter, test_iter, num_epochs, step,
        lambda: evaluate_accuracy_gpu(net, test_iter, device), npx.waitall)
    return last_result
