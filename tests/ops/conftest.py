"""Fixtures for the deploy/ checks; the helpers live in opstools.py."""

from __future__ import annotations

import pytest

from .opstools import contract_series_names


@pytest.fixture(scope="session")
def contract() -> set[str]:
    """Series names the worker exposes (streams/metrics.py), plus ``up``."""
    return contract_series_names()
