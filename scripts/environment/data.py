"""Find Fashion-MNIST for the build, installing or downloading it if needed,
and verify it. Prints the folder used.

Order: the places `d2l` searches (D2L_DATA_DIR first); then the Debian package
`dataset-fashion-mnist` when apt is usable; then a download from the official
source, verified by checksum. Execution itself never touches the network.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from d2l import fashion_mnist

from scripts.environment import book
from scripts.environment.machine import patched


def checksums() -> dict[str, str]:
    """sha256 of the decompressed files, as `d2l` verifies them."""
    return {name: sha for name, (sha, _) in fashion_mnist.FILES.items()}


def locate() -> Path:
    """The folder holding the four files, without installing or downloading."""
    with patched(D2L_OFFLINE=1):
        files = fashion_mnist.locate()
    return next(iter(files.values())).parent


def obtain() -> Path:
    """Locate, else install the Debian package, else download; then verify."""
    try:
        folder = locate()
    except fashion_mnist.DataNotFoundError:
        subprocess.run(["bash", str(book.ROOT / "scripts" / "environment" / "system_packages.sh")], check=False)
        try:
            folder = locate()
        except fashion_mnist.DataNotFoundError:
            # d2l downloads into D2L_DATA_DIR or ~/.d2l/data/fashion-mnist and verifies.
            with patched(D2L_OFFLINE=os.environ.get("D2L_OFFLINE", "0")):
                folder = next(iter(fashion_mnist.locate().values())).parent
    with patched(D2L_DATA_DIR=folder, D2L_OFFLINE=1):
        for split in fashion_mnist.SPLITS:
            fashion_mnist.load(split)  # raises, naming the file, on a bad checksum
    return folder


def main() -> int:
    try:
        folder = obtain()
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"Fashion-MNIST: {folder} (checksums verified)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
