"""The documentation site's hand-written lists stay in step with the code.

The site itself is built, warnings as errors, by CI (``python -m sphinx -W ...``); these
checks need no Sphinx (the user guide's pictures are drawn by a plain function).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path

import cv2

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


def _plate_figures():
    """docs/_ext/plate_figures.py, the Sphinx extension that draws the user guide's pictures."""
    spec = importlib.util.spec_from_file_location(
        "plate_figures", DOCS / "_ext" / "plate_figures.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(sys.modules[spec.name])
    return sys.modules[spec.name]


def test_user_guide_pictures_are_drawn_without_data_or_network(tmp_path):
    # What a fresh CI machine without the data builds: a generated plate, no network.
    figures = _plate_figures()
    drawn = figures.make_figures(tmp_path / "figures", data_home=str(tmp_path / "no_data"))
    assert drawn.source == "make_synthetic_plates" and drawn.model is None
    assert set(drawn.paths) == set(figures.FIGURES) - {"vote"}
    shapes = {}
    for name, path in drawn.paths.items():
        image = cv2.imread(str(path))
        assert image is not None, name
        assert image.std() > 10, f"{name} is blank"
        shapes[name] = image.shape
    # 16 filter variants in a 4 x 4 grid of 240 x 80 crops; three crops, stacked and doubled.
    assert shapes["variants"][1] >= 4 * 240 and shapes["variants"][0] >= 4 * 80
    assert shapes["crops"][0] >= 3 * 160
    # Drawn again with the same inputs, a picture is not rewritten (Sphinx re-reads a page
    # only when one of its pictures changed).
    stamps = {name: path.stat().st_mtime_ns for name, path in drawn.paths.items()}
    again = figures.make_figures(tmp_path / "figures", data_home=str(tmp_path / "no_data"))
    assert {name: path.stat().st_mtime_ns for name, path in again.paths.items()} == stamps


def test_user_guide_shows_every_picture():
    figures = _plate_figures()
    guide = (DOCS / "user_guide.md").read_text(encoding="utf-8")
    shown = re.findall(r"^```\{plate-figure\} (\w+)$", guide, re.M)
    assert sorted(shown) == sorted(figures.FIGURES)
    assert len(set(figures.FIGURES) - {"vote"}) >= 5  # drawn on every build


def test_benchmarks_page_is_short_and_changelog_is_in_the_toctree():
    assert len((DOCS / "benchmarks.md").read_text(encoding="utf-8").splitlines()) <= 300
    assert re.search(r"^changelog$", (DOCS / "index.md").read_text(encoding="utf-8"), re.M)
