"""The published OpenAPI document, made to say what the server does: the API key is optional on every public
operation (a key only raises the rate limit and opens non-public kits to admins) and required under /v1/admin."""

from typing import Any

from fastapi import FastAPI

from ijlucht.licence import DATA_LICENCE

KEY_SCHEME = "APIKeyHeader"


def truthful_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
            # the data's licence (the code's is in LICENSE); OpenAPI 3.1 takes an SPDX identifier
            license_info={"name": f"{DATA_LICENCE.name} (the data)", "identifier": DATA_LICENCE.id},
        )
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                if path.startswith("/v1/admin"):
                    operation["security"] = [{KEY_SCHEME: []}]
                else:
                    operation["security"] = [{}, {KEY_SCHEME: []}]  # {}: no key is fine too
        app.openapi_schema = schema
    return app.openapi_schema
