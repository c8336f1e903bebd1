"""Helpers for the VGG chapter of Dive into Deep Learning.

Import the module of your framework, e.g. ``from d2l import torch as d2l``.
This package module imports no framework, so one reader needs only one.
"""

__version__ = '0.1.0'
