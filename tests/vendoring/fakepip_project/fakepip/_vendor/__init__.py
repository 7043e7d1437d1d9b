"""Libraries vendored by pypa's vendoring tool (see ../../pyproject.toml); never edit them."""
