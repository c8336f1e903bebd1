"""`make data` remembers a verification only while nothing it depends on
changed: the files (size, modification time) and D2L_DATA_DIR."""
import json
import os

from scripts.environment import data


def test_a_verification_holds_until_a_file_or_the_search_changes(tmp_path, monkeypatch):
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    image = folder / "train-images-idx3-ubyte.gz"
    image.write_bytes(b"images")
    monkeypatch.setattr(data, "STAMP", tmp_path / "verified.json")
    monkeypatch.delenv("D2L_DATA_DIR", raising=False)
    assert data.verified() is None  # nothing verified yet
    data.STAMP.write_text(json.dumps(data.state(folder)))
    assert data.verified() == folder
    image.write_bytes(b"other!")  # same size, new time
    os.utime(image, ns=(1, 1))
    assert data.verified() is None
    data.STAMP.write_text(json.dumps(data.state(folder)))
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path))
    assert data.verified() is None
