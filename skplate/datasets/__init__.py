"""Dataset loaders and synthetic data generators.

The loaders read the published files (Chars74K archives, the Roboflow plate export)
without extracting them; see :func:`get_data_home` for where they are looked for.
"""

from ._base import get_data_home
from ._chars74k import load_chars74k
from ._junk import make_synthetic_junk
from ._plates import load_plates
from ._synthetic import make_synthetic_chars, make_synthetic_plates

__all__ = [
    "get_data_home",
    "load_chars74k",
    "load_plates",
    "make_synthetic_chars",
    "make_synthetic_junk",
    "make_synthetic_plates",
]
