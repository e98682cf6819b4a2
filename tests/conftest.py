import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # tests/notebooks.py


def pytest_terminal_summary(terminalreporter):
    """Report the strict build's time (target: 30 s with execution off). A time is measured
    here, never asserted: machines are shared and noisy."""
    import bookbuild
    if bookbuild.build_book.cache_info().currsize:
        seconds = bookbuild.build_book().seconds
        terminalreporter.write_line(f"strict book build: {seconds:.1f} s (target <= 30 s)")
