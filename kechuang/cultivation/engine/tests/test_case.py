"""load_case: validation of the case format and Chinese error messages per field path."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from kechuang.cultivation.engine import CaseError, assess, load_case

from .factory import hnte_data, set_year, tsme_data


def errors_of(data: object) -> dict[str, list[str]]:
    with pytest.raises(CaseError) as info:
        load_case(data)  # type: ignore[arg-type]
    return info.value.errors


def test_valid_case_loads_with_exact_decimals() -> None:
    case = load_case(hnte_data())
    assert case.last_year.sales_revenue == Decimal("4200")
    assert case.years[0].year == 2021
    assert case.ip.class_i == 1
    assert case.expert_grades.rd_management_points == 18


def test_float_amount_is_kept_as_its_decimal_text() -> None:
    case = load_case(set_year(hnte_data(), 2, sales_revenue=5000.01))
    assert case.last_year.sales_revenue == Decimal("5000.01")


def test_negative_rd_expense_reports_path_and_message() -> None:
    errors = errors_of(set_year(hnte_data(), 1, rd_expense=-1))
    assert errors == {"years[1].rd_expense": ["研发费用不能为负数"]}


def test_negative_net_assets_are_allowed() -> None:
    case = load_case(set_year(hnte_data(), 0, net_assets_end=-200))
    assert case.years[0].net_assets_end == Decimal("-200")


def test_wrong_date_format_is_reported() -> None:
    errors = errors_of(hnte_data(as_of="2024/05/01"))
    assert errors == {"as_of": ["评估日期格式应为 YYYY-MM-DD，收到“2024/05/01”"]}


def test_impossible_date_is_reported() -> None:
    errors = errors_of(hnte_data(registered_on="2023-02-30"))
    assert errors["registered_on"] == ["注册成立日期格式应为 YYYY-MM-DD，收到“2023-02-30”"]


def test_unknown_grade_is_reported() -> None:
    data = hnte_data(expert_grades={"advancement": "F"})
    errors = errors_of(data)
    assert errors == {
        "expert_grades.advancement": ["未知的技术先进程度等级“F”，应为 A、B、C、D、E 之一"]
    }


def test_lowercase_grade_is_rejected() -> None:
    errors = errors_of(hnte_data(expert_grades={"core_support": "a"}))
    assert "expert_grades.core_support" in errors


def test_rd_management_points_above_20_are_rejected() -> None:
    errors = errors_of(hnte_data(expert_grades={"rd_management_points": 21}))
    assert errors == {"expert_grades.rd_management_points": ["研究开发组织管理水平得分不能大于 20"]}


def test_missing_years_key_is_reported() -> None:
    data = hnte_data()
    del data["years"]
    assert errors_of(data) == {"years": ["缺少年度数据（years），至少需要最近一个会计年度的数据"]}


def test_empty_years_list_is_reported() -> None:
    assert "years" in errors_of(hnte_data(years=[]))


def test_non_consecutive_years_are_reported() -> None:
    errors = errors_of(set_year(hnte_data(), 2, year=2024, **{}) | {"as_of": "2025-05-01"})
    assert errors == {"years[2].year": ["年度须连续且由远及近排列：2022 之后应为 2023，收到 2024"]}


def test_unfinished_year_is_reported() -> None:
    errors = errors_of(hnte_data(as_of="2023-12-31"))
    assert errors == {"years[2].year": ["年度数据须为评估日期（2023-12-31）之前已结束的会计年度"]}


def test_year_before_registration_is_reported() -> None:
    errors = errors_of(hnte_data(registered_on="2022-03-01"))
    assert errors == {"years[0].year": ["2021 年早于企业注册成立年度 2022"]}


def test_registration_after_as_of_is_reported() -> None:
    errors = errors_of(hnte_data(registered_on="2024-06-01"))
    assert errors["registered_on"] == ["注册成立日期不能晚于评估日期"]


def test_text_amount_is_rejected_with_type_name() -> None:
    errors = errors_of(set_year(hnte_data(), 0, sales_revenue="2400"))
    assert errors == {"years[0].sales_revenue": ["销售收入应为数字，收到文本“2400”"]}


def test_boolean_amount_is_rejected() -> None:
    errors = errors_of(set_year(hnte_data(), 0, rd_expense=True))
    assert errors == {"years[0].rd_expense": ["研发费用应为数字，收到布尔值“True”"]}


def test_nan_amount_is_rejected() -> None:
    errors = errors_of(set_year(hnte_data(), 0, rd_expense=float("nan")))
    assert errors == {"years[0].rd_expense": ["研发费用应为有限数值"]}


def test_missing_required_year_field_is_reported() -> None:
    data = hnte_data()
    del data["years"][2]["sales_revenue"]
    assert errors_of(data) == {"years[2].sales_revenue": ["缺少必填字段：销售收入"]}


def test_unknown_field_is_reported_as_probable_typo() -> None:
    data = set_year(hnte_data(), 0, rd_expence=10)
    assert errors_of(data) == {"years[0].rd_expence": ["未知字段“rd_expence”，请检查拼写"]}


def test_every_bad_field_is_reported_at_once() -> None:
    data = set_year(hnte_data(as_of="bad"), 1, rd_expense=-5)
    data["expert_grades"]["advancement"] = "Z"
    errors = errors_of(data)
    assert set(errors) == {"as_of", "years[1].rd_expense", "expert_grades.advancement"}


def test_part_above_whole_is_rejected() -> None:
    errors = errors_of(set_year(hnte_data(), 2, rd_expense_domestic=301))
    assert errors == {"years[2].rd_expense_domestic": ["境内研发费用不能大于研发费用总额"]}
    errors = errors_of(set_year(hnte_data(), 2, hightech_revenue=4301))
    assert errors == {"years[2].hightech_revenue": ["高新技术产品（服务）收入不能大于总收入"]}
    errors = errors_of(set_year(hnte_data(), 2, st_staff_avg=81))
    assert errors == {"years[2].st_staff_avg": ["科技人员数不能大于职工总数"]}


def test_headcount_must_be_given_once() -> None:
    data = set_year(hnte_data(), 2, employees_monthly=[[80, 80]] * 12)
    assert errors_of(data) == {
        "years[2].employees_avg": ["职工总数请只填写全年月平均数或月度数据其中之一"]
    }
    data = hnte_data()
    del data["years"][2]["st_staff_avg"]
    assert errors_of(data) == {
        "years[2].st_staff_avg": ["缺少必填字段：科技人员数（全年月平均数或月度数据）"]
    }


def test_monthly_headcounts_give_the_annual_monthly_average_ht_st_1() -> None:
    months = [
        [10, 12], [12, 12], [12, 14], [14, 14], [14, 16], [16, 16],
        [16, 18], [18, 18], [18, 20], [20, 20], [20, 20], [20, 22],
    ]  # fmt: skip
    data = set_year(hnte_data(), 2, employees_monthly=months, st_staff_avg=5)
    del data["years"][2]["employees_avg"]
    case = load_case(data)
    assert case.last_year.employees() == Fraction(196, 12)


def test_monthly_headcount_pairs_are_validated() -> None:
    data = set_year(hnte_data(), 2, st_staff_monthly=[[1, 2], [3]])
    del data["years"][2]["st_staff_avg"]
    assert errors_of(data) == {
        "years[2].st_staff_monthly[1]": ["科技人员月度数据每月应为 [月初数, 月末数]"]
    }


def test_case_that_is_not_an_object_raises_case_error() -> None:
    assert errors_of([1, 2]) == {"案例": ["案例数据应为对象（键值对），收到列表"]}
    assert "years[0]" in errors_of(hnte_data(years=["2021"]))


def test_omitted_optional_fields_take_documented_defaults() -> None:
    data = tsme_data()
    case = load_case(data)
    assert case.tech_field is None
    assert case.major_incident_last_year is False
    assert case.resident_enterprise is True
    assert case.conversions_3y == 0
    assert case.ip.self_developed is None
    assert case.expert_grades.advancement is None
    assert case.options.hnte_conversion_divisor == "operating_years"
    assert case.options.tsme_rd_option == "best"


def test_unknown_tech_field_and_option_values_are_rejected() -> None:
    errors = errors_of(hnte_data(tech_field="软件"))
    assert errors["tech_field"][0].startswith("未知的技术领域“软件”，应为 电子信息、")
    errors = errors_of(hnte_data(options={"tsme_rd_option": "higher"}))
    assert errors == {
        "options.tsme_rd_option": ["未知的配置取值“higher”，应为 best、sales、cost 之一"]
    }


def test_class_ii_used_before_cannot_exceed_class_ii() -> None:
    data = hnte_data(ip={"class_ii": 2, "class_ii_used_before": 3})
    assert errors_of(data) == {
        "ip.class_ii_used_before": ["已使用过的Ⅱ类知识产权数不能大于Ⅱ类知识产权数"]
    }


def test_pending_ip_and_awards_and_qualifications_are_validated() -> None:
    data = hnte_data(
        ip={"class_i": 0, "pending": [{"kind": "III", "expected_on": "2024-13-01"}]},
        awards=[{"level": "world", "year": 2022, "rank": 0}],
        qualifications=["高企"],
    )
    errors = errors_of(data)
    assert set(errors) == {
        "ip.pending[0].kind",
        "ip.pending[0].expected_on",
        "awards[0].level",
        "awards[0].rank",
        "qualifications[0]",
    }
    assert errors["awards[0].rank"] == ["获奖单位排名不能小于 1"]


def test_hnte_requires_the_whole_three_year_window() -> None:
    data = hnte_data()
    data["years"] = data["years"][1:]
    with pytest.raises(CaseError) as info:
        assess("hnte-2016", load_case(data))
    assert info.value.errors == {
        "years": [
            "企业于 2015 年成立，高企评价需提供 2021–2023 年的数据"
            "（实际经营不满三年的按实际经营年度）"
        ]
    }


def test_hnte_requires_hightech_revenue_and_domestic_rd() -> None:
    data = hnte_data()
    del data["years"][2]["hightech_revenue"]
    del data["years"][0]["rd_expense_domestic"]
    with pytest.raises(CaseError) as info:
        assess("hnte-2016", load_case(data))
    assert info.value.errors == {
        "years[0].rd_expense_domestic": ["高企评价需要填写境内研发费用"],
        "years[2].hightech_revenue": ["高企评价需要填写最近一年的高新技术产品（服务）收入"],
    }


def test_tsme_requires_total_assets() -> None:
    data = tsme_data()
    del data["years"][0]["total_assets_end"]
    with pytest.raises(CaseError) as info:
        assess("tsme-2022", load_case(data))
    assert info.value.errors == {
        "years[0].total_assets_end": ["科小评价需要填写最近一年的年末资产总额"]
    }


def test_case_error_message_joins_paths_and_messages() -> None:
    with pytest.raises(CaseError) as info:
        load_case(set_year(hnte_data(), 1, rd_expense=-1))
    assert str(info.value) == "案例数据有误：years[1].rd_expense: 研发费用不能为负数"
