"""Driving a kernel: the nbclient client that executes one notebook for
scripts/pipeline/execute.py (naming the cell a dead kernel died in,
collecting the training results `d2l` writes, Ctrl-C as Jupyter's stop
button), and the lock that keeps two builds from executing in one tree at
once."""
from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import signal
import sys
from pathlib import Path

from nbclient import NotebookClient

from scripts.environment import book


@contextlib.contextmanager
def exclusive(path: Path):
    """Hold the lock at `path` for this process; a second build in the same
    tree waits for the first, saying so, then finds its notebooks cached."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            print(f"another build is executing notebooks in {book.shown(path.parent)} ({holder}); "
                  "waiting for it to finish, then reusing what it executed", file=sys.stderr, flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {os.getpid()}\n")
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)


class Client(NotebookClient):
    """nbclient that remembers which cell it is running, so a kernel that dies
    mid-cell (no error output to find) still names its cell, and which cell
    wrote each training result (a JSON line that `d2l` appends to
    `results_file`). Ctrl-C (SIGINT) interrupts the running cell in the
    kernel, as Jupyter's stop button does, and a second one kills the kernel:
    nbclient's own handler would shut the kernel down under the running cell
    and then fail in its cleanup with a traceback of its internals."""

    def __init__(self, nb, results_file: Path, **kwargs):
        super().__init__(nb, **kwargs)
        self.results_file = results_file
        self.current: int | None = None
        # Each with "code_cell": the place of its cell among the code cells,
        # which prose edits (they keep the cache) cannot shift.
        self.results: list[dict] = []
        self.interrupts = 0

    def _interrupt(self):
        self.interrupts += 1
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT if self.interrupts == 1 else signal.SIGKILL)

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        if self.current is None:  # the kernel runs: take SIGINT over from nbclient
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
                asyncio.get_running_loop().add_signal_handler(signal.SIGINT, self._interrupt)
        self.current = cell_index
        executed = await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        lines = [line for line in self.results_file.read_text().splitlines() if line.strip()]
        code_cell = sum(c.cell_type == "code" for c in self.nb.cells[:cell_index])
        self.results += [dict(json.loads(line), code_cell=code_cell)
                         for line in lines[len(self.results):]]
        return executed
