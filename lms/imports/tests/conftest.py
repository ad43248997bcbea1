import pytest

from lms.imports.tests.builders import hr_signed_in, two_schools


@pytest.fixture
def schools():
    return two_schools()


@pytest.fixture
def hr_client(client):
    return hr_signed_in(client)
