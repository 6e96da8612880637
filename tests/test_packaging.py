"""What `pip install` gets: the wheel carries every data file chipwatch reads at run time,
so `chipwatch demo` works from an installed copy, not only from a checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.timeout(300)

DATA_FILES = [
    "vocab/sources.toml",
    "tracker/classify/rules.toml",
    "store/browse/metadata.yml",
    "alerts/templates/digest.html",
    "replay/data/README.md",
    "replay/data/federal_register.json",
    "replay/data/commerce.json",
    "replay/data/bis.json",
    "replay/data/tsmc.json",
    "replay/data/trendforce.json",
]


def test_the_wheel_carries_the_registry_rules_templates_and_replay(tmp_path):
    # Built from a copy, so the build leaves nothing in the checkout.
    source = tmp_path / "src"
    skipped = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__",
                                     ".pytest_cache")

    def ignore(directory, names):
        local_state = {"data"} if directory == str(ROOT) else set()  # the checkout's own store
        return set(skipped(directory, names)) | (local_state & set(names))

    shutil.copytree(ROOT, source, ignore=ignore)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(tmp_path / "dist"), str(source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("chipwatch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in DATA_FILES if name not in names]
    assert not missing, missing
    assert not any(name.startswith(("tests/", "tools/", "bench/")) for name in names)
