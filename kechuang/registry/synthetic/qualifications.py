"""HNTE and TSME histories that meet the plan's 2020 baselines exactly and then grow.

HNTE (高新技术企业): a certificate is issued in Q4 of its batch year and lasts three years
(expires_on = issued_on + 3 years − 1 day); most holders renew in the year it runs out. The
holders on 2020-12-31 are exactly the batches 2018, 2019 and 2020, and there are exactly
`hnte_2020` of them. Each later year renews about 82 % of the expiring batch and admits new
enterprises so that the year-end count follows 85–98 % of the geometric path to the 2025 target.

TSME (科技型中小企业): registration is yearly. A registration is issued in May of year Y and is
valid until 12-31 of year Y+1 (to the end of the following year's evaluation round), unless the
enterprise registers again in Y+1: then the new registration supersedes it and the old one's
expires_on is the day before the new issued_on. So an enterprise holds at most one valid
registration on any day, and "valid on Y-12-31" means "registered in Y, or in Y−1 and not
re-registered". Only enterprises with ≤ 500 employees and ≤ 2 亿元 revenue that year register.

Other honours (创新龙头、瞪羚、雏鹰、专精特新) are a few percent of the enterprises, most innovative
first, valid three years.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from kechuang.registry.synthetic.organizations import OrgSpec
from kechuang.registry.synthetic.params import BASE_YEAR, FIGURE_YEARS, Baseline, geometric_path
from kechuang.registry.synthetic.sampling import add_years, random_date

HNTE_ISSUER = "河南省高新技术企业认定管理机构"
TSME_ISSUER = "河南省科学技术厅"
HNTE_RENEWAL = 0.82
TSME_RENEWAL = 0.85
TSME_MAX_EMPLOYEES = 500
TSME_MAX_REVENUE = 20000.0  # 万元


@dataclass(frozen=True, slots=True)
class QualSpec:
    org: int  # OrgSpec.index
    kind: str
    certificate_no: str
    issued_on: dt.date
    expires_on: dt.date | None
    issuer_level: str
    issuer: str

    def is_valid_on(self, day: dt.date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)


@dataclass
class QualificationPlan:
    qualifications: list[QualSpec]
    hnte_batches: dict[int, list[int]]  # org index → HNTE batch years
    tsme_years: dict[int, list[int]]  # org index → TSME registration years

    def hnte_years(self, org: int) -> set[int]:
        """Years whose figures must satisfy the HNTE rules: the year before each batch (the
        application's figures) through the certificate's last full year."""
        return {y for b in self.hnte_batches.get(org, ()) for y in range(b - 1, b + 3)}


def _ranked(
    rng: random.Random, candidates: Iterable[OrgSpec], score: Callable[[OrgSpec], float]
) -> list[OrgSpec]:
    """Candidates best first, by score plus noise (not strictly the most innovative)."""
    keyed = [(score(o) + rng.gauss(0.0, 0.6), o.index, o) for o in candidates]
    keyed.sort(key=lambda item: (-item[0], item[1]))
    return [o for _, _, o in keyed]


def _hnte_score(org: OrgSpec) -> float:
    return org.innovation + 0.15 * (org.size_class in ("medium", "large"))


def plan_hnte(rng: random.Random, orgs: list[OrgSpec], baseline: Baseline) -> dict[int, list[int]]:
    enterprises = [o for o in orgs if o.is_enterprise]
    eligible = [o for o in enterprises if o.founded_on.year <= BASE_YEAR - 1]
    holders = _ranked(rng, eligible, _hnte_score)[: baseline.hnte_2020]
    if len(holders) < baseline.hnte_2020:
        raise ValueError("企业数量不足，无法满足 2020 年高新技术企业基数。")
    batches: dict[int, list[int]] = {}
    for org in holders:
        first_possible = org.founded_on.year + 1
        options = [y for y in (BASE_YEAR - 2, BASE_YEAR - 1, BASE_YEAR) if y >= first_possible]
        batch = rng.choices(options, weights=[30, 33, 37][-len(options) :])[0]
        years = [batch]
        while years[0] - 3 >= max(first_possible, 2011) and rng.random() < 0.6:
            years.insert(0, years[0] - 3)
        batches[org.index] = years
    for year in FIGURE_YEARS[1:]:
        for org_batches in batches.values():
            if org_batches[-1] == year - 3 and rng.random() < HNTE_RENEWAL:
                org_batches.append(year)
        holding = {i for i, b in batches.items() if b[-1] >= year - 2}
        target = geometric_path(baseline.hnte_2020, baseline.hnte_2025, year)
        wanted = round(target * rng.uniform(0.85, 0.98)) - len(holding)
        newcomers = [
            o for o in enterprises if o.index not in holding and o.founded_on.year <= year - 1
        ]
        for org in _ranked(rng, newcomers, _hnte_score)[: max(0, wanted)]:
            batches.setdefault(org.index, []).append(year)
    return batches


def _tsme_eligible(org: OrgSpec, year: int) -> bool:
    year = max(year, FIGURE_YEARS[0])  # before the figures: judge by the earliest known size
    revenue, staff = org.revenue_in(year), org.employees_in(year)
    return (
        revenue is not None
        and staff is not None
        and staff <= TSME_MAX_EMPLOYEES
        and revenue <= TSME_MAX_REVENUE
    )


def _can_register_tsme(org: OrgSpec, year: int) -> bool:
    return org.founded_on.year <= year and _tsme_eligible(org, year)


def _tsme_history(rng: random.Random, org: OrgSpec) -> list[int]:
    """The registration years up to 2020 of an enterprise registered in the 2020 stock."""
    lapsing = _can_register_tsme(org, BASE_YEAR - 1) and (
        not _can_register_tsme(org, BASE_YEAR) or rng.random() < 0.12
    )
    registered = [BASE_YEAR - 1] if lapsing else [BASE_YEAR]
    for earlier in range(registered[0] - 1, 2016, -1):
        if not (_can_register_tsme(org, earlier) and rng.random() < 0.7):
            break
        registered.insert(0, earlier)
    return registered


def _tsme_year(
    rng: random.Random,
    orgs: list[OrgSpec],
    years: dict[int, list[int]],
    year: int,
    baseline: Baseline,
) -> None:
    """One year after 2020: renewals, then newcomers up to the planned path."""
    for index, registered in years.items():
        renewing = registered[-1] == year - 1 and _can_register_tsme(orgs[index], year)
        if renewing and rng.random() < TSME_RENEWAL:
            registered.append(year)
    valid = {i for i, r in years.items() if r[-1] >= year - 1}
    target = geometric_path(baseline.tsme_2020, baseline.tsme_2025, year)
    wanted = round(target * rng.uniform(0.85, 0.95)) - len(valid)
    newcomers = [
        o for o in orgs if o.is_enterprise and o.index not in valid and _can_register_tsme(o, year)
    ]
    for org in _ranked(rng, newcomers, lambda o: o.innovation)[: max(0, wanted)]:
        years.setdefault(org.index, []).append(year)


def plan_tsme(rng: random.Random, orgs: list[OrgSpec], baseline: Baseline) -> dict[int, list[int]]:
    candidates = [
        o
        for o in orgs
        if o.is_enterprise
        and (_can_register_tsme(o, BASE_YEAR) or _can_register_tsme(o, BASE_YEAR - 1))
    ]
    chosen = _ranked(rng, candidates, lambda o: o.innovation)[: baseline.tsme_2020]
    if len(chosen) < baseline.tsme_2020:
        raise ValueError("企业数量不足，无法满足 2020 年科技型中小企业基数。")
    years = {org.index: _tsme_history(rng, org) for org in chosen}
    for year in FIGURE_YEARS[1:]:
        _tsme_year(rng, orgs, years, year, baseline)
    return years


def _hnte_specs(
    rng: random.Random, orgs: list[OrgSpec], batches: dict[int, list[int]]
) -> Iterator[QualSpec]:
    serial: dict[int, int] = {}
    for index in sorted(batches):
        for year in batches[index]:
            issued = random_date(rng, year, (10, 12))
            serial[year] = serial.get(year, 0) + rng.randint(1, 4)
            yield QualSpec(
                org=index,
                kind="HNTE",
                certificate_no=f"GR{year}41{serial[year]:06d}",
                issued_on=issued,
                expires_on=add_years(issued, 3) - dt.timedelta(days=1),
                issuer_level="national",
                issuer=HNTE_ISSUER,
            )


def _tsme_specs(
    rng: random.Random, orgs: list[OrgSpec], years: dict[int, list[int]]
) -> Iterator[QualSpec]:
    serial: dict[int, int] = {}
    for index in sorted(years):
        division = orgs[index].area.division
        issued = [random_date(rng, y, (5, 5)) for y in years[index]]
        for position, (year, day) in enumerate(zip(years[index], issued, strict=True)):
            expires = dt.date(year + 1, 12, 31)
            if position + 1 < len(issued) and years[index][position + 1] == year + 1:
                expires = issued[position + 1] - dt.timedelta(days=1)  # superseded
            serial[year] = serial.get(year, 0) + rng.randint(1, 5)
            yield QualSpec(
                org=index,
                kind="TSME",
                certificate_no=f"{year}{division}0{serial[year]:07d}",
                issued_on=day,
                expires_on=expires,
                issuer_level="provincial",
                issuer=TSME_ISSUER,
            )


# (kind, share of enterprises at scale 1 per mille, first year, last year, issuer level, issuer)
HONOURS = (
    ("innovation_leader", 5, 2019, 2021, "provincial", "河南省科学技术厅"),
    ("gazelle", 12, 2019, 2025, "provincial", "河南省科学技术厅"),
    ("eaglet", 18, 2020, 2025, "provincial", "河南省科学技术厅"),
    ("srdi", 30, 2021, 2025, "provincial", "河南省工业和信息化厅"),
)


def _honour_specs(rng: random.Random, orgs: list[OrgSpec]) -> Iterator[QualSpec]:
    enterprises = [o for o in orgs if o.is_enterprise and o.founded_on.year < 2019]
    for kind, per_mille, first, last, level, issuer in HONOURS:
        count = round(len(enterprises) * per_mille / 1000)
        for org in sorted(_ranked(rng, enterprises, _hnte_score)[:count], key=lambda o: o.index):
            issued = random_date(rng, rng.randint(first, last), (3, 11))
            yield QualSpec(
                org=org.index,
                kind=kind,
                certificate_no="",
                issued_on=issued,
                expires_on=add_years(issued, 3) - dt.timedelta(days=1),
                issuer_level=level,
                issuer=issuer,
            )


def plan_qualifications(orgs: list[OrgSpec], baseline: Baseline, seed: int) -> QualificationPlan:
    rng = random.Random(f"qualifications:{seed}")
    batches = plan_hnte(rng, orgs, baseline)
    tsme = plan_tsme(rng, orgs, baseline)
    specs = [
        *_hnte_specs(rng, orgs, batches),
        *_tsme_specs(rng, orgs, tsme),
        *_honour_specs(rng, orgs),
    ]
    return QualificationPlan(specs, batches, tsme)
