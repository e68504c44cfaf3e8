"""The ``skplate`` command: train, evaluate, predict and benchmark from the shell.

Argument parsing and printing only: every command is a short composition of the public
Python API (:mod:`skplate.training`, :func:`~skplate.recognizer.make_plate_recognizer`,
:mod:`skplate.persistence`, :func:`~skplate.datasets.load_plates`, :mod:`skplate.metrics`).
Heavy modules (TensorFlow) are imported inside the commands, so ``--help`` and
``--version`` answer at once.

Layout: one module per command (``skplate/cli/<command>.py``, defining
``register(commands)`` and ``run(args, log)``), listed in :data:`COMMANDS`; the options
they share in :mod:`skplate.cli._options`, the steps they share in
:mod:`skplate.cli._common`, what they print and write in :mod:`skplate.cli._output`,
diagnostics and exit statuses in :mod:`skplate.cli._log`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from .._version import __version__
from ._log import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, Log
from ._options import add_verbosity
from ._output import error_message

__all__ = ["COMMANDS", "build_parser", "main"]

# The sub-commands, in the order 'skplate --help' lists them. Each is the module
# skplate/cli/<name>.py, defining register(commands), which adds its sub-parser with
# _options.add_command, and run(args, log), which returns the exit status.
COMMANDS = ("train", "evaluate", "predict", "benchmark", "info")

_MAIN_EPILOG = """\
Run 'skplate COMMAND --help' for the options and examples of a command.

data:
  The reference files (EnglishImg.tgz, EnglishFnt.tgz, test6Training.zip) are looked for
  in --data-home, else in $SKPLATE_DATA, else in ~/skplate_data.

exit status:
  0  success
  1  some inputs failed (an unreadable image, a plate skipped for a bad label); the
     others were processed
  2  usage error, bad argument, or a missing or unreadable file (model, data)
  130  interrupted (Ctrl-C); 141  the output pipe was closed early ('| head')

examples:
  SKPLATE_DATA=../shared/data skplate benchmark
  skplate train --out model.joblib
  skplate evaluate --model model.joblib --format spanish
  skplate predict --model model.joblib photo.jpg --box 120,200,260,240
  skplate predict --model model.joblib photos/ --output readings.csv --jobs 2
"""


def build_parser() -> argparse.ArgumentParser:
    """The ``skplate`` argument parser, with a sub-parser per module in :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="skplate",
        description="Licence-plate OCR from scratch, as scikit-learn estimators.",
        epilog=_MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"skplate {__version__}")
    add_verbosity(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``skplate`` command; return its exit status (see ``skplate --help``)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        code = exit_.code
        return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_USAGE)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print(
            f"skplate: error: a command is required ({', '.join(COMMANDS)})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    log = Log(getattr(args, "quiet", False), getattr(args, "verbose", 0) or 0)
    try:
        return args.func(args, log)
    except KeyboardInterrupt:
        print("skplate: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away ('skplate predict ... | head'): stop quietly, as Unix tools
        # do. Python would otherwise fail again flushing stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except (OSError, ValueError, ImportError) as error:
        # FileNotFoundError, ModelFileError, validation; TensorFlow missing from a
        # reading-only install (the message says which extra brings it)
        if log.verbose:
            traceback.print_exc()
        print(f"skplate: error: {error_message(error)}", file=sys.stderr)
        return EXIT_USAGE
