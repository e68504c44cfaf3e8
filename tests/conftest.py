"""Shared fixtures: where the reference data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = ("EnglishImg.tgz", "EnglishFnt.tgz", "test6Training.zip")


@pytest.fixture(scope="session")
def data_home() -> Path:
    """The reference data folder: ``$SKPLATE_DATA``, else ``<repo>/../shared/data``.

    Tests that use it are skipped, naming what is missing, when the archives are absent.
    """
    home = Path(os.environ.get("SKPLATE_DATA", REPO_ROOT.parent / "shared" / "data"))
    missing = [name for name in DATA_FILES if not (home / name).is_file()]
    if missing:
        pytest.skip(
            f"reference data not found: {', '.join(missing)} missing from {home}; set "
            "SKPLATE_DATA to the folder holding EnglishImg.tgz, EnglishFnt.tgz and "
            "test6Training.zip."
        )
    return home
