"""Finding, verifying, reading, downloading and resizing Fashion-MNIST."""

import gzip
import os

import numpy as np
import pytest

from d2l import _core, fashion_mnist


def test_real_files_verify_and_parse(real_files):
    train = fashion_mnist.load('train')
    test = fashion_mnist.load('test')
    for (images, labels, full), n in ((train, 60000), (test, 10000)):
        assert images.shape == (n, 28, 28) and images.dtype == np.uint8
        assert labels.shape == (n,) and labels.dtype == np.int64
        assert full == n
        assert np.bincount(labels).tolist() == [n // 10] * 10
    # The official first labels (ankle boot, T-shirt, ...).
    assert train[1][:6].tolist() == [9, 0, 0, 3, 0, 2]
    assert test[1][:6].tolist() == [9, 2, 1, 1, 6, 1]


def test_parsed_arrays_are_cached_and_read_only(real_files):
    first, again = fashion_mnist.load('test'), fashion_mnist.load('test')
    assert first[0] is again[0]
    with pytest.raises(ValueError):
        first[0][0, 0, 0] = 1


def test_search_order(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    home = tmp_path / 'home'
    monkeypatch.setenv('HOME', str(home))
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path / 'mine'))
    groups = fashion_mnist.search_places()
    roots = [tmp_path / 'mine', tmp_path / 'data', tmp_path.parent / 'data',
             tmp_path.parent.parent / 'data']
    assert groups[:4] == [[r, r / 'fashion-mnist', r / 'FashionMNIST' / 'raw']
                          for r in roots]
    assert groups[4:] == [
        [home / '.d2l' / 'data' / 'fashion-mnist'],
        [fashion_mnist.Path('/usr/share/datasets/fashion-mnist')]]


def _decompressed(real_files, name):
    data = real_files[name].read_bytes()
    return gzip.decompress(data) if real_files[name].suffix == '.gz' else data


