"""The reader-facing library of the book (Dive into Deep Learning, convolutional
networks, Korean and Chinese editions): the functions and classes the chapters
define once and then use from `d2l` (data loading, `train_ch6`, plotting,
device choice), one module per framework (`mxnet`, `torch`, `tensorflow`)
over a framework-free core.

Import the module of your framework, e.g. ``from d2l import torch as d2l``.
This package module imports no framework, so one reader needs only one; the
framework module says what to install when its framework is missing or does
not fit (`d2l.environment`).
"""

# Raised with every change of d2l/ or pyproject.toml: the notebooks install
# d2l from the commit that holds this version (notebooks/d2l.json, written
# by `make notebooks`; a test fails until both are updated).
__version__ = '0.3.1'
