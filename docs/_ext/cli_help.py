"""``cli-help`` directive: the ``skplate`` command's ``--help`` text, taken from its parser.

``.. cli-help::`` shows ``skplate --help``; ``.. cli-help:: train`` shows
``skplate train --help``. The text comes from :func:`skplate.cli.build_parser` at build
time, so the Command line page cannot drift from the program.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

# argparse wraps help text to the terminal width; fix it so that builds are reproducible.
_HELP_COLUMNS = "88"


def help_text(*command: str) -> str:
    """The help the ``skplate`` parser prints for ``skplate [COMMAND] --help``."""
    from skplate.cli import build_parser

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = _HELP_COLUMNS
    out = io.StringIO()
    try:
        parser = build_parser()
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            parser.parse_args([*command, "--help"])
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return out.getvalue().rstrip()


class CliHelp(SphinxDirective):
    """Insert ``skplate [COMMAND] --help`` as a literal block."""

    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        import skplate.cli

        # Rebuild the page when the parser changes: any module of the skplate.cli package.
        for module in sorted(Path(skplate.cli.__file__).parent.glob("*.py")):
            self.env.note_dependency(str(module))
        text = help_text(*self.arguments)
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


def setup(app):
    app.add_directive("cli-help", CliHelp)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
