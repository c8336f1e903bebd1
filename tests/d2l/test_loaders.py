"""load_data_fashion_mnist in each framework."""

import numpy as np
import pytest

from d2l import _core, fashion_mnist

LABEL_DTYPES = {'mxnet': 'int32', 'torch': 'int64', 'tensorflow': 'int32'}


@pytest.fixture
def quick(monkeypatch):
    """(images, labels) of the quick profile's first training and test images."""
    monkeypatch.setenv('D2L_PROFILE', 'quick')
    return {split: fashion_mnist.load(split)[:2]
            for split in ('train', 'test')}


def _positions(fw, images, loader):
    """For one epoch of loader, the positions in images of the examples in
    each batch (these images are all different)."""
    index = {image.tobytes(): i for i, image in enumerate(images)}
    assert len(index) == len(images)
    return [[index[np.rint(x[0] * 255).astype(np.uint8).tobytes()]
             for x in fw.nchw(X)] for X, _ in loader]


@pytest.mark.parametrize('resize', [None, 32, 96])
def test_batches_shapes_types_values(fw, quick, resize):
    train_iter, test_iter = fw.d2l.load_data_fashion_mnist(
        50, resize=resize, shuffle=False)
    size = resize or 28
    assert len(train_iter) == len(test_iter) == 3
    batches = list(train_iter)
    assert [len(y) for _, y in batches] == [50, 50, 28]  # last one kept
    X, y = batches[0]
    expected_shape = ((50, size, size, 1) if fw.name == 'tensorflow'
                      else (50, 1, size, size))
    assert tuple(X.shape) == expected_shape
    X, y = fw.nchw(X), fw.numpy(y)
    assert X.dtype == np.float32 and y.dtype == LABEL_DTYPES[fw.name]
    assert 0 <= X.min() and X.max() <= 1 and X.max() > 0.99
    assert np.array_equal(y, quick['train'][1][:50])
    # The same pixels in every framework: each equals the NumPy reference
    # (whose resize matches PyTorch's F.interpolate, see test_data.py).
    reference = quick['train'][0][:50].astype(np.float32) / 255
    if resize:
        W = fashion_mnist.bilinear_matrix(resize)
        reference = W @ reference @ W.T
    np.testing.assert_allclose(X[:, 0], reference, rtol=0, atol=1e-6)


def test_readers_get_cpu_batches(fw, quick):
    X, y = next(iter(fw.d2l.load_data_fashion_mnist(8)[0]))
    device = {'mxnet': lambda: str(X.ctx), 'torch': lambda: str(X.device),
              'tensorflow': lambda: X.device}[fw.name]()
    assert 'cpu' in device.lower()


def test_examples_are_reshuffled_every_epoch(fw, quick):
    train_iter, test_iter = fw.d2l.load_data_fashion_mnist(32)
    first = _positions(fw, quick['train'][0], train_iter)
    second = _positions(fw, quick['train'][0], train_iter)
    for order in (first, second):
        assert sorted(sum(order, [])) == list(range(_core.QUICK_TRAIN))
        # Examples, not whole batches, move: every batch mixes examples of
        # several original batches.
        assert all(len({i // 32 for i in batch}) > 1 for batch in order)
    assert first != second
    # The test set is never shuffled.
    order = _positions(fw, quick['test'][0], test_iter)
    assert sum(order, []) == list(range(_core.QUICK_TEST))


def test_no_shuffle_keeps_order(fw, quick):
    train_iter, _ = fw.d2l.load_data_fashion_mnist(64, shuffle=False)
    for _ in range(2):
        order = _positions(fw, quick['train'][0], train_iter)
        assert sum(order, []) == list(range(_core.QUICK_TRAIN))
