"""The repository's scripts. Each runs as a file (``python scripts/NAME.py``, see the Makefile);
as a package, their shared modules (``compose_file``, ``compose_topology``) are imported by the
scripts and by the tests alike."""
