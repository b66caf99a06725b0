"""Excel round-trip for the registries: template, validated import (dry run, then all-or-nothing
commit), error report workbook and export. One column spec per registry (`specs.py`) drives all
four, so an export re-imports unchanged. `parsing.py` is pure Python (no Django)."""
