"""scaffold: recommend Django or Flask and generate a starter project with Copier."""

from __future__ import annotations

from ._version import __version__

__all__ = ["__version__"]
