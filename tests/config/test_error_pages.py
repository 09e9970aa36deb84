"""Error pages are Danish and render without the database: with PostgreSQL unreachable a page
answers 503 with a Danish "try again shortly", never Django's English "Server Error (500)"."""

from unittest import mock

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import login


@pytest.fixture
def visitor(client, settings):
    """A client that gets the error page a user would see instead of the exception."""
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


def database_unreachable():
    """Every query fails as it does when PostgreSQL is down (psycopg's error, wrapped by Django)."""
    error = psycopg.OperationalError('connection failed: connection to server at "db", port 5432 failed')
    return mock.patch.object(connection, "create_cursor", side_effect=error)


def test_with_the_database_unreachable_a_page_answers_503_with_a_danish_page(visitor, caseworker):
    login(visitor, caseworker)
    with database_unreachable():
        response = visitor.get(reverse("followup:min_dag"))
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"]
    assert '<html lang="da">' in page
    assert "Forløb er midlertidigt utilgængelig" in page and "Prøv igen om lidt" in page
    assert "Server Error" not in page


def test_a_missing_page_with_the_database_unreachable_still_gets_the_danish_page(visitor, caseworker):
    login(visitor, caseworker)
    with database_unreachable():
        response = visitor.get("/findes-ikke/")
    assert response.status_code == 503
    assert "Forløb er midlertidigt utilgængelig" in response.content.decode()


def test_an_unexpected_error_answers_500_with_a_danish_page(visitor, caseworker):
    login(visitor, caseworker)
    with mock.patch.object(connection, "create_cursor", side_effect=RuntimeError("a bug")):
        response = visitor.get(reverse("followup:min_dag"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Der opstod en fejl" in page and "Server Error" not in page and "a bug" not in page


def test_a_missing_page_is_danish(visitor, caseworker):
    response = login(visitor, caseworker).get("/findes-ikke/")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.content.decode()
