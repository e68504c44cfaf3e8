"""The documentation site's hand-written lists stay in step with the code.

The site itself is built, warnings as errors, by CI (``python -m sphinx -W ...``); these
checks need no Sphinx.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import skplate

DOCS = Path(__file__).resolve().parents[1] / "docs"
EXAMPLES = DOCS.parent / "examples"


def test_api_page_lists_every_top_level_name():
    # docs/api.rst lists skplate.__all__ by hand, as ~module.name where each is defined.
    table = re.findall(r"^   ~(\w+)\.(\w+)$", (DOCS / "api.rst").read_text(), re.M)
    listed = {name: module for module, name in table}
    public = set(skplate.__all__) - {"__version__"}
    assert set(listed) == public
    for name, module in listed.items():
        defined = getattr(importlib.import_module(f"skplate.{module}"), name)
        assert defined is getattr(skplate, name), f"{name} is not skplate.{module}.{name}"


def test_examples_page_includes_every_example():
    page = (DOCS / "examples.md").read_text(encoding="utf-8")
    included = set(re.findall(r"^```\{literalinclude\} \.\./examples/(\S+\.py)$", page, re.M))
    assert included == {path.name for path in EXAMPLES.glob("*.py")}
