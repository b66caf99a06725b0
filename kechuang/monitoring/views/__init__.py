"""Monitoring's pages: `dashboard` (the leadership's dashboard, one indicator), `targets` (the
county split of an indicator's target), `observations` (list, entry, detail, conflict
resolution, file import) and `report` (the Word report download). Routed by `urls.py`."""
