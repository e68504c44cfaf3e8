"""Diagnostics on standard error and the exit statuses of the ``skplate`` command."""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_FAILED = 1  # some inputs failed; the others were processed
EXIT_USAGE = 2  # usage error, bad argument, missing or unreadable file
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_BROKEN_PIPE = 141  # the output pipe was closed early ('| head')


class Log:
    """Progress and diagnostics on stderr: silenced by -q, detailed by -v."""

    def __init__(self, quiet: bool, verbose: int) -> None:
        self.quiet = quiet
        self.verbose = 0 if quiet else verbose

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def debug(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr, flush=True)

    def warn(self, message: str) -> None:
        print(f"skplate: warning: {message}", file=sys.stderr, flush=True)

    @property
    def progress(self) -> bool:
        """Whether to draw progress bars (only on a terminal)."""
        return not self.quiet and sys.stderr.isatty()

    def bar(self, total: int, unit: str):
        """A progress bar on stderr counting ``unit``s, drawn only when :attr:`progress`."""
        from tqdm import tqdm

        return tqdm(
            total=total,
            unit=unit,
            desc="reading",
            file=sys.stderr,
            disable=not self.progress,
            leave=False,
        )
