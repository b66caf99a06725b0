"""Every write of the registry: the reference data (`reference`), the annual figures' workflow
填报 → 县区审核 → 市级确认 (`workflow`), qualification claims and their verification
(`qualifications`), official lists of qualifications (`official_list`); the registries' plain
CRUD goes through `kechuang.core.services` from the declarative resources (`registry/api`), and
the Excel import through `registry/excel/importer.py` on `kechuang.core.imports`."""

from kechuang.registry.services.reference import REFERENCE_FILE, LoadReport, load_reference

__all__ = ["REFERENCE_FILE", "LoadReport", "load_reference"]
