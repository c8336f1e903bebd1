"""The reader-facing library of the book (Dive into Deep Learning, convolutional
networks, Korean and Chinese editions): the functions and classes the chapters
define once and then use from `d2l` (data loading, `train_ch6`, plotting),
one module per framework (`mxnet`, `torch`, `tensorflow`) over a framework-free
core.

Import the module of your framework, e.g. ``from d2l import torch as d2l``.
This package module imports no framework, so one reader needs only one.
"""

__version__ = '0.1.0'
