"""The whole synthetic city: the city-wide plan first, then each organization's details.

City-wide choices (which enterprises hold HNTE/TSME in which years, which organizations host
which platforms) need all organizations at once; the rest (patents, annual figures, talents,
teams) is generated one organization at a time, in index order, so that scale 100 streams
through memory. Each part draws from its own seeded random stream, so the same scale and seed
always give the same data.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from typing import Any

from kechuang.registry.synthetic.figures import annual_figures
from kechuang.registry.synthetic.organizations import OrgSpec, generate_organizations
from kechuang.registry.synthetic.params import Baseline
from kechuang.registry.synthetic.patents import PatentGenerator, PatentSpec
from kechuang.registry.synthetic.platforms import PlatformSpec, generate_platforms
from kechuang.registry.synthetic.qualifications import QualificationPlan, plan_qualifications
from kechuang.registry.synthetic.reference import Reference
from kechuang.registry.synthetic.talents import TalentGenerator, TalentSpec, TeamSpec


@dataclass
class EcosystemPlan:
    scale: float
    seed: int
    baseline: Baseline  # already scaled
    reference: Reference
    organizations: list[OrgSpec]
    qualifications: QualificationPlan
    platforms: list[PlatformSpec]


@dataclass
class OrgDetails:
    org: OrgSpec
    patents: list[PatentSpec]
    reports: list[tuple[int, dict[str, Any]]]
    talents: list[TalentSpec]
    teams: list[TeamSpec]


def plan_ecosystem(
    reference: Reference, scale: float, seed: int, baseline: Baseline | None = None
) -> EcosystemPlan:
    """The city-wide part. `baseline` (unscaled) defaults to the plan's figures; tests pass
    their own to check exactness cheaply."""
    scaled = (baseline or Baseline()).scaled(scale)
    orgs = generate_organizations(reference, scaled.organizations, seed)
    qualifications = plan_qualifications(orgs, scaled, seed)
    platforms = generate_platforms(orgs, scaled, seed)
    return EcosystemPlan(scale, seed, scaled, reference, orgs, qualifications, platforms)


def iter_details(plan: EcosystemPlan) -> Iterator[OrgDetails]:
    """Each organization's patents, figures, talents and teams, in index order."""
    patents = PatentGenerator(plan.seed, plan.reference.industries)
    talents = TalentGenerator(plan.seed, plan.reference.industries, plan.reference.tech_fields)
    figures_rng = random.Random(f"figures:{plan.seed}")
    for org in plan.organizations:
        batches = plan.qualifications.hnte_batches.get(org.index)
        org_patents = patents.for_organization(org, batches[0] if batches else None)
        reports = annual_figures(
            figures_rng, org, plan.qualifications.hnte_years(org.index), org_patents
        )
        org_talents, org_teams = talents.for_organization(org, batches is not None)
        yield OrgDetails(org, org_patents, reports, org_talents, org_teams)


def digest(plan: EcosystemPlan) -> str:
    """A SHA-256 over everything generated, for determinism checks."""
    sha = hashlib.sha256()
    for org in plan.organizations:
        sha.update(repr(astuple(org)).encode())
    for qualification in plan.qualifications.qualifications:
        sha.update(repr(astuple(qualification)).encode())
    for platform in plan.platforms:
        sha.update(repr(astuple(platform)).encode())
    for details in iter_details(plan):
        sha.update(
            repr((details.patents, details.reports, details.talents, details.teams)).encode()
        )
    return sha.hexdigest()
