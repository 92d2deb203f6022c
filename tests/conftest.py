import pytest

from tests.matrix import build_matrix


@pytest.fixture(autouse=True)
def _portal_defaults(settings, tmp_path):
    """Second factor off unless a test turns it on; files go to a per-test directory."""
    settings.REQUIRE_2FA = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def matrix(db):
    return build_matrix()


@pytest.fixture
def client_for(client):
    """A test client signed in as the given user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
