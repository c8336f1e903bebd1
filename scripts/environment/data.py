"""Find Fashion-MNIST for the build, installing or downloading it if needed,
and verify it. Prints the folder used.

Order: the places `d2l` searches (D2L_DATA_DIR first); then the Debian package
`dataset-fashion-mnist` when apt is usable; then a download from the official
source, verified by checksum. Execution itself never touches the network.
A verification is remembered (`_build/data/verified.json`) while the files
and D2L_DATA_DIR stay as they were, so an unchanged build does not read and
hash 30 MB again.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from scripts.environment import book
from scripts.environment.machine import patched

STAMP = book.BUILD / "data" / "verified.json"


def checksums() -> dict[str, str]:
    """sha256 of the decompressed files, as `d2l` verifies them."""
    from d2l import fashion_mnist  # d2l imports matplotlib: only when needed
    return {name: sha for name, (sha, _) in fashion_mnist.FILES.items()}


def locate() -> Path:
    """The folder holding the four files, without installing or downloading."""
    from d2l import fashion_mnist
    with patched(D2L_OFFLINE=1):
        files = fashion_mnist.locate()
    return next(iter(files.values())).parent


def obtain() -> Path:
    """Locate, else install the Debian package, else download; then verify."""
    from d2l import fashion_mnist
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


def state(folder: Path) -> dict:
    """What a verification of `folder` holds for: where d2l was told to look,
    and each file's size and modification time."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return {"D2L_DATA_DIR": os.environ.get("D2L_DATA_DIR"), "folder": str(folder),
            "files": {str(p): [p.stat().st_size, p.stat().st_mtime_ns] for p in files}}


def verified() -> Path | None:
    """The folder of the last verification, if nothing has changed since."""
    try:
        stamp = json.loads(STAMP.read_text(encoding="utf-8"))
        folder = Path(stamp["folder"])
        return folder if stamp == state(folder) else None
    except (OSError, ValueError, KeyError):
        return None


def main() -> int:
    folder = verified()
    if folder is None:
        try:
            folder = obtain()
        except (OSError, ValueError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        STAMP.parent.mkdir(parents=True, exist_ok=True)
        STAMP.write_text(json.dumps(state(folder), indent=1), encoding="utf-8")
    print(f"Fashion-MNIST: {folder} (checksums verified)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
