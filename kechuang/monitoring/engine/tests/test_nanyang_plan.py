"""The shipped plan file data/plans/nanyang-14th.yaml against the plan's own text."""

import datetime as dt
import re
from pathlib import Path

import pytest

from kechuang.conftest import shared_dir
from kechuang.monitoring.engine.plan_file import Plan, load_plan
from kechuang.monitoring.engine.progress import compute_progress

from .helpers import obs

REPO = Path(__file__).resolve().parents[4]
PLAN_PATH = REPO / "data" / "plans" / "nanyang-14th.yaml"
SEEDS = shared_dir() / "seeds"

# The table "南阳市“十四五”科技创新预期目标", row by row: name, unit, 2020, 2025, kind.
TABLE = {
    "rd_growth": ("研发经费投入增长", "%", 13.8, 19, "average_annual_growth"),
    "platforms": ("科技创新平台数", "个", 764, 1000, "level"),
    "rd_staff_per_10k_workers": ("每万名就业人员中研发人员", "人年", 21, 51, "level"),
    "industrial_rd_ratio": ("规模以上工业企业研发经费支出与营业收入之比", "%", 1.73, 3.46, "share"),
    "hightech_industry_share": ("高新技术产业增加值占规模以上工业增加值比重", "%", 50, 55, "share"),
    "hnte_count": ("高新技术企业数", "家", 264, 500, "level"),
    "digital_core_share": ("数字经济核心产业增加值占 GDP 比重", "%", 2, 4, "share"),
    "hv_patents_per_10k": ("每万人口高价值发明专利拥有量", "件", 2.13, 6.39, "level"),
    "tech_contract_amount": ("技术合同成交额", "亿元", 13, 75, "level"),
    "tsme_count": ("科技型中小企业数量", "家", 450, 1350, "level"),
    "science_literacy": ("公民具备基本科学素质比例", "%", 10.17, 15, "share"),
}

# Commitments named in the brief and DESIGN.md: section, comparator, value (low, high for range).
KEY_COMMITMENTS = {
    "provincial_platforms_total": ("一（四）", "gte", 100),
    "new_provincial_platforms": ("二（三）", "gte", 100),
    "new_rd_institutes": ("二（二）", "gte", 20),
    "provincial_tech_innovation_centers": ("二（一）", "gte", 5),
    "new_makerspaces_incubators": ("一（五）", "gte", 50),
    "tech_loan_scale": ("九（四）", "gte", 5),
    "st_commissioner_service_teams": ("八（三）", "gte", 10),
    "municipal_st_commissioners": ("八（三）", "approx", 200),
    "st_commissioner_county_coverage": ("八（三）", "gte", 13),
    "innovation_leader_enterprises": ("四（一）", "approx", 10),
    "new_leader_gazelle_eaglet_enterprises": ("一（四）", "gte", 70),
    "st_progress_contribution_rate": ("一（四）", "gte", 65),
    "provincial_st_awards": ("一（五）", "gte", 25),
    "new_high_level_innovation_teams": ("五（四）", "gte", 50),
    "industrial_talent_teams": ("五（四）", "gte", 30),
    "new_academician_scholar_stations": ("五（四）", "gte", 8),
    "tech_transfer_institutions": ("六（四）", "gte", 8),
    "new_tech_transfer_institutions": ("六（四）", "gte", 4),
    "industry_innovation_alliances": ("六（四）", "gte", 15),
    "new_industry_innovation_alliances": ("六（四）", "gte", 6),
    "external_rd_institutes": ("九（三）", "gte", 5),
    "provincial_intl_joint_labs": ("九（三）", "gte", 5),
    "new_platforms_municipal_and_above": ("二（三）", "gte", 500),
    "national_st_award_breakthrough": ("一（五）", "gte", 1),
    "hnte_over_500": ("一（四）", "gte", 500),
    "tsme_over_1350": ("一（四）", "gte", 1350),
    "tech_contract_amount_75": ("一（五）", "gte", 75),
}
SECTION = re.compile(r"^[一二三四五六七八九十]+(（[一二三四五六七八九十]+）)?$")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(PLAN_PATH)


