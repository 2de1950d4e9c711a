"""No business operation may cost more gas than bench/gas-snapshot.json records. Lowering a figure
is welcome: regenerate the snapshot with `make gas` and commit it, so the diff shows the change."""

import json

import pytest

from bench import gas

SNAPSHOT = json.loads(gas.SNAPSHOT.read_text())


# The module-wide fixture is built once: keep the tests on one worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("gas_snapshot")


@pytest.fixture(scope="module")
def measured():
    return gas.measure()


def test_snapshot_covers_every_measured_operation(measured):
    assert sorted(measured) == sorted(SNAPSHOT), "run `make gas` and commit bench/gas-snapshot.json"


@pytest.mark.parametrize("operation", sorted(SNAPSHOT))
def test_gas_does_not_rise_above_the_snapshot(measured, operation):
    assert measured[operation] <= SNAPSHOT[operation], (
        f"{operation} costs {measured[operation]:,} gas, the snapshot says {SNAPSHOT[operation]:,}"
    )
