"""Synthetic Nanyang: a deterministic, invented innovation ecosystem for demos and benchmarks.

The generators in this package are plain Python (no Django): they take the reference data as
plain values, a scale and a seed, and return plain specs. `writer.py` is the only module that
touches the database. Every name is invented and ends in “（演示）”; every row is flagged
`is_demo` (qualifications and annual reports through their organization), so no figure is ever
attached to a real organization.

Entry points: `ecosystem.plan_ecosystem` (the city-wide part: organizations, qualifications,
platforms) and `ecosystem.details_for` (per organization: patents, annual figures, talents,
teams), `writer.write_ecosystem` (the bulk insert behind `manage.py generate_demo`).
"""
