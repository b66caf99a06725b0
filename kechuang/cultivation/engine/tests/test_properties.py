"""Monotonicity over deterministic grids: more R&D, more IP, more staff or a better expert grade
never lowers a score, a condition verdict or the eligibility (no hypothesis dependency)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal

from kechuang.cultivation.engine import Assessment, Case, assess
from kechuang.cultivation.engine.whatif import (
    add_conversions,
    add_ip,
    add_rd,
    add_st_staff,
    transfer_to_st_staff,
)

from .factory import case_of, hnte_data, set_grades, set_ip, set_year, tsme_data

ELIGIBILITY_RANK = {"fail": 0, "depends_on_expert_judgement": 1, "pass": 2}
VERDICT_RANK = {False: 0, None: 1, True: 2}


def hnte_starts() -> list[Case]:
    """A passing, a depending and two failing enterprises."""
    weak = set_year(hnte_data(), 2, st_staff_avg=4, hightech_revenue=2600)
    for i, rd in enumerate((60, 90, 120)):
        set_year(weak, i, rd_expense=rd, rd_expense_domestic=rd)
    set_ip(weak, class_i=0, class_ii=1)
    ungraded = hnte_data()
    ungraded["expert_grades"] = {}
    low = set_grades(hnte_data(conversions_3y=3), rd_management_points=6)
    return [case_of(d) for d in (hnte_data(), ungraded, weak, low)]


def tsme_starts() -> list[Case]:
    return [
        case_of(tsme_data(class_i=1)),
        case_of(tsme_data(employees=100, st_staff=5, rd=40, sales=4200, cost=3000, class_ii=1)),
        case_of(tsme_data(employees=480, st_staff=30, rd=10, sales=9000, cost=None)),
    ]


def assert_not_worse(before: Assessment, after: Assessment, change: str) -> None:
    assert ELIGIBILITY_RANK[after.eligible] >= ELIGIBILITY_RANK[before.eligible], change
    for old in before.conditions:
        new = after.condition(old.code)
        assert VERDICT_RANK[new.passed] >= VERDICT_RANK[old.passed], (change, old.code)
    for old_item in before.scores:
        new_item = after.score(old_item.code)
        assert new_item.points.min >= old_item.points.min, (change, old_item.code)
        assert new_item.points.max >= old_item.points.max, (change, old_item.code)
    assert after.total.min >= before.total.min, change
    assert after.total.max >= before.total.max, change


def check_chain(code: str, starts: Iterable[Case], step: Callable[[Case], Case], n: int) -> int:
    """Apply ``step`` ``n`` times to each start, comparing each result with the previous one."""
    compared = 0
    for case in starts:
        before = assess(code, case)
        for i in range(n):
            case = step(case)
            after = assess(code, case)
            assert_not_worse(before, after, f"{code} step {i + 1}")
            before = after
            compared += 1
    return compared


def test_more_domestic_rd_never_hurts_hnte() -> None:
    assert check_chain("hnte-2016", hnte_starts(), lambda c: add_rd(c, Decimal("12.5")), 40) == 160


def test_more_rd_never_hurts_tsme() -> None:
    assert check_chain("tsme-2022", tsme_starts(), lambda c: add_rd(c, Decimal("15")), 40) == 120


def test_more_class_i_or_class_ii_ip_never_hurts() -> None:
    for code, starts in (("hnte-2016", hnte_starts()), ("tsme-2022", tsme_starts())):
        for class_i in range(3):
            for class_ii in range(8):
                for case in starts:
                    grid = replace(case, ip=replace(case.ip, class_i=class_i, class_ii=class_ii))
                    before = assess(code, grid)
                    more_i = assess(code, add_ip(grid, class_i=1))
                    more_ii = assess(code, add_ip(grid, class_ii=1))
                    assert_not_worse(before, more_i, f"{code} Ⅰ类 {class_i}→{class_i + 1}")
                    assert_not_worse(before, more_ii, f"{code} Ⅱ类 {class_ii}→{class_ii + 1}")


def test_more_st_staff_within_the_workforce_never_hurts() -> None:
    def step(case: Case) -> Case:
        last = case.last_year
        if last.st_staff() + 1 > last.employees():
            return case
        return transfer_to_st_staff(case, 1)

    assert check_chain("hnte-2016", hnte_starts(), step, 30) == 120
    assert check_chain("tsme-2022", tsme_starts(), step, 30) == 90


def test_hiring_st_staff_never_hurts_hnte() -> None:
    assert check_chain("hnte-2016", hnte_starts(), lambda c: add_st_staff(c, 1), 25) == 100


def test_hiring_st_staff_never_hurts_tsme_below_the_500_cap() -> None:
    starts = [c for c in tsme_starts() if c.last_year.employees() <= 450]
    assert check_chain("tsme-2022", starts, lambda c: add_st_staff(c, 1), 50) == 100


def test_more_conversions_never_hurt_hnte() -> None:
    assert check_chain("hnte-2016", hnte_starts(), lambda c: add_conversions(c, 1), 18) == 72


def test_better_expert_grades_never_hurt_hnte() -> None:
    order = ["E", "D", "C", "B", "A"]
    for case in hnte_starts():
        for field in ("advancement", "core_support"):
            previous = None
            for grade in order:
                graded = replace(case, expert_grades=replace(case.expert_grades, **{field: grade}))
                result = assess("hnte-2016", graded)
                if previous is not None:
                    assert_not_worse(previous, result, f"{field} → {grade}")
                previous = result
        previous = None
        for points in range(21):
            graded = replace(
                case, expert_grades=replace(case.expert_grades, rd_management_points=points)
            )
            result = assess("hnte-2016", graded)
            if previous is not None:
                assert_not_worse(previous, result, f"管理 {points}")
            previous = result


def test_a_known_grade_lies_inside_the_missing_grade_range() -> None:
    for case in hnte_starts():
        ungraded = assess(
            "hnte-2016", replace(case, expert_grades=replace(case.expert_grades, advancement=None))
        )
        for grade in "ABCDE":
            graded = replace(case, expert_grades=replace(case.expert_grades, advancement=grade))
            total = assess("hnte-2016", graded).total
            assert ungraded.total.min <= total.min <= total.max <= ungraded.total.max
