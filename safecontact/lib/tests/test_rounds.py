from io import StringIO

import pytest
from django.core.management.base import CommandError
from django.db import OperationalError

from safecontact.lib.rounds import run_rounds

# Each round checks the connection's health, which counts as database access.
pytestmark = pytest.mark.django_db(transaction=True)


class Stop(Exception):
    pass


def test_a_database_error_costs_one_round_not_the_process():
    calls, err = [], StringIO()

    def work():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection")
        raise Stop

    with pytest.raises(Stop):
        run_rounds(work, once=False, interval=0, stderr=err)
    assert len(calls) == 2
    assert "The database is not answering (OperationalError)" in err.getvalue()


def test_with_once_a_database_error_is_a_clear_command_error():
    def work():
        raise OperationalError("could not connect to server")

    with pytest.raises(CommandError, match="The database is not answering"):
        run_rounds(work, once=True, interval=0, stderr=StringIO())


def test_with_once_it_runs_one_round():
    calls = []
    run_rounds(lambda: calls.append(1), once=True, interval=0, stderr=StringIO())
    assert calls == [1]
