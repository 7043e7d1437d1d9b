"""tests/typing: the public API's types (3.x) and Session signatures (every Python)."""
import sys

# test_mypy.py needs mypy and a Python 3 sample: 2.7 runs test_signatures.py only.
collect_ignore = ["test_mypy.py", "sample.py", "negative.py"] if sys.version_info[0] < 3 \
    else ["sample.py", "negative.py"]
