"""The seed, the register and the document the builder makes of them, built once per test session.

Tests that need the seed are skipped when it is absent (it lives outside the repository).
"""

import pytest

from fixtures.per0601011_builder.build import DEFAULT_SEED, build
from fixtures.per0601011_builder.places import register_by_ubigeo


@pytest.fixture(scope="session")
def seed_text():
    if not DEFAULT_SEED.exists():
        pytest.skip(f"seed file absent: {DEFAULT_SEED}")
    return DEFAULT_SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def register():
    return register_by_ubigeo()


@pytest.fixture(scope="session")
def built(seed_text, register):
    return build(seed_text, register, seed_name=DEFAULT_SEED.name)


@pytest.fixture
def indicator(built):
    def find(code):
        return next(i for i in built["indicators"] if i["code"] == code)

    return find
