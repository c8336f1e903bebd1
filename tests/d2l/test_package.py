"""The d2l package's metadata: its version comes from d2l.__version__, and
each framework's extra pins what the book was tested with
(requirements/<framework>.txt) and what d2l.environment tells readers to
install."""

import re
import tomllib
from pathlib import Path

import pytest

import d2l
from d2l import environment

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']
EXTRAS = {'mxnet': 'mxnet', 'pytorch': 'torch', 'tensorflow': 'tensorflow'}


def pins(path):
    """{name: version} of the `name==version` lines of a requirements file
    and the files it includes."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split('#')[0].strip()
        if line.startswith('-r '):
            found.update(pins(path.parent / line[3:].strip()))
        elif '==' in line:
            name, version = line.split('==')
            found[re.sub(r'\[.*\]', '', name).strip()] = version.strip()
    return found


def test_version_and_description():
    assert PROJECT['dynamic'] == ['version']
    assert re.fullmatch(r'\d+\.\d+\.\d+', d2l.__version__)
    assert 'VGG' not in PROJECT['description']
    assert all(fw in PROJECT['description']
               for fw in ('MXNet', 'PyTorch', 'TensorFlow'))


@pytest.mark.parametrize('extra, module', EXTRAS.items())
def test_extra_pins_what_the_book_tested(extra, module):
    fw = environment.FRAMEWORKS[module]
    assert fw.extra == extra
    extra_pins = dict(req.split('==') for req in
                      PROJECT['optional-dependencies'][extra])
    tested = pins(ROOT / 'requirements' / f'{extra}.txt')
    # Linux CPU builds (tensorflow-cpu) are the same release as the extra's.
    tested = {name.removesuffix('-cpu'): v for name, v in tested.items()}
    assert extra_pins[fw.distribution] == fw.tested == tested[fw.distribution]
    for name, version in extra_pins.items():
        assert tested[name] == version, (extra, name)
