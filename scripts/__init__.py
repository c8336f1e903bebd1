"""The book's build, one sub-package per stage (the folder tree is the
architecture; `python -m scripts.checks.layers` holds it to that):

- `environment`: the book's layout, the machine, kernels, profiles, data;
- `pipeline`: parse, check, split, execute and merge the pages;
- `render`: the HTML site, the PDFs, the downloads, the live preview;
- `notebooks`: the Colab notebooks;
- `checks`: cross-framework equivalence, benchmarks, the layering check.

A stage imports only stages before it: environment < pipeline < {render,
notebooks, checks}.
"""
