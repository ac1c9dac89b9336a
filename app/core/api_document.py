"""The contract integrators are held to (issue 22): the OpenAPI document at
`/api/v1/_openapi`, served to every signed-in user, and `GET /api/v1/me`.

The document is FAB's, completed from what the platform already declares: each operation
names the FAB permission it needs (`x-permission`, and a sentence in its description, so a
user reads which operations are theirs); every operation but the platform's own takes the
`X-Company-Id` header (the company it acts for); the `q` of FAB's lists is a Rison string
with an example (FAB documents it as JSON, which the server refuses); and the bearer token
is the security scheme."""
from __future__ import annotations

from flask import current_app, g
from flask_appbuilder.api import BaseApi
from flask_appbuilder.api.manager import OpenApi, SwaggerView

from app.core.api import GuardedApi, api_endpoint
from app.core.identity import current_user, display_name, role_names
from app.core.security import role_labels

COMPANY_HEADER = {
    "in": "header", "name": "X-Company-Id", "required": False,
    "description": "La empresa para la que se actúa (su id, de GET /api/v1/me). Sin ella: la primera empresa del usuario.",
    "schema": {"type": "string"}, "example": "1",
}
RISON_Q = {
    "in": "query", "name": "q", "required": False,
    "description": "Filtros, orden y página en Rison (https://github.com/Nanonid/rison), p. ej. "
                   "(filters:!((col:state,opr:eq,value:RECEIVED)),order_column:id,order_direction:desc,page:0,page_size:25)",
    "schema": {"type": "string"}, "example": "(page:0,page_size:25)",
}
# operations that act for no company: the session, the contract, the platform's own catalog
NO_COMPANY_PREFIXES = ("/api/v1/security/", "/api/v1/_openapi", "/api/v1/me", "/api/v1/workflow")


def _permission(api: BaseApi, name: str, function) -> str | None:
    """The FAB permission a route needs (None: public)."""
    if not hasattr(function, "_permission_name"):
        return None
    granted = (api.method_permission_name or {}).get(name) or function._permission_name.removeprefix("can_")
    return f"can_{granted} on {api.class_permission_name}"


def complete(spec: dict, api: BaseApi) -> None:
    """Add to `spec` (a document FAB built) what `api`'s operations need and take."""
    for name in dir(api):
        function = getattr(api, name)
        if not hasattr(function, "_urls"):
            continue
        for url, methods in function._urls:
            path = api.path_helper(path=url, operations={})
            for method in methods:
                operation = spec.get("paths", {}).get(path, {}).get(method.lower())
                if operation is None:
                    continue
                permission = _permission(api, name, function)
                if permission:
                    operation["x-permission"] = permission
                    operation["description"] = f"{operation.get('description', '')} Permiso: {permission}.".strip()
                parameters = [RISON_Q if (p.get("in"), p.get("name")) == ("query", "q") else p
                              for p in operation.get("parameters", [])]
                declared = {(p.get("in"), p.get("name")) for p in parameters}
                if not path.startswith(NO_COMPANY_PREFIXES) and ("header", "X-Company-Id") not in declared:
                    parameters.append(COMPANY_HEADER)
                if parameters:
                    operation["parameters"] = parameters


class ApiDocument(GuardedApi, OpenApi):
    """FAB's OpenAPI document, for every signed-in user, completed by `complete`."""

    class_permission_name = "OpenApi"  # can_get on OpenApi: every role (seed/roles/platform.yaml)

    @api_endpoint("/<version>/_openapi", summary="El documento OpenAPI de la API (cada operación con el permiso que pide)",
                  answers={200: "El documento OpenAPI 3"}, errors=(401, 404))
    def get(self, version):
        """The OpenAPI document of the REST API."""
        spec = self._create_api_spec(version)
        apis = [api for api in current_app.appbuilder.baseviews if isinstance(api, BaseApi) and api.version == version]
        if not apis:
            return self.response_404()
        for api in apis:
            api.add_api_spec(spec)
        document = spec.to_dict()
        for api in apis:
            complete(document, api)
        document.setdefault("components", {}).setdefault("securitySchemes", {})["jwt"] = {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "POST /api/v1/security/login {username, password, provider: db} da access_token"}
        return self.response(200, **document)


class MeApi(GuardedApi, BaseApi):
    """Who is calling: GET /api/v1/me."""

    resource_name = "me"
    class_permission_name = "OpenApi"
    method_permission_name = {"get": "get"}
    openapi_spec_tag = "Sesión"

    @api_endpoint("", summary="Quién llama: su usuario, sus roles y las empresas para las que puede actuar",
                  answers={200: "id, username, name, email, roles [{name, label}], companies [{id, name}], company_id"},
                  errors=(401,))
    def get(self):
        """The signed-in user, their roles and their companies (for X-Company-Id)."""
        user = current_user()
        return self.response(
            200, id=user.id, username=user.username, name=display_name(user), email=user.email,
            roles=[{"name": name, "label": role_labels().get(name, name)} for name in sorted(role_names(user))],
            companies=[{"id": c.id, "name": c.name} for c in g.get("companies", [])],
            company_id=g.get("company_id") if g.get("company_id") in g.get("company_ids", []) else None,
        )


def register(appbuilder) -> None:
    """In place of FAB's own OpenAPI views (FAB_ADD_OPENAPI_VIEWS = False)."""
    appbuilder.add_api(ApiDocument)
    appbuilder.add_view_no_menu(SwaggerView)
    appbuilder.add_api(MeApi)
