"""Every command has help and is documented in the README."""

import pytest

from tests.conftest import ROOT, chipwatch
from tracker.cli import COMMANDS, build_parser


def test_top_level_help_lists_every_command():
    result = chipwatch("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_help_and_a_readme_entry(name):
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices[name]
    assert sub.description and len(sub.description) > 30, f"{name} needs a description"
    assert f"`chipwatch {name}" in (ROOT / "README.md").read_text(encoding="utf-8"), \
        f"README.md does not document `chipwatch {name}`"
