from django.urls import reverse

from tests.conftest import login


def test_the_caseworker_sees_their_forloeb_on_mine_forloeb(client, forloeb, caseworker):
    response = login(client, caseworker).get(reverse("desk:my_forloeb"))
    assert response.status_code == 200
    assert "Mette Hansen" in response.content.decode()


def test_the_forloeb_page_shows_the_next_step(client, forloeb, caseworker):
    response = login(client, caseworker).get(reverse("cases:forloeb_detail", args=[forloeb.pk]))
    assert response.status_code == 200
    assert "Send til rehabiliteringsteamet" in response.content.decode()
