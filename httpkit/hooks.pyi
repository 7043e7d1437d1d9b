# Types of httpkit.hooks (rules: httpkit/__init__.pyi).
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

__all__ = ["HOOKS", "default_hooks", "dispatch_hook"]

_T = TypeVar("_T")

HOOKS: list[str]

def default_hooks() -> dict[str, list[Callable[..., Any]]]: ...
def dispatch_hook(
    key: str,
    hooks: Mapping[str, Callable[..., Any] | list[Callable[..., Any]]] | None,
    hook_data: _T,
    **kwargs: Any,
) -> _T: ...
