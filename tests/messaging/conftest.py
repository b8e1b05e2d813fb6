import pytest

from messaging import compliance


@pytest.fixture
def compliance_engine():
    return compliance
