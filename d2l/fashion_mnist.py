"""Fashion-MNIST without a framework: find, verify, read, download, subset,
resize, and the loader that each framework module specialises."""

import copy
import gzip
import hashlib
import os
import shutil
import struct
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from d2l import _core

# The s3-website endpoint serves plain http only; the checksums below make
# up for that.
URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'

# SHA-256 of the DECOMPRESSED idx files: mirrors (Debian's package among
# them) recompress with other gzip headers, but the content is the same.
FILES = {
    'train-images-idx3-ubyte': (
        'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
        (60000, 28, 28)),
    'train-labels-idx1-ubyte': (
        'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
        (60000,)),
    't10k-images-idx3-ubyte': (
        '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
        (10000, 28, 28)),
    't10k-labels-idx1-ubyte': (
        '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
        (10000,)),
}
SPLITS = {'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
          'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')}

# Seconds any one network operation may take, so an unreachable or stalled
# server fails fast instead of hanging the notebook.
DOWNLOAD_TIMEOUT = 15


class DataNotFoundError(FileNotFoundError):
    """Fashion-MNIST is in no searched folder and could not be downloaded."""


class CorruptDataError(ValueError):
    """A data file is not a well-formed idx file of the expected shape."""


class ChecksumError(CorruptDataError):
    """A data file is well-formed but its content is not the official one."""


def _download_folder():
    return Path(os.path.expanduser(
        os.environ.get('D2L_DATA_DIR')
        or Path.home() / '.d2l' / 'data' / 'fashion-mnist'))


def search_places():
    """Folders searched, in order, grouped by the place each derives from.

    D2L_DATA_SEARCH (os.pathsep-separated) replaces the default places after
    D2L_DATA_DIR; the tests use it to make the machine's copies unreachable.
    """
    roots = [os.environ.get('D2L_DATA_DIR', '')]
    fixed = []
    if 'D2L_DATA_SEARCH' in os.environ:
        roots += os.environ['D2L_DATA_SEARCH'].split(os.pathsep)
    else:
        roots += ['data', os.path.join('..', 'data'),
                  os.path.join('..', '..', 'data')]
        fixed = [Path.home() / '.d2l' / 'data' / 'fashion-mnist',
                 Path('/usr/share/datasets/fashion-mnist')]
    groups = []
    for root in filter(None, roots):  # an empty entry is no folder
        root = Path(os.path.abspath(os.path.expanduser(root)))
        groups.append([root, root / 'fashion-mnist',
                       root / 'FashionMNIST' / 'raw'])
    return groups + [[folder] for folder in fixed]


def _files_in(folder):
    """Maps each file name to its path in folder, decompressed if both exist
    (faster to read)."""
    found = {}
    for name in FILES:
        for path in (folder / name, folder / (name + '.gz')):
            if path.is_file():
                found[name] = path
                break
    return found


