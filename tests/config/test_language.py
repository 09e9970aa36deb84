"""The UI is Danish whatever language the browser asks for: there is no complete translation, and a
page that mixes Danish with Django's English messages is worse than one language."""

from django.urls import reverse

from tests.conftest import login


def test_an_english_browser_gets_danish_form_errors(client, db):
    response = client.post(reverse("login"), {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert '<html lang="da"' in page
    assert "Brugernavn eller adgangskode er forkert" in page
    assert "This field is required" not in page
    assert response.headers.get("Content-Language", "da") == "da"


def test_an_english_browser_gets_danish_dates(client, forloeb, caseworker):
    url = reverse("cases:forloeb_detail", args=[forloeb.pk])
    page = login(client, caseworker).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "4. maj 2026" in page  # opened_on, as "j. F Y"
    assert "May" not in page
