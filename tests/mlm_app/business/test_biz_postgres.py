"""The database-backed business flows again on real PostgreSQL (the embedded server of tests/services.py)."""

import pytest
from bizworld import make_world
from test_biz_board_pay import CONFIG as BOARD_CONFIG
from test_biz_board_pay import check_boards
from test_biz_commission_runs import (
    test_refund_after_a_paid_run_claws_back_the_unilevel_share as refund_flow,
)
from test_biz_commission_runs import (
    test_run_pays_unilevel_with_compression_and_is_idempotent as run_flow,
)
from test_biz_matrix_pay import CONFIG as MATRIX_CONFIG
from test_biz_matrix_pay import check_matrix_pay


def _dispose(world):
    world.factory.kw["bind"].dispose()  # idle connections would hold up the server's shutdown


@pytest.fixture
def pg_world(postgres_db_url, tmp_path):
    world = make_world(postgres_db_url, tmp_path)
    yield world
    _dispose(world)


@pytest.mark.parametrize("flow", [run_flow, refund_flow])
def test_flows_on_postgres(pg_world, flow):
    flow(pg_world)


@pytest.mark.parametrize("check, config", [(check_matrix_pay, MATRIX_CONFIG), (check_boards, BOARD_CONFIG)])
def test_matrix_and_boards_on_postgres(postgres_db_url, tmp_path, check, config):
    world = make_world(postgres_db_url, tmp_path, config)
    try:
        check(world)
    finally:
        _dispose(world)
