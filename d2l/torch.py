"""The book's library for PyTorch: ``from d2l import torch as d2l``."""

from d2l import environment

environment.require('torch')

import torch  # noqa: E402
from torch import nn  # noqa: E402

from d2l import _core, fashion_mnist  # noqa: E402
# Re-exported for the book's cells.
from d2l._core import Accumulator, Animator, Timer  # noqa: E402,F401

environment.check_version('torch', torch.__version__)

last_result = None  # the TrainResult of the latest train_ch6


def _mps():
    """Whether training goes to an Apple GPU (Metal, `mps`): only where
    there is no CUDA."""
    return (not torch.cuda.is_available()
            and torch.backends.mps.is_available())


def try_gpu(i=0):
    """CUDA GPU i if it exists, else the Apple GPU (a Mac has one, i=0),
    else the CPU."""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f'cuda:{i}')
    if i == 0 and _mps():
        return torch.device('mps')
    return torch.device('cpu')


def try_all_gpus():
    """All CUDA GPUs, or [mps] on a Mac with an Apple GPU, or [cpu]."""
    count = torch.cuda.device_count()
    if count:
        return [torch.device(f'cuda:{i}') for i in range(count)]
    return [torch.device('mps' if _mps() else 'cpu')]


class _Loader(fashion_mnist.Loader):
    """Batches of NCHW float32 images and int64 labels."""

    default_device = torch.device('cpu')

    def _setup(self):
        # On a GPU the uint8 data stays there: batches are gathered and
        # resized on it without a host round trip.
        self.device = torch.device(self.device)
        self._x = torch.tensor(self.images, device=self.device)
        self._y = torch.tensor(self.labels, device=self.device)
        self._w = (None if self.matrix is None
                   else torch.tensor(self.matrix, device=self.device))

    def _indices(self, order):
        return torch.tensor(order, device=self.device)

    def _batch(self, idx):
        X = self._x[idx].float() / 255
        if self._w is not None:
            X = self._w @ X @ self._w.T
        return X.unsqueeze(1), self._y[idx]


def load_data_fashion_mnist(batch_size, resize=None, *, shuffle=True):
    """(train_iter, test_iter) over Fashion-MNIST; see d2l.fashion_mnist."""
    return fashion_mnist.loaders(_Loader, batch_size, resize, shuffle)


def evaluate_accuracy_gpu(net, data_iter, device=None):
    """Accuracy of net on data_iter, on device (default: net's)."""
    net.eval()
    if device is None:
        device = next(iter(net.parameters())).device
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            metric.add((net(X).argmax(dim=1) == y).sum(), y.numel())
    return metric[0] / metric[1]


def _autocast_dtype(device):
    """The reduced precision train_ch6 computes in on device, or None for
    float32. In our reference measurement on an H200, bf16 cut an epoch of
    the chapter's VGG-11 from 5.2 s in TF32 to 3.8 s. GPUs older than Ampere
    (Colab's T4, V100) have no fast bf16: they get fp16 with loss scaling.
    Apple GPUs (mps) get fp16 with loss scaling as well: d2l supports
    PyTorch from 2.5, and every such version runs fp16 autocast on mps;
    bf16 there needs a newer PyTorch and macOS 14 or newer. Not yet
    measured on a Mac."""
    if device.type == 'mps':
        return torch.float16
    if device.type != 'cuda':
        return None
    if torch.cuda.get_device_capability(device) >= (8, 0):
        return torch.bfloat16
    return torch.float16


def _channels_last(device, dtype):
    """Whether train_ch6 trains in channels_last layout: it feeds the tensor
    cores of cuDNN in reduced precision; MPS picks its own layout, so nets
    keep the default one there."""
    return dtype is not None and device.type != 'mps'


def _synchronize(device):
    """Waits until device has run what was queued on it (for the clock)."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    elif device.type == 'mps':
        torch.mps.synchronize()


def _precision_note(device, precision):
    """The line train_ch6 prints about the precision it trains in on device,
    as a function of the language of the moment (see _core.say)."""
    if device.type == 'mps':
        return lambda: environment.message('mps_precision', device='mps',
                                           precision=precision)
    return lambda: _core.message('mixed_precision', device=device.type,
                                 precision=precision)


def train_ch6(net, train_iter, test_iter, num_epochs, lr, device, *,
              init_weights=True):
    """Trains net with minibatch SGD, plots and prints progress, returns a
    TrainResult (also in d2l.last_result). init_weights=False keeps the
    weights net has."""
    global last_result
    device = torch.device(device)
    cuda = device.type == 'cuda'
    dtype = _autocast_dtype(device)
    mixed = dtype is not None
    train_iter, test_iter = (
        it.on_device(device) if isinstance(it, fashion_mnist.Loader) else it
        for it in (train_iter, test_iter))
    net.to(device)
    net.eval()
    with torch.no_grad():  # gives lazy layers (LazyLinear) their weights
        net(next(iter(train_iter))[0][:1].to(device))
    if init_weights:
        for module in net.modules():
            if isinstance(module, (nn.Linear, nn.Conv2d)):
                nn.init.xavier_uniform_(module.weight)
    notes = []
    channels_last = _channels_last(device, dtype)
    if cuda:
        torch.backends.cudnn.benchmark = True
    if channels_last:
        net.to(memory_format=torch.channels_last)
    if mixed:
        precision = {torch.bfloat16: 'bf16', torch.float16: 'fp16'}[dtype]
        notes.append(_precision_note(device, precision))
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    # fp16 gradients underflow without it; a no-op otherwise.
    scaler = torch.amp.GradScaler(device.type,
                                  enabled=dtype == torch.float16)

    def step(X, y):
        X, y = X.to(device), y.to(device)
        if channels_last:
            X = X.contiguous(memory_format=torch.channels_last)
        with torch.autocast(device.type, dtype, enabled=mixed):
            y_hat = net(X)
            l = loss(y_hat, y)
        optimizer.zero_grad()
        scaler.scale(l).backward()
        scaler.step(optimizer)
        scaler.update()
        return l.detach() * len(y), (y_hat.argmax(dim=1) == y).sum(), len(y)

    def evaluate():
        with torch.autocast(device.type, dtype, enabled=mixed):
            acc = evaluate_accuracy_gpu(net, test_iter, device)
        net.train()
        return acc

    net.train()
    last_result = _core.fit('pytorch', device, train_iter, test_iter,
                            num_epochs, step, evaluate,
                            lambda: _synchronize(device), notes)
    return last_result
