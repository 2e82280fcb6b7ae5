"""Benchmarks: Descent's engine against PyTorch, measured in the same run.

Run `python -m bench` (see README). Both sides use float64 and one thread each,
so the ratios compare implementations, not core counts.
"""

import os

# Before NumPy (and its BLAS) is imported anywhere: one thread, like torch below.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
