"""The layout of the ``skplate`` command: one module per command, each small.

A command is the module ``skplate/cli/<name>.py`` with ``register(commands)`` and
``run(args, log)``, listed once in ``skplate.cli.COMMANDS``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from skplate import cli

PACKAGE = Path(cli.__file__).parent


@pytest.mark.parametrize("name", cli.COMMANDS)
def test_every_listed_command_is_a_module_the_parser_dispatches_to(name):
    module = importlib.import_module(f"skplate.cli.{name}")
    assert callable(module.register) and callable(module.run)
    args = cli.build_parser().parse_args(_minimal_argv(name))
    assert args.command == name
    assert args.func is module.run


def _minimal_argv(name: str) -> list[str]:
    """The shortest command line each command accepts (its required arguments)."""
    parser = cli.build_parser()
    candidates = ([], ["m.joblib"], ["--model", "m.joblib"], ["--model", "m.joblib", "photo.jpg"])
    for extra in candidates:
        try:
            parser.parse_args([name, *extra])
        except SystemExit:
            continue
        return [name, *extra]
    raise AssertionError(f"no minimal command line found for {name!r}")


def test_no_command_is_a_usage_error_naming_every_command(capsys):
    assert cli.main([]) == 2
    assert f"a command is required ({', '.join(cli.COMMANDS)})" in capsys.readouterr().err


def test_no_cli_module_is_over_400_lines():
    sizes = {path.name: len(path.read_text().splitlines()) for path in PACKAGE.glob("*.py")}
    assert {name: size for name, size in sizes.items() if size > 400} == {}