def _copy_dataset(real_files, folder, filename, data):
    """Links the real files into folder, except for filename (one of the
    four, with or without .gz), which is written with data instead."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, path in real_files.items():
        if not filename.startswith(name):
            (folder / (name + path.suffix)).symlink_to(path)
    (folder / filename).write_bytes(data)
    return folder / filename


def test_finds_subfolder_with_decompressed_files(monkeypatch, tmp_path,
                                                 real_files):
    folder = tmp_path / 'data' / 'FashionMNIST' / 'raw'
    _copy_dataset(real_files, folder, 't10k-labels-idx1-ubyte',
                  _decompressed(real_files, 't10k-labels-idx1-ubyte'))
    monkeypatch.chdir(tmp_path)
    found = fashion_mnist.locate()
    assert found['t10k-labels-idx1-ubyte'] == folder / 't10k-labels-idx1-ubyte'
    assert found['t10k-images-idx3-ubyte'].parent == folder
    labels = fashion_mnist.load('test')[1]
    assert labels[:6].tolist() == [9, 2, 1, 1, 6, 1]


def test_missing_data_lists_places_and_fixes(monkeypatch, tmp_path):
    empty, nowhere = tmp_path / 'empty', tmp_path / 'nowhere'
    empty.mkdir()
    (nowhere / 'fashion-mnist').mkdir(parents=True)
    (nowhere / 'fashion-mnist' / 'train-labels-idx1-ubyte.gz').write_bytes(b'')
    monkeypatch.setenv('D2L_DATA_DIR', str(empty))
    monkeypatch.setenv('D2L_DATA_SEARCH', str(nowhere))
    with pytest.raises(fashion_mnist.DataNotFoundError) as info:
        fashion_mnist.load('train')
    assert isinstance(info.value, FileNotFoundError)
    text = str(info.value)
    for root in (empty, nowhere):
        for sub in ('', 'fashion-mnist', 'FashionMNIST/raw'):
            assert str(root / sub) in text
    assert 'incomplete: no t10k-images-idx3-ubyte' in text
    assert 'D2L_OFFLINE' in text
    assert 'apt-get install dataset-fashion-mnist' in text
    assert 'D2L_DATA_DIR' in text
    monkeypatch.setenv('D2L_LANG', 'ko')
    with pytest.raises(fashion_mnist.DataNotFoundError, match='해결 방법'):
        fashion_mnist.load('train')


def _damaged(real_files, tmp_path, monkeypatch, filename, data):
    """Points D2L_DATA_DIR, and nothing else, at a copy of the data whose
    file filename holds data."""
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path / 'copy'))
    monkeypatch.setenv('D2L_DATA_SEARCH', '')
    return _copy_dataset(real_files, tmp_path / 'copy', filename, data)


def test_checksum_mismatch(fw, monkeypatch, tmp_path, real_files):
    data = bytearray(_decompressed(real_files, 'train-labels-idx1-ubyte'))
    data[8] = (data[8] + 1) % 10  # one wrong label: well-formed, not official
    path = _damaged(real_files, tmp_path, monkeypatch,
                    'train-labels-idx1-ubyte', bytes(data))
    with pytest.raises(fashion_mnist.ChecksumError) as info:
        fw.d2l.load_data_fashion_mnist(32)
    text = str(info.value)
    assert str(path) in text
    assert fashion_mnist.FILES['train-labels-idx1-ubyte'][0] in text
    assert 'apt-get install --reinstall dataset-fashion-mnist' in text
    assert 'D2L_DATA_DIR' in text


def test_truncated_gzip(fw, monkeypatch, tmp_path, real_files):
    data = gzip.compress(_decompressed(real_files, 't10k-labels-idx1-ubyte'))
    path = _damaged(real_files, tmp_path, monkeypatch,
                    't10k-labels-idx1-ubyte.gz', data[:len(data) // 2])
    with pytest.raises(fashion_mnist.CorruptDataError) as info:
        fw.d2l.load_data_fashion_mnist(32)
    text = str(info.value)
    assert str(path) in text
    assert 'corrupt or truncated (gzip: Compressed file ended' in text
    assert 'D2L_DATA_DIR' in text


def test_bad_idx_header(monkeypatch, tmp_path, real_files):
    data = bytearray(_decompressed(real_files, 't10k-labels-idx1-ubyte'))
    data[3] = 3  # claims three dimensions
    path = _damaged(real_files, tmp_path, monkeypatch,
                    't10k-labels-idx1-ubyte', bytes(data))
    with pytest.raises(fashion_mnist.CorruptDataError,
                       match='idx header') as info:
        fashion_mnist.load('test')
    assert str(path) in str(info.value)


def test_short_decompressed_file(monkeypatch, tmp_path, real_files):
    data = _decompressed(real_files, 't10k-labels-idx1-ubyte')[:-10]
    _damaged(real_files, tmp_path, monkeypatch, 't10k-labels-idx1-ubyte', data)
    with pytest.raises(fashion_mnist.CorruptDataError,
                       match='9,998 bytes, expected 10,008'):
        fashion_mnist.load('test')


def _serve(real_files, folder, broken=None):
    """A folder of .gz files to 'download' from through a file:// URL, so
    that no test touches the network; the file broken has one bit flipped."""
    folder.mkdir()
    for name, path in real_files.items():
        if name == broken or path.suffix != '.gz':
            data = bytearray(_decompressed(real_files, name))
            data[-1] ^= name == broken
            (folder / (name + '.gz')).write_bytes(gzip.compress(data, 1))
        else:
            (folder / (name + '.gz')).symlink_to(path)
    return folder.as_uri() + '/'


def test_download_then_verify(monkeypatch, tmp_path, real_files, capsys):
    url = _serve(real_files, tmp_path / 'server')
    monkeypatch.setattr(fashion_mnist, 'URL', url)
    monkeypatch.delenv('D2L_OFFLINE')
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path / 'downloads'))
    monkeypatch.setenv('D2L_DATA_SEARCH', '')
    labels = fashion_mnist.load('test')[1]
    assert labels[:6].tolist() == [9, 2, 1, 1, 6, 1]
    assert sorted(os.listdir(tmp_path / 'downloads')) == sorted(
        name + '.gz' for name in real_files)
    assert 'Downloading Fashion-MNIST from ' + url in capsys.readouterr().out


def test_bad_download_is_not_kept(monkeypatch, tmp_path, real_files):
    url = _serve(real_files, tmp_path / 'server',
                 broken='train-labels-idx1-ubyte')
    monkeypatch.setattr(fashion_mnist, 'URL', url)
    monkeypatch.delenv('D2L_OFFLINE')
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path / 'downloads'))
    monkeypatch.setenv('D2L_DATA_SEARCH', '')
    with pytest.raises(fashion_mnist.DataNotFoundError) as info:
        fashion_mnist.load('test')
    assert 'Download from ' + url + ' failed' in str(info.value)
    assert 'SHA-256' in str(info.value)
    assert 'train-labels-idx1-ubyte' not in ' '.join(
        os.listdir(tmp_path / 'downloads'))


def test_unreachable_download_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(fashion_mnist, 'URL',
                        (tmp_path / 'gone').as_uri() + '/')
    monkeypatch.delenv('D2L_OFFLINE')
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path / 'downloads'))
    monkeypatch.setenv('D2L_DATA_SEARCH', '')
    with pytest.raises(fashion_mnist.DataNotFoundError, match='failed'):
        fashion_mnist.load('train')


def test_quick_profile_uses_first_images(monkeypatch, real_files):
    full_train = fashion_mnist.load('train')
    full_test = fashion_mnist.load('test')
    monkeypatch.setenv('D2L_PROFILE', 'quick')
    for (images, labels, size), full, n in (
            (fashion_mnist.load('train'), full_train, _core.QUICK_TRAIN),
            (fashion_mnist.load('test'), full_test, _core.QUICK_TEST)):
        assert len(images) == len(labels) == n == 128
        assert size == len(full[1])
        assert np.array_equal(images, full[0][:n])
        assert np.array_equal(labels, full[1][:n])


def test_unknown_profile(monkeypatch):
    monkeypatch.setenv('D2L_PROFILE', 'fast')
    with pytest.raises(ValueError, match="'full' or 'quick'"):
        _core.profile()


@pytest.mark.parametrize('size', [224, 96, 32, 28, 14, 9, 5])
def test_bilinear_matrix_matches_torch_interpolate(size):
    torch = pytest.importorskip('torch')
    X = np.random.default_rng(0).random((3, 28, 28), dtype=np.float32)
    expected = torch.nn.functional.interpolate(
        torch.from_numpy(X)[:, None], size=(size, size), mode='bilinear',
        align_corners=False, antialias=False)[:, 0].numpy()
    W = fashion_mnist.bilinear_matrix(size)
    assert W.shape == (size, 28) and W.dtype == np.float32
    np.testing.assert_allclose(W @ X @ W.T, expected, rtol=0, atol=1e-6)
