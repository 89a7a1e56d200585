import pytest


@pytest.mark.django_db
def test_unknown_address_shows_the_site_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert 'href="/"' in page


def test_500_page_needs_no_context_and_loads_nothing_from_elsewhere():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Something went wrong" in page
    assert "http" not in page
