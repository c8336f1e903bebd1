"""Find Fashion-MNIST for the build, installing or downloading it if needed,
and verify it. Prints the folder used.

Order: the places `d2l` searches (D2L_DATA_DIR first); then the Debian package
`dataset-fashion-mnist` when apt is usable; then a download from the official
source, verified by checksum. Execution itself never touches the network.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from d2l import fashion_mnist

from scripts import book

DOWNLOAD_DIR = book.BUILD / "data" / "fashion-mnist"


def checksums() -> dict[str, str]:
    """sha256 of the decompressed files, as `d2l` verifies them."""
    return dict(fashion_mnist.SHA256)


def locate() -> Path:
    """The verified data folder, without installing or downloading anything."""
    return fashion_mnist.find_data_dir(download=False)


def obtain() -> Path:
    try:
        return locate()
    except FileNotFoundError:
        pass
    subprocess.run(["bash", str(book.ROOT / "scripts" / "install_system_packages.sh")], check=False)
    try:
        return locate()
    except FileNotFoundError:
        pass
    return fashion_mnist.download(DOWNLOAD_DIR)


def main() -> int:
    try:
        folder = obtain()
    except (FileNotFoundError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"Fashion-MNIST: {folder} (checksums verified)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
