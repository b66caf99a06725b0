"""The cell parsers now live in `kechuang.core.imports.cells`; this name stays for the callers
that import it from here."""

from kechuang.core.imports.cells import *  # noqa: F403
from kechuang.core.imports.cells import __all__  # noqa: F401
