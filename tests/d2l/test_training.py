"""train_ch6 in each framework, on the first 256 real images at 28x28."""

import dataclasses
import json
import re
import time

import numpy as np
import pytest

from d2l import _core

REPORT = [r'loss \d+\.\d{3}, train acc [01]\.\d{3}, test acc [01]\.\d{3}',
          r'\d+\.\d examples/sec on \S+']


@pytest.fixture
def subset(fw, monkeypatch):
    """Unshuffled loaders over 256 training and 256 test images (the quick
    profile's loader, with more images than it keeps); the training itself
    then runs in the full profile (no epoch cap)."""
    monkeypatch.setenv('D2L_PROFILE', 'quick')
    monkeypatch.setattr(_core, 'QUICK_TRAIN', 256)
    monkeypatch.setattr(_core, 'QUICK_TEST', 256)
    loaders = fw.d2l.load_data_fashion_mnist(32, shuffle=False)
    monkeypatch.delenv('D2L_PROFILE')
    return loaders


def test_loss_decreases_and_report(fw, subset, capsys):
    result, net = fw.train(fw.tiny_net(), *subset, num_epochs=4, lr=0.1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for line, pattern in zip(lines, REPORT):
        assert re.fullmatch(pattern, line)
    assert result.framework == {'torch': 'pytorch'}.get(fw.name, fw.name)
    assert result.num_epochs == len(result.epoch_losses) == 4
    assert result.examples == 4 * 256
    assert np.all(np.isfinite(result.epoch_losses))
    assert result.epoch_losses[-1] < 0.8 * result.epoch_losses[0]
    assert result.train_acc > 0.5 and result.test_acc > 0.25  # chance: 0.1
    assert lines[0] == (f'loss {result.loss:.3f}, '
                        f'train acc {result.train_acc:.3f}, '
                        f'test acc {result.test_acc:.3f}')
    # Evaluation on the device where the net is, by default.
    assert fw.d2l.evaluate_accuracy_gpu(net, subset[1]) == pytest.approx(
        result.test_acc)


class _Slow:
    """Wraps a loader so that every batch takes `delay` more seconds."""

    def __init__(self, loader, delay):
        self.loader, self.delay = loader, delay

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            time.sleep(self.delay)
            yield batch


def test_examples_per_sec_counts_loading_not_evaluation(fw, subset):
    train_iter, test_iter = subset
    loading, evaluating = 0.01, 0.05  # seconds per batch
    start = time.perf_counter()
    result, _ = fw.train(fw.tiny_net(), _Slow(train_iter, loading),
                         _Slow(test_iter, evaluating), num_epochs=2, lr=0.1)
    wall = time.perf_counter() - start
    assert result.examples == 2 * 256
    assert result.examples_per_sec == pytest.approx(
        result.examples / result.seconds)
    assert len(result.epoch_seconds) == 2
    assert sum(result.epoch_seconds) == pytest.approx(result.seconds)
    assert min(result.epoch_seconds) >= len(train_iter) * loading
    assert result.seconds >= 2 * len(train_iter) * loading
    assert result.seconds <= wall - 2 * len(test_iter) * evaluating


def test_quick_profile_run_and_results_file(fw, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv('D2L_PROFILE', 'quick')
    results = tmp_path / 'results.jsonl'
    results.write_text('{"earlier": "line"}\n')
    monkeypatch.setenv('D2L_RESULTS_FILE', str(results))
    train_iter, test_iter = fw.d2l.load_data_fashion_mnist(64)
    result, _ = fw.train(fw.tiny_net(), train_iter, test_iter, num_epochs=10,
                         lr=0.1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ['[quick profile] 128 of 60,000 training images, 128 '
                         'of 10,000 test images, 2 of 10 epochs.',
                         'The figures below are not comparable with a full run.']
    assert len(lines) == 4
    assert result.profile == 'quick' and result.num_epochs == 2
    assert result.examples == 2 * 128
    earlier, record = results.read_text().splitlines()
    assert json.loads(record) == dataclasses.asdict(result)


def _xavier_bound(fw, w):
    """sqrt(6 / (fan_in + fan_out)) of a conv or dense weight."""
    if fw.name == 'tensorflow':  # (kh, kw, in, out) or (in, out)
        fans, field = w.shape[-2] + w.shape[-1], np.prod(w.shape[:-2])
    else:  # (out, in, kh, kw) or (out, in)
        fans, field = w.shape[0] + w.shape[1], np.prod(w.shape[2:])
    return np.sqrt(6 / (fans * field))


def test_init_weights(fw, subset):
    """init_weights=False keeps the given weights (lr 0: training does not
    move them); the default draws them from Xavier-uniform, including the
    dense layer whose input size is inferred at the first batch."""
    X = np.zeros((1, 1, 28, 28), np.float32)
    for init_weights in (False, True):
        net, weights = fw.built_net(X, 0.01)
        before = weights()
        fw.train(net if fw.name != 'tensorflow' else (lambda: net), *subset,
                 num_epochs=1, lr=0.0, init_weights=init_weights)
        after = weights()
        kept = all(np.array_equal(a, b) for a, b in zip(before, after))
        assert kept != init_weights
        if init_weights:
            kernels = [w for w in after if w.ndim >= 2]
            assert len(kernels) == 2
            for w in kernels:
                bound = _xavier_bound(fw, w)
                assert 0.9 * bound < np.abs(w).max() <= bound


@pytest.mark.parametrize('precision', ['bf16', 'fp16'])
@pytest.mark.parametrize('fw', ['torch'], indirect=True)
def test_torch_mixed_precision_paths_on_cpu(fw, subset, precision, monkeypatch,
                                            capsys):
    """The paths train_ch6 takes on CUDA GPUs (bf16 from Ampere on, fp16
    with loss scaling before), forced on the CPU: they train, and the output
    says what ran."""
    dtype = {'bf16': fw.fw.bfloat16, 'fp16': fw.fw.float16}[precision]
    monkeypatch.setattr(fw.d2l, '_autocast_dtype', lambda device: dtype)
    result, net = fw.train(fw.tiny_net(), *subset, num_epochs=4, lr=0.1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (f'cpu: {precision} autocast, channels_last, data kept '
                        'on the device')
    for line, pattern in zip(lines[1:], REPORT):
        assert re.fullmatch(pattern, line)
    assert net[0].weight.is_contiguous(memory_format=fw.fw.channels_last)
    assert net[0].weight.dtype == fw.fw.float32  # autocast keeps fp32 weights
    assert result.epoch_losses[-1] < 0.8 * result.epoch_losses[0]
    assert result.train_acc > 0.5 and result.test_acc > 0.25


@pytest.mark.parametrize('capability, expected', [
    ((7, 5), 'float16'), ((7, 0), 'float16'), ((8, 0), 'bfloat16'), ((9, 0), 'bfloat16')])
@pytest.mark.parametrize('fw', ['torch'], indirect=True)
def test_torch_precision_follows_the_gpu(fw, capability, expected, monkeypatch):
    """T4 (7.5) and V100 (7.0) lack fast bf16; A100 (8.0) and H100 (9.0) have it."""
    torch = fw.fw
    monkeypatch.setattr(torch.cuda, 'get_device_capability', lambda device=None: capability)
    assert fw.d2l._autocast_dtype(torch.device('cuda:0')) == getattr(torch, expected)
    assert fw.d2l._autocast_dtype(torch.device('cpu')) is None