@pytest.fixture(scope="module")
def seed_text(plan: Plan) -> str:
    path = SEEDS / plan.source_file
    if not path.exists():
        pytest.fail(
            f"the plan's text {path} is missing: these tests read ../shared/seeds "
            "(the shared repository, cloned next to this checkout; or set KECHUANG_SHARED)",
            pytrace=False,
        )
    return path.read_text(encoding="utf-8")


def test_plan_header_identifies_the_document(plan: Plan) -> None:
    assert plan.id == "nanyang-14"
    assert plan.title == "南阳市“十四五”科技创新和一流创新生态建设规划"
    assert plan.document_number == "宛政办〔2022〕52号"
    assert plan.issued == dt.date(2022, 8, 2)
    assert (plan.start_year, plan.end_year) == (2021, 2025)
    assert (plan.city_name, plan.area_code) == ("南阳市", "411300")
    assert plan.source_file == "000_324e3a1b7a0f7509.txt"


def test_indicators_are_exactly_the_eleven_table_rows_in_order(plan: Plan) -> None:
    assert [i.code for i in plan.indicators] == list(TABLE)


@pytest.mark.parametrize("code", list(TABLE))
def test_indicator_matches_the_table(plan: Plan, code: str) -> None:
    name, unit, baseline, target, kind = TABLE[code]
    spec = plan.indicator(code)

    assert (spec.name, spec.unit, spec.kind, spec.direction) == (name, unit, kind, "increase")
    assert (spec.baseline_year, spec.baseline_value) == (2020, baseline)
    assert (spec.target_year, spec.target_value) == (2025, target)
    assert spec.source.section == "一（四）主要目标 表 南阳市“十四五”科技创新预期目标"


def test_counts_grow_geometrically_ratios_linearly_and_the_rate_is_constant(plan: Plan) -> None:
    models = {i.code: i.growth_model for i in plan.indicators}

    assert {c for c, m in models.items() if m == "geometric"} == {
        "platforms",
        "hnte_count",
        "tech_contract_amount",
        "tsme_count",
    }
    assert models["rd_growth"] == "constant"
    assert models["hv_patents_per_10k"] == "linear"


def test_table_inconsistencies_are_noted_not_fixed(plan: Plan) -> None:
    contract = plan.indicator("tech_contract_amount")

    assert contract.baseline_value == 13
    assert any("27.9 亿元" in note for note in contract.notes)
    assert any("528" in note for note in plan.indicator("hnte_count").notes)


def test_indicator_quotes_and_names_occur_in_the_plan_text(plan: Plan, seed_text: str) -> None:
    for spec in plan.indicators:
        assert spec.source.quote in seed_text, spec.code
        assert spec.name in seed_text, spec.code


def test_at_least_22_commitments_each_with_section_and_quote(plan: Plan) -> None:
    assert len(plan.commitments) >= 22
    for c in plan.commitments:
        assert SECTION.match(c.section), (c.code, c.section)
        assert c.quote.strip(), c.code


def test_every_commitment_quote_occurs_verbatim_in_the_plan_text(
    plan: Plan, seed_text: str
) -> None:
    missing = [c.code for c in plan.commitments if c.quote not in seed_text]

    assert missing == []


@pytest.mark.parametrize("code", list(KEY_COMMITMENTS))
def test_key_commitment_has_the_plan_figure(plan: Plan, code: str) -> None:
    section, comparator, value = KEY_COMMITMENTS[code]
    c = plan.commitment(code)

    assert (c.section, c.comparator, c.value) == (section, comparator, value)


def test_range_commitment_for_talent_introduction_bases(plan: Plan) -> None:
    c = plan.commitment("talent_introduction_bases")

    assert (c.comparator, c.low, c.high, c.value) == ("range", 2, 3, None)


def test_provincial_average_commitment_is_a_benchmark_without_a_number(plan: Plan) -> None:
    c = plan.commitment("rd_intensity_vs_province")

    assert c.value is None
    assert c.benchmark is not None and "全省平均水平" in c.benchmark


def test_the_plans_indicators_are_all_expected(plan: Plan) -> None:
    # The table is titled 南阳市“十四五”科技创新预期目标: all 11 are 预期性.
    assert [i.nature for i in plan.indicators] == ["expected"] * 11


