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


@pytest.mark.parametrize("name", ["events", "outbox"])
def test_each_action_of_a_command_has_help_and_a_readme_entry(name):
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices[name]
    actions = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
    assert actions, f"{name} has no actions"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for action, action_parser in actions[0].choices.items():
        assert action_parser.description and len(action_parser.description) > 30, \
            f"{name} {action} needs a description"
        assert f"`chipwatch {name} {action}" in readme, \
            f"README.md does not document `chipwatch {name} {action}`"
        result = chipwatch(name, action, "--help")
        assert result.returncode == 0 and "usage:" in result.stdout
