"""tests/typing: the public API's types (3.x) and Session signatures (every Python).

test_mypy.py runs mypy (seconds a run) on the newest Python with a test environment
(.venvs/py3.*) only: the stubs are the same files whichever Python checks them. Other
Pythons do not collect it (rather than skipping each test), and 2.7 has no mypy.
"""
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def newest_env():
    """(3, minor) of the newest .venvs/py3.* (this Python's when there is none)."""
    versions = [(3, int(re.search(r"py3\.(\d+)", path).group(1)))
                for path in glob.glob(os.path.join(ROOT, ".venvs", "py3.*", "bin", "python"))]
    return max(versions) if versions else tuple(sys.version_info[:2])


collect_ignore = ["sample.py", "negative.py"]
if tuple(sys.version_info[:2]) != newest_env():
    collect_ignore.append("test_mypy.py")
