"""The book's library for PyTorch: ``from d2l import torch as d2l``."""

import torch
from torch import nn

from d2l import _core, fashion_mnist
# Re-exported for the book's cells.
from d2l._core import Accumulator, Animator, Timer  # noqa: F401

last_result = None  # the TrainResult of the latest train_ch6


def try_gpu(i=0):
    """GPU i if it exists, else the CPU."""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f'cuda:{i}')
    return torch.device('cpu')


def try_all_gpus():
    """All GPUs, or [cpu] if there is none."""
    count = torch.cuda.device_count()
    return ([torch.device(f'cuda:{i}') for i in range(count)]
            or [torch.device('cpu')])


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
    """The reduced precision train_ch6 computes in on device (in channels_last
    layout), or None for float32. In our reference measurement on an H200,
    bf16 cut an epoch of the chapter's VGG-11 from 5.2 s in TF32 to 3.8 s.
    GPUs older than Ampere (Colab's T4, V100) have no fast bf16: they get
    fp16 with loss scaling."""
    if device.type != 'cuda':
        return None
    if torch.cuda.get_device_capability(device) >= (8, 0):
        return torch.bfloat16
    return torch.float16


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
    if cuda:
        torch.backends.cudnn.benchmark = True
    if mixed:
        net.to(memory_format=torch.channels_last)
        precision = {torch.bfloat16: 'bf16', torch.float16: 'fp16'}[dtype]
        notes.append(lambda: _core.message(
            'mixed_precision', device=device.type, precision=precision))
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    # fp16 gradients underflow without it; a no-op otherwise.
    scaler = torch.amp.GradScaler(device.type,
                                  enabled=dtype == torch.float16)

    def step(X, y):
        X, y = X.to(device), y.to(device)
        if mixed:
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

    def sync():
        if cuda:
            torch.cuda.synchronize(device)

    net.train()
    last_result = _core.fit('pytorch', device, train_iter, test_iter,
                            num_epochs, step, evaluate, sync, notes)
    return last_result
