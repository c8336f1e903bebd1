"""Stage 0, the environment: what every later stage stands on.

The book's layout (`book`: pages, editions, frameworks, paths), the machine a
build runs on (`machine`: GPU, CPU), one Python environment and Jupyter
kernel per framework (`kernels`), the execution profile a notebook runs in
(`profiles`), the dataset (`data`), shared file helpers (`files`) and the
Debian packages the book needs (`system_packages.sh`). Nothing here imports
a later stage.
"""
