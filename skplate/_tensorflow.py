"""Import TensorFlow without its start-up log lines when the user asked for a quiet log.

TensorFlow 2.21 prints its oneDNN notice through Abseil before Abseil's logging is set
up, so ``TF_CPP_MIN_LOG_LEVEL`` does not hide it. When that variable asks for quiet
(1 or more; skplate sets 3 unless the user chose a level), the C-level standard error is
pointed at the null device for the length of the import. Python errors raised by the
import still propagate, with their messages.
"""

from __future__ import annotations

import os
import sys

__all__ = ["TRAIN_EXTRA_HINT", "import_tensorflow"]

#: What to install when TensorFlow is missing (a reading-only install of skplate).
TRAIN_EXTRA_HINT = (
    "training, fine-tuning and .joblib models need TensorFlow and Keras, which a "
    "reading-only install of skplate leaves out: pip install 'skplate[train]' (models "
    "saved as .skplate read without them)"
)


def import_tensorflow() -> None:
    """Import TensorFlow once, silencing its start-up notices if the log level asks for it.

    Raises
    ------
    ModuleNotFoundError
        When TensorFlow is not installed, saying which extra brings it.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        _import_tensorflow()
    except ModuleNotFoundError as error:
        if error.name not in ("tensorflow", "keras"):
            raise
        raise ModuleNotFoundError(f"No module named {error.name!r}: {TRAIN_EXTRA_HINT}.",
                                  name=error.name) from error


def _import_tensorflow() -> None:
    if "tensorflow" in sys.modules or os.environ["TF_CPP_MIN_LOG_LEVEL"] in ("", "0"):
        import tensorflow

        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            try:
                import tensorflow  # noqa: F401
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)
