"""The registry's pickers (core/pickers.py): the area tree, the industries, the high-tech fields
and organizations, each searched through the registry API within the user's scope."""

from kechuang.core.pickers import PickerKind, register
from kechuang.registry import selectors

KINDS = (
    PickerKind(
        "area",
        "registry.Area",
        "/api/registry/pickers/areas",
        "输入区域名称，如 卧龙",
        selectors.area_label,
    ),
    PickerKind(
        "industry",
        "registry.IndustryChain",
        "/api/registry/pickers/industries",
        "输入产业名称，如 新材料",
        selectors.industry_label,
    ),
    PickerKind(
        "tech_field",
        "registry.TechField",
        "/api/registry/pickers/tech-fields",
        "输入技术领域，如 电子信息",
        selectors.tech_field_label,
    ),
    PickerKind(
        "organization",
        "registry.Organization",
        "/api/registry/pickers/organizations",
        "输入单位名称或统一社会信用代码",
        selectors.organization_label,
    ),
)


def register_all() -> None:
    for kind in KINDS:
        register(kind)
