"""Dataset loaders and synthetic data generators.

The loaders read the published files (Chars74K archives, the Roboflow plate export,
UC3M-LP) without extracting them; see :func:`get_data_home` for where they are looked for.
"""

from ._base import get_data_home
from ._chars74k import load_chars74k
from ._fonts import default_fonts
from ._junk import make_synthetic_junk
from ._plates import load_plates
from ._synthetic import make_synthetic_chars, make_synthetic_plates
from ._uc3m import is_uc3m, load_uc3m_chars, load_uc3m_crops, load_uc3m_photos

__all__ = [
    "default_fonts",
    "get_data_home",
    "is_uc3m",
    "load_chars74k",
    "load_plates",
    "load_uc3m_chars",
    "load_uc3m_crops",
    "load_uc3m_photos",
    "make_synthetic_chars",
    "make_synthetic_junk",
    "make_synthetic_plates",
]
