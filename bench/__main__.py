"""python -m bench [--browser] [--quick]: every benchmark, one table, ratios against peers.

PyTorch (CPU build 2.13.0: `pip install torch==2.13.0`, an optional dependency) is
the peer for the engine; the server and browser figures have targets, not peers.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform

import bench  # noqa: F401 (sets one BLAS thread before NumPy loads)
from bench import numpy_calls, pages, timing, training, trajectories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--browser", action="store_true",
                        help="also measure slider-to-redraw latency in headless Chromium")
    parser.add_argument("--no-server", action="store_true",
                        help="skip the protocol-level server cost per rerun")
    args = parser.parse_args()
    rows = [*training.run(), *trajectories.run(), *numpy_calls.run(), *pages.run()]
    print(f"Descent benchmarks, {datetime.date.today()}, {platform.processor() or 'cpu'}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}\n")
    print(timing.table(rows))
    if not args.no_server:
        from bench import server_cost
        print()
        server_cost.main()
    if args.browser:
        from bench import browser_latency
        print()
        browser_latency.main()


if __name__ == "__main__":
    main()