def _download(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        target = folder / (name + '.gz')
        if target.is_file():
            continue
        part = folder / (name + '.download.gz')
        try:
            url = URL + name + '.gz'
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as r, \
                    open(part, 'wb') as f:
                shutil.copyfileobj(r, f)
            _parse(part, name)  # verify before the file gets its real name
            part.replace(target)
        finally:
            part.unlink(missing_ok=True)
    return _files_in(folder)


def locate():
    """Maps each of the four file names to its path, downloading if needed."""
    groups, lines = search_places(), []
    for group in groups:
        notes = []
        for folder in group:
            found = _files_in(folder)
            if len(found) == len(FILES):
                return found
            if found:
                missing = ', '.join(sorted(set(FILES) - set(found)))
                notes.append(f'{folder} '
                             + _core.message('incomplete', missing=missing))
        lines.append('  ' + ', '.join(map(str, group)))
        lines += ['    ' + note for note in notes]
    if os.environ.get('D2L_OFFLINE', '') not in ('', '0'):
        status = _core.message('offline')
    else:
        folder = _download_folder()
        print(_core.message('downloading', url=URL, folder=folder))
        try:
            return _download(folder)
        except (OSError, CorruptDataError) as e:
            status = _core.message('download_failed', url=URL, reason=e)
    raise DataNotFoundError(_core.message(
        'not_found', files=', '.join(FILES), places='\n'.join(lines),
        download=status))


def _parse(path, name):
    """The verified array in one idx file; raises, naming the file, if
    anything is off."""
    expected_sha, shape = FILES[name]
    data = path.read_bytes()
    if path.suffix == '.gz':
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise CorruptDataError(_core.message(
                'corrupt', file=path, reason=f'gzip: {e}')) from None
    # idx header: magic 0x0800 + number of dimensions (ubyte data), then sizes.
    header = struct.pack(f'>{1 + len(shape)}I', 0x800 + len(shape), *shape)
    if data[:len(header)] != header:
        reason = (f'idx header {data[:len(header)].hex()}, '
                  f'expected {header.hex()}')
    elif len(data) != len(header) + np.prod(shape):
        reason = (f'{len(data):,} bytes, '
                  f'expected {len(header) + np.prod(shape):,}')
    else:
        reason = None
    if reason:
        raise CorruptDataError(
            _core.message('corrupt', file=path, reason=reason))
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha:
        raise ChecksumError(_core.message(
            'checksum', file=path, actual=actual, expected=expected_sha))
    array = np.frombuffer(data, np.uint8, offset=len(header)).reshape(shape)
    if len(shape) == 1:
        array = array.astype(np.int64)
    array.flags.writeable = False  # shared by every loader through the cache
    return array


_CACHE = {}


def _read(path, name):
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _CACHE:
        _CACHE[key] = _parse(path, name)
    return _CACHE[key]


def load(split):
    """(images uint8 (N, 28, 28), labels int64 (N,), size of the full split)
    of 'train' or 'test'; the quick profile keeps only the first images."""
    files = locate()
    images, labels = (_read(files[name], name) for name in SPLITS[split])
    full_size = len(labels)
    if _core.profile() == 'quick':
        n = _core.QUICK_TRAIN if split == 'train' else _core.QUICK_TEST
        images, labels = images[:n], labels[:n]
    return images, labels, full_size


def bilinear_matrix(out_size, in_size=28):
    """W (out_size, in_size) such that W @ X @ W.T resizes a square image X.

    Bilinear with half-pixel centres and no antialiasing, i.e. PyTorch's
    F.interpolate(mode='bilinear', align_corners=False), so every framework
    can resize with its own matmul and all of them get the same pixels.
    """
    f32 = np.float32  # PyTorch computes the weights in float32 too
    src = f32(in_size / out_size) * (np.arange(out_size, dtype=f32) + f32(0.5))
    src = np.maximum(src - f32(0.5), f32(0))  # no extrapolation before pixel 0
    lo = src.astype(np.int64)
    hi = np.minimum(lo + 1, in_size - 1)
    frac = src - lo.astype(f32)
    w = np.zeros((out_size, in_size), f32)
    rows = np.arange(out_size)
    np.add.at(w, (rows, lo), f32(1) - frac)
    np.add.at(w, (rows, hi), frac)  # at the last pixel lo == hi: weight 1
    return w


class Loader:
    """Minibatches (X, y) of Fashion-MNIST, float32 in [0, 1].

    Every epoch it reshuffles the examples (not the batches) and it keeps the
    last partial batch. It holds uint8 images; a framework subclass makes the
    batches: `_setup` prepares `self.device` (the resize matrix there, and
    the images too where the framework gathers on the device), `_indices`
    turns an order of examples into an index for them, and
    `_batch(idx)` gathers, scales and resizes one batch. num_examples and
    full_size (that of the whole split) tell what a quick run used.
    """

    default_device = None

    def __init__(self, images, labels, full_size, batch_size, resize=None,
                 shuffle=True):
        self.images, self.labels = images, labels
        self.num_examples, self.full_size = len(labels), full_size
        self.batch_size, self.resize = batch_size, resize
        self.shuffle = shuffle
        # Resizing 28 to 28 is the identity: skip the multiplications.
        self.matrix = None if resize in (None, 28) else bilinear_matrix(resize)
        self.device = self.default_device
        self._rng = np.random.default_rng()
        self._setup()

    def __len__(self):
        return -(-self.num_examples // self.batch_size)

    def __iter__(self):
        n = self.num_examples
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        order = self._indices(order)
        for start in range(0, n, self.batch_size):
            yield self._batch(order[start:start + self.batch_size])

    def on_device(self, device):
        """The same examples, with batches made directly on device."""
        loader = copy.copy(self)
        loader.device = device
        loader._setup()
        return loader


def loaders(loader_class, batch_size, resize, shuffle):
    """(train_iter, test_iter) of loader_class; the test set is never
    shuffled."""
    return (loader_class(*load('train'), batch_size, resize, shuffle),
            loader_class(*load('test'), batch_size, resize, shuffle=False))
