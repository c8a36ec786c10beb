"""The API's /docs page (Swagger UI), served whole by the platform itself.

FastAPI's own /docs loads Swagger UI from a CDN, which a district network without internet
cannot reach. Here its files come from the installed `fastapi-offline` package, and the page
carries a Content-Security-Policy that lets it run only the platform's own scripts and styles
(the one inline script, Swagger UI's set-up, by a nonce new on every request).
"""
from __future__ import annotations

import secrets
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
STATIC_URL = "/docs/static"
# swagger-ui-bundle.js, swagger-ui.css and favicon.png (also ReDoc's file, which is not used)
STATIC_DIR = files("fastapi_offline") / "static"
SWAGGER_UI_PARAMETERS = {
    # Swagger UI would show a badge image from the public validator for any host that is not
    # localhost: nothing leaves the platform.
    "validatorUrl": None,
}


def content_security_policy(nonce: str) -> str:
    return "; ".join((
        "default-src 'none'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",  # swagger-ui.css draws its icons as data: SVGs
        "connect-src 'self'",  # /openapi.json and "Try it out"
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def add_api_docs(app: FastAPI) -> None:
    """Swagger UI at /docs with its files under /docs/static; for `FastAPI(docs_url=None)`."""
    app.mount(STATIC_URL, StaticFiles(directory=str(STATIC_DIR)), name="api-docs-static")

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=root + app.openapi_url, title=f"{app.title} – API",
            swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
            oauth2_redirect_url=None, swagger_ui_parameters=SWAGGER_UI_PARAMETERS)
        nonce = secrets.token_urlsafe(16)
        html = page.body.decode()
        # The set-up script is the page's only <script> without a src.
        html = html.replace("<script>", f'<script nonce="{nonce}">')
        return HTMLResponse(html, headers={
            "Content-Security-Policy": content_security_policy(nonce),
            "Cache-Control": "no-store",  # a nonce is good for one page only
        })
