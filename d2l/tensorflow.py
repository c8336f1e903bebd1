"""The book's library for TensorFlow:
``from d2l import tensorflow as d2l``."""

import re
import subprocess
import sys

from d2l import environment

environment.require('tensorflow')

import tensorflow as tf  # noqa: E402

from d2l import _core, fashion_mnist  # noqa: E402
# Re-exported for the book's cells.
from d2l._core import Accumulator, Animator, Timer  # noqa: E402,F401

environment.check_version('tensorflow', tf.__version__)

last_result = None  # the TrainResult of the latest train_ch6


def try_gpu(i=0):
    """GPU i if it exists, else the CPU (as a tf.device)."""
    if len(tf.config.list_physical_devices('GPU')) >= i + 1:
        return tf.device(f'/GPU:{i}')
    return tf.device('/CPU:0')


def try_all_gpus():
    """All GPUs, or [CPU] if there is none."""
    count = len(tf.config.list_physical_devices('GPU'))
    return ([tf.device(f'/GPU:{i}') for i in range(count)]
            or [tf.device('/CPU:0')])


def _device_name(device):
    return getattr(device, '_device_name', device)


def _mac_chip():
    """The Mac's chip as macOS names it ('Apple M2 Pro'), or None."""
    try:
        out = subprocess.run(['sysctl', '-n', 'machdep.cpu.brand_string'],
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def metal_gpu(i=0):
    """The name of GPU i ('Apple M2 Pro') when it is an Apple GPU, which the
    tensorflow-metal plug-in provides on a Mac; None otherwise."""
    gpus = tf.config.list_physical_devices('GPU')
    if len(gpus) <= i:
        return None
    name = tf.config.experimental.get_device_details(gpus[i]).get(
        'device_name', '')
    if sys.platform != 'darwin' and not re.search('metal|apple', name, re.I):
        return None
    chip = name if 'apple' in name.lower() else _mac_chip()
    return chip or 'Apple GPU'


def _device_label(name):
    """A device as train_ch6 reports it: an Apple GPU, which TensorFlow
    names '/GPU:0' like any other, with its name and Metal
    ('/GPU:0 (Apple M2 Pro, Metal)'); any other as given."""
    if name.upper().startswith('/GPU:'):
        chip = metal_gpu(int(name.rsplit(':', 1)[1]))
        if chip:
            return f'{name} ({chip}, Metal)'
    return name


class _Loader(fashion_mnist.Loader):
    """Batches of NHWC float32 images and int32 labels."""

    default_device = '/CPU:0'

    def _setup(self):
        self.device = _device_name(self.device)
        with tf.device(self.device):
            self._w = None if self.matrix is None else tf.identity(self.matrix)

    def _indices(self, order):
        return order

    def _batch(self, idx):
        with tf.device(self.device):
            X = tf.cast(self.images[idx], tf.float32) / 255
            if self._w is not None:
                X = tf.matmul(tf.matmul(self._w, X), self._w, transpose_b=True)
            return X[..., tf.newaxis], tf.cast(self.labels[idx], tf.int32)


def load_data_fashion_mnist(batch_size, resize=None, *, shuffle=True):
    """(train_iter, test_iter) over Fashion-MNIST; see d2l.fashion_mnist."""
    return fashion_mnist.loaders(_Loader, batch_size, resize, shuffle)


def _correct(y_hat, y):
    return tf.reduce_sum(tf.cast(
        tf.argmax(y_hat, axis=1, output_type=y.dtype) == y, tf.float32))


def evaluate_accuracy_gpu(net, data_iter, device=None):
    """Accuracy of net on data_iter, on device (default: net's)."""
    if device is None:
        device = net.trainable_variables[0].value.device
    metric = Accumulator(2)
    with tf.device(_device_name(device)):
        for X, y in data_iter:
            metric.add(_correct(net(X, training=False), y), len(y))
    return metric[0] / metric[1]


def _xavier(layer):
    """Redraws every Conv2D and Dense kernel from Glorot (Xavier) uniform."""
    for sublayer in getattr(layer, 'layers', []):
        _xavier(sublayer)
    if isinstance(layer, (tf.keras.layers.Conv2D, tf.keras.layers.Dense)):
        layer.kernel.assign(
            tf.keras.initializers.GlorotUniform()(layer.kernel.shape))


def train_ch6(net_fn, train_iter, test_iter, num_epochs, lr,
              device=try_gpu(), *, init_weights=True):
    """Builds net_fn() on device, trains it with minibatch SGD, plots and
    prints progress, and returns the net; the TrainResult is in
    d2l.last_result. init_weights=False keeps the weights of the (built)
    model that net_fn returns."""
    global last_result
    name = _device_name(device)
    train_iter, test_iter = (
        it.on_device(name) if isinstance(it, fashion_mnist.Loader) else it
        for it in (train_iter, test_iter))
    with tf.device(name):
        net = net_fn()
        net(next(iter(train_iter))[0][:1])  # creates the weights
        if init_weights:
            _xavier(net)
        optimizer = tf.keras.optimizers.SGD(learning_rate=lr)
        optimizer.build(net.trainable_variables)
        loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

        @tf.function(reduce_retracing=True)
        def train_step(X, y):
            with tf.GradientTape() as tape:
                y_hat = net(X, training=True)
                l = loss(y, y_hat)
            grads = tape.gradient(l, net.trainable_variables)
            optimizer.apply_gradients(zip(grads, net.trainable_variables))
            n = tf.cast(tf.shape(y)[0], tf.float32)
            return l * n, _correct(y_hat, y), n

        last_result = _core.fit(
            'tensorflow', _device_label(name), train_iter, test_iter,
            num_epochs, train_step,
            lambda: evaluate_accuracy_gpu(net, test_iter, name),
            tf.test.experimental.sync_devices)
    return net
