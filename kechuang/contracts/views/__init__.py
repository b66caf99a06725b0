"""The register's pages: list and export, detail with history and the registrar's actions, the
application form, the workbench, the certificate, the public check, statistics and import."""
