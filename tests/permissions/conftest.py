import pytest

from tests.permissions.template_helpers import directory_admin


@pytest.fixture
def admin(account):
    """A Directory Admin of ``account`` (who may manage its templates)."""
    return directory_admin(account)
