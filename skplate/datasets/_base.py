"""Where the datasets live: the data home, and the file a loader reads from it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

__all__ = ["DATA_HOME_ENV", "get_data_home", "resolve_dataset_path"]

#: Environment variable that overrides the default data home.
DATA_HOME_ENV = "SKPLATE_DATA"


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Return the folder where the loaders look for dataset files.

    The folder is, in order of precedence: ``data_home`` when given, else the
    ``SKPLATE_DATA`` environment variable when set and not empty, else ``~/skplate_data``.
    Nothing is created or downloaded: the datasets are published under licences that ask
    users to fetch them from their source, so the folder only has to hold the files.

    Parameters
    ----------
    data_home : str or path-like, default=None
        An explicit folder; ``~`` is expanded.

    Returns
    -------
    data_home : Path
        The folder (it may not exist).
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or Path.home() / "skplate_data"
    return Path(data_home).expanduser()


def resolve_dataset_path(
    path: str | os.PathLike | None,
    *,
    archive: str,
    folders: Sequence[str] = (),
    source: str,
) -> Path:
    """Return the file or folder a loader should read.

    Parameters
    ----------
    path : str, path-like or None
        What the user passed. When given it must exist and is returned as it is (the
        loader then works out whether it is an archive or a folder).
    archive : str
        File name of the published archive, looked for in the data home when ``path``
        is None (e.g. ``"EnglishImg.tgz"``).
    folders : sequence of str, default=()
        Extracted folders, relative to the data home, tried after the archive.
    source : str
        Where the dataset is published and how its files are laid out; appended to the
        error message.

    Returns
    -------
    path : Path
        An existing archive or folder.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist or, when it is None, if neither the archive nor an
        extracted folder is in the data home. The message names the missing file, the
        folder searched and where to get the data.
    """
    if path is not None:
        path = Path(path).expanduser()
        if not path.exists():
            raise FileNotFoundError(
                f"{path}: no such file or folder; expected {archive} or its extracted "
                f"folder. {source}"
            )
        return path
    home = get_data_home()
    candidates = [home / archive, *(home / folder for folder in folders)]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    tried = ", ".join(str(candidate) for candidate in candidates)
    raise FileNotFoundError(
        f"{archive} not found in the data home {home} (looked for {tried}). The data home "
        f"is the {DATA_HOME_ENV} environment variable, or ~/skplate_data when it is unset; "
        f"put {archive} there or pass path=. {source}"
    )
