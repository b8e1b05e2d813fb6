import pytest

from messaging.services import compliance


@pytest.fixture
def compliance_engine():
    return compliance
