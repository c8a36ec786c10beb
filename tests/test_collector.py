"""The cycle collector paused while a snapshot is made or read (elder_wire/collector.py): paused
inside, running again after (also after an error), and one paused by someone else stays so."""
from __future__ import annotations

import gc

import pytest

from elder_wire import collector


@pytest.fixture(autouse=True)
def _collector_running():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_running_after_even_after_an_error():
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_nested_or_already_paused_it_is_left_as_found():
    with collector.paused():
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer one resumes it
    assert gc.isenabled()
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()
