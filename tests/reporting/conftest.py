import pytest


@pytest.fixture(autouse=True)
def _english_pages(client):
    """Pages answer in English unless a test asks for Chinese (cookie or header), so that
    assertions read the English source strings whatever the catalogue holds."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
