"""A call that raises in the child keeps its cause: the short message for the user, the child's
traceback in the parent's log."""

from __future__ import annotations

import logging

import pytest

from assistant.child_process import ChildFailed, ChildNotStarted, ChildProcess


def test_a_raising_call_logs_the_childs_traceback_and_keeps_the_message(caplog):
    child = ChildProcess("fractions:Fraction", (1,), name="clausewise-test")
    try:
        assert child.call("limit_denominator", 10) == 1  # a working call first: the child is up
        with caplog.at_level(logging.ERROR, logger="assistant.child_process"):
            with pytest.raises(ChildFailed) as raised:
                child.call("limit_denominator", 0)
        assert str(raised.value) == "ValueError: max_denominator should be at least 1"  # what the user may see
        assert "Traceback (most recent call last)" in raised.value.child_traceback
        [record] = [r for r in caplog.records if r.name == "assistant.child_process"]
        assert record.levelno == logging.ERROR
        logged = record.getMessage()
        assert "limit_denominator" in logged and "fractions.py" in logged and "ValueError" in logged
        assert child.call("limit_denominator", 10) == 1  # the child lives on after a raising call
    finally:
        child.close()


def test_a_child_that_cannot_build_its_object_logs_why(caplog):
    child = ChildProcess("pathlib:NoSuchClass", name="clausewise-test")
    with caplog.at_level(logging.ERROR, logger="assistant.child_process"):
        with pytest.raises(ChildNotStarted, match="AttributeError"):
            child.call("anything")
    assert any("_build" in r.getMessage() and "NoSuchClass" in r.getMessage() for r in caplog.records)
