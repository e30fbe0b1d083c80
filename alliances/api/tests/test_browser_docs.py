import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_under_the_csp(page):
    """The docs load Swagger UI from our static files; the page fixture fails on CSP errors."""
    page.goto("/api/v1/docs")
    page.get_by_text("/api/v1/organisations", exact=True).first.wait_for(timeout=15_000)
    assert page.locator(".swagger-ui").count() == 1
