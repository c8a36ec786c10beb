"""The API's /docs page works without internet: Swagger UI comes from the platform itself,
under a Content-Security-Policy that allows only the platform's own scripts and styles."""
from __future__ import annotations

import re

import requests

from tests.console.browser import Traffic, save_screenshot


def test_docs_page_renders_from_the_platform_alone(page, console_platform):
    base = console_platform.base_url
    traffic = Traffic(page)
    response = page.goto(base + "/docs")
    assert response.status == 200

    page.get_by_text("/v1/push", exact=True).wait_for(state="visible")
    save_screenshot(page, "api-docs")
    # "Try it out" calls the API from the page (connect-src 'self')
    page.get_by_text("/v1/time", exact=True).click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(state="visible")
    assert status.inner_text().strip() == "200"

    assert traffic.requests, "the page made no requests"
    assert [url for url in traffic.requests if not url.startswith(base + "/")] == []
    assert base + "/docs/static/swagger-ui-bundle.js" in traffic.requests
    assert traffic.failed == []
    assert traffic.errors == []  # a blocked script or style would be reported here


def test_browser_enforces_the_docs_policy(page, console_platform):
    page.goto(console_platform.base_url + "/docs")
    page.get_by_text("/v1/push", exact=True).wait_for(state="visible")
    blocked = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener("securitypolicyviolation",
                                  event => resolve(event.violatedDirective));
        const script = document.createElement("script");
        script.textContent = "window.injected = true";  // inline, without the nonce
        document.body.append(script);
        setTimeout(() => resolve(window.injected ? "ran" : "nothing"), 2000);
    })""")
    assert blocked == "script-src-elem"


def test_docs_page_names_only_local_files_and_a_fresh_nonce(console_platform):
    base = console_platform.base_url
    first, second = (requests.get(base + "/docs", timeout=10) for _ in range(2))
    policy = first.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    nonce = re.fullmatch(r"'self' 'nonce-([\w-]+)'", directives["script-src"])[1]
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert second.headers["Content-Security-Policy"] != policy
    assert first.text.count(f'<script nonce="{nonce}">') == 1
    assert re.findall(r'(?:src|href)="([^"]*)"', first.text) == [
        "/docs/static/swagger-ui.css", "/docs/static/favicon.png",
        "/docs/static/swagger-ui-bundle.js"]
    assert '"validatorUrl": null' in first.text  # no badge from the public validator
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"):
        assert requests.get(f"{base}/docs/static/{name}", timeout=10).status_code == 200
    assert requests.get(base + "/redoc", timeout=10).status_code == 404