def test_no_commitment_reads_a_bare_number_as_equal(plan: Plan) -> None:
    # A bare number is a floor; the plan never writes 等于/保持 with a number alone.
    assert [c.code for c in plan.commitments if c.comparator == "eq"] == []
    assert plan.commitment("new_leader_gazelle_eaglet_enterprises").comparator == "gte"


def test_about_commitments_carry_their_tolerance_and_note(plan: Plan) -> None:
    about = {c.code: c for c in plan.commitments if c.comparator == "approx"}
    assert set(about) == {"innovation_leader_enterprises", "municipal_st_commissioners"}
    leaders, commissioners = about.values()
    assert leaders.tolerance.bounds(leaders.value) == (9, 11)
    assert commissioners.tolerance.bounds(commissioners.value) == pytest.approx((180, 220))
    assert all("规划未给出" in c.tolerance.note for c in about.values())


def test_fiscal_spending_grows_every_year_in_the_city_and_every_county(plan: Plan) -> None:
    c = plan.commitment("fiscal_st_spending_yearly_growth")
    assert (c.measure, c.comparator, c.value, c.areas) == ("annual", "gt", 0, ("city", "counties"))


def test_the_provincial_average_is_henans_series(plan: Plan) -> None:
    assert plan.commitment("rd_intensity_vs_province").benchmark_area == "410000"


def test_registry_countable_commitments_name_their_count(plan: Plan) -> None:
    computed = {c.code: c.computed for c in plan.commitments if c.computed}
    assert computed["new_provincial_platforms"].levels == ("provincial", "national")
    assert computed["new_academician_scholar_stations"].kinds == (
        "academician_station",
        "zhongyuan_scholar_station",
    )
    assert computed["new_high_level_innovation_teams"].programmes == ("high_level_introduced",)
    assert computed["municipal_st_commissioners"].source == "st_commissioners"
    assert len(computed) == 15


def test_explicit_figures_appear_in_their_quote(plan: Plan) -> None:
    # Guards against invented numbers: unless a note says the figure is read from wording
    # (定性但可计数, e.g. 全覆盖 → 100 %), the number must be printed in the quoted phrase.
    for c in plan.commitments:
        if c.benchmark or any("定性但可计数" in note for note in c.notes):
            continue
        figures = [c.low, c.high] if c.comparator == "range" else [c.value]
        for figure in figures:
            assert figure is not None
            assert f"{figure:g}" in c.quote, c.code


def test_commitments_tied_to_an_indicator_agree_with_its_target(plan: Plan) -> None:
    tied = [c for c in plan.commitments if c.indicator]

    assert {c.indicator for c in tied} == {"hnte_count", "tsme_count", "tech_contract_amount"}
    for c in tied:
        assert c.value == plan.indicator(c.indicator).target_value, c.code


def test_rd_growth_progress_from_the_shipped_plan(plan: Plan) -> None:
    rd_growth = plan.indicator("rd_growth")

    result = compute_progress(rd_growth, [obs(2021, 15.0), obs(2022, 17.0), obs(2023, 21.0)])

    # mean 53/3 = 17.67 % against 19 % a year → completion 0.9298, 滞后
    assert result.code == "rd_growth"
    assert result.achieved_mean_rate == pytest.approx(17.67, abs=0.005)
    assert result.completion == pytest.approx(17.666667 / 19, abs=1e-6)
    assert result.status == "behind"


def test_tsme_progress_from_the_shipped_plan_follows_the_geometric_path(plan: Plan) -> None:
    result = compute_progress(plan.indicator("tsme_count"), [obs(2023, 800)])

    # expected 450·3^(3/5) = 869.93; completion 350/900 = 0.3889 vs 0.4666 → shortfall 0.0777
    assert result.expected_value == pytest.approx(869.93, abs=0.01)
    assert result.completion == pytest.approx(0.388889, abs=1e-6)
    assert result.shortfall == pytest.approx(0.0777, abs=1e-4)
    assert result.status == "behind"
    # required CAGR (1350/800)^(1/2) − 1 = 29.90 %
    assert result.required_annual_change == pytest.approx(29.90, abs=0.01)
