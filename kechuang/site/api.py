"""The REST API under /api, OpenAPI docs at /api/docs. Every route needs a signed-in user or a
token unless it says `auth=None` (only the public catalogue, later)."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from kechuang.accounts.api import router as accounts_router
from kechuang.accounts.auth import REQUIRED
from kechuang.contracts.api import router as contracts_router
from kechuang.core.bounds import bound_path_ids
from kechuang.core.errors import install_handlers
from kechuang.cultivation.api import router as cultivation_router
from kechuang.market.api import router as market_router
from kechuang.monitoring.api import router as monitoring_router
from kechuang.monitoring.api.observations import router as observation_router
from kechuang.policies.api import router as policies_router
from kechuang.programs.api import router as programs_router
from kechuang.projects.api import router as projects_router
from kechuang.registry.api import router as registry_router


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # readable Chinese in responses


api = NinjaAPI(
    title="科创平台 API",
    version="1.0",
    description=(
        "南阳市科技创新平台接口。认证：浏览器会话（写操作需 CSRF 令牌）或 "
        "`Authorization: Bearer <API 令牌>`。所有 4xx 错误的格式为 "
        '`{"code": ..., "message": 中文说明, "errors": {字段: [问题]}}`。'
    ),
    auth=REQUIRED,
    urls_namespace="api",
    renderer=ChineseJSONRenderer(),
)
install_handlers(api)
api.add_router("/accounts", accounts_router)
api.add_router("/registry", registry_router)
api.add_router("/cultivation", cultivation_router)
api.add_router("/monitoring", monitoring_router)
api.add_router("/monitoring/data", observation_router)
api.add_router("/contracts", contracts_router)
api.add_router("/policies", policies_router)
api.add_router("/programs", programs_router)
api.add_router("/market", market_router)
api.add_router("/projects", projects_router)
bound_path_ids(api)  # after the last router: every id in a path is 1..2^63-1
