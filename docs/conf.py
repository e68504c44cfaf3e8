"""Sphinx configuration of the skplate documentation.

Build from the repository root (warnings are errors, as in CI)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
# TensorFlow is imported by the API pages' autodoc; keep its start-up chatter quiet.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import skplate  # noqa: E402

project = "skplate"
author = "skplate developers"
copyright = "skplate developers, BSD-3-Clause"
version = release = skplate.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "cli_help",
    "plate_figures",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

# -- MyST: the markdown pages (index, user guide, benchmarks) are read as they are --------
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

# -- API reference -----------------------------------------------------------------------
autosummary_generate = True
autosummary_ignore_module_all = False  # a module's members are its __all__
autodoc_typehints = "none"  # the numpydoc "Parameters" sections give the types
autodoc_member_order = "bysource"

numpydoc_show_class_members = False  # the class template lists the methods itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- HTML --------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skplate {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# The guide pages have no section navigation: give their wide text blocks (the --help
# texts, the examples) the full width. The API pages keep the module navigation.
html_sidebars = {
    page: [] for page in (
        "index", "getting_started", "user_guide", "cli", "examples", "benchmarks", "changelog"
    )
}
html_static_path: list[str] = []
html_show_sourcelink = False


# -- Members ----------------------------------------------------------------------------
def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates set_{fit,score,...}_request methods on every estimator class
    # for metadata routing; they are its API, documented there, and their docstrings use
    # scikit-learn's own glossary and labels.
    if what == "class" and name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
