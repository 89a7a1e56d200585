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


@pytest.mark.django_db
def test_oversized_form_post_gets_a_readable_400_page(client, settings):
    response = client.post("/signin/", {"email": "a@b.c", "password": "x" * 300_000})
    assert response.status_code == 400
    assert "<h1>We could not read that request</h1>" in response.content.decode()
