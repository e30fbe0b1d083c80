import re


def test_openapi_schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/territories/regions",
        "/api/v1/territories/departements",
        "/api/v1/territories/communes",
        "/api/v1/organisations",
    ):
        assert "get" in paths[path]
        assert set(paths[path]) == {"get"}  # read-only


def test_docs_page_uses_our_static_files_only(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "cdn" not in html.lower()
    assert not re.search(r"(src|href)=\"https?://", html)
    # The only inline <script> is a JSON data block, which the CSP does not execute.
    for attributes in re.findall(r"<script([^>]*)>\s*[^<\s]", html):
        assert 'type="application/json"' in attributes
