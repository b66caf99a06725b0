"""Cultivation endpoints: assess one case with the same engine the command uses."""

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Body, Router

from kechuang.cultivation.engine import CaseError, assess, load_case

router = Router(tags=["企业培育"])


@router.post("/assess", summary="按高企（hnte-2016）或科小（tsme-2022）规则评估一个案例")
def assess_case(
    request: HttpRequest,
    rules: Literal["hnte-2016", "tsme-2022"],
    case: Body[dict[str, Any]],
    policy: Literal["min", "mid", "max"] = "min",
) -> Any:
    try:
        result = assess(rules, load_case(case), policy)
    except CaseError as error:
        raise ValidationError(
            {path: messages for path, messages in error.errors.items()}
        ) from error
    return result.to_dict()
