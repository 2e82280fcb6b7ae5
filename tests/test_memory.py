"""ui.memory: glibc accepts the thresholds that keep freed memory for the next rerun."""

from __future__ import annotations

import platform
import sys

import pytest

from ui import memory


@pytest.mark.skipif(not (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"),
                    reason="mallopt is glibc's")
def test_glibc_takes_every_threshold():
    assert memory.keep_freed_memory()
    memory.keep_freed_memory_once()
    memory.keep_freed_memory_once()  # once per process; later calls do nothing
    assert memory._done
