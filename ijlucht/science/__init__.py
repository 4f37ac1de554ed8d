"""Pure air-quality science: numpy/pandas in, numbers out, no I/O. Each method carries a version string."""
