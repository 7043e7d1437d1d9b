# Shared by tools/test, tools/demo and benchmarks: create or reuse one virtual
# environment per supported Python under .venvs/, with httpkit installed in
# editable mode and the test dependencies. Source it, then call ensure_env VER.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYENV_ROOT="${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}"
ALL_PYTHONS="2.7 3.9 3.10 3.11 3.12 3.13"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

# Full interpreter version for a short one (2.7 -> 2.7.18), from pyenv.
py_path() {
  local short="$1" v
  v=$(ls "$PYENV_ROOT/versions" | grep -E "^${short//./\\.}\.[0-9]+$" | sort -V | tail -n 1)
  [ -n "$v" ] || { echo "no pyenv Python $short under $PYENV_ROOT/versions" >&2; return 1; }
  echo "$PYENV_ROOT/versions/$v/bin/python"
}

# The stamp changes when anything that decides the installed set changes.
_stamp() { cat "$ROOT/setup.py" "$ROOT/tools/envs.sh" "$ROOT/tests/requirements.txt" | cksum | cut -d' ' -f1; }

_bootstrap_virtualenv() {
  # 2.7 has no venv module: create its environment with virtualenv 20.21
  # (the last release able to create 2.7 environments), run from Python 3.11.
  local tv="$ROOT/.venvs/tools"
  if [ ! -x "$tv/bin/virtualenv" ]; then
    "$(py_path 3.11)" -m venv "$tv"
    "$tv/bin/pip" install -q "virtualenv==20.21.1" >/dev/null 2>&1 || "$tv/bin/pip" install -q "virtualenv==20.21.1"
  fi
  echo "$tv/bin/virtualenv"
}

# A wheel of every runtime dependency and extra (and the build tools) for this
# Python, so the packaging and vendoring tests install into clean environments with
# --no-index: tests never leave loopback (the tests build httpkit's own wheel
# from the tree they test). On 3.x also pure-Python wheels of the
# same msgpack and charset_normalizer: pypa's vendoring tool installs what it vendors
# with --platform any, as for pip (msgpack's pure fallback, as pip ships it).
_wheelhouse() {  # _wheelhouse ENV SHORT REQUIREMENT..., run from $ROOT
  local py="$1/bin/python" wh="$1/wheelhouse" short="$2" v; shift 2
  # Once more on failure: one download that broke must not cost every packaging test.
  "$py" -m pip wheel -q -w "$wh" "$@" setuptools wheel \
    || "$py" -m pip wheel -q -w "$wh" "$@" setuptools wheel
  [ "$short" = "2.7" ] && return 0
  v=$(ls "$wh" | sed -n 's/^msgpack-\([^-]*\)-.*/\1/p' | head -n 1)
  MSGPACK_PUREPYTHON=1 "$py" -m pip wheel -q --no-cache-dir --no-deps --no-binary msgpack \
    -w "$wh" "msgpack==$v"
  v=$(ls "$wh" | sed -n 's/^charset_normalizer-\([^-]*\)-.*/\1/p' | head -n 1)
  "$py" -m pip download -q --no-deps --only-binary :all: --platform any -d "$wh" \
    "charset_normalizer==$v"
}

# pip's noise about the image's local indexes.
_quiet_pip() { grep -v -E "^WARNING: (Url|Location) 'file:" || true; }

# ensure_env 3.11 -> prints the env's python path
ensure_env() {
  local short="$1" env="$ROOT/.venvs/py$1" stamp
  stamp=$(_stamp)
  if [ -f "$env/.stamp" ] && [ "$(cat "$env/.stamp")" = "$stamp" ] && [ -x "$env/bin/python" ]; then
    echo "$env/bin/python"; return 0
  fi
  local py; py=$(py_path "$short")
  echo "[env] preparing $env" >&2
  rm -rf "$env"
  if [ "$short" = "2.7" ]; then
    "$(_bootstrap_virtualenv)" -q -p "$py" "$env" >&2
  else
    "$py" -m venv "$env" >&2
  fi
  # The dependencies first, which several environments may install at once
  # (tools/test builds them in parallel); then httpkit itself, editable and one
  # environment at a time: that step writes httpkit.egg-info into the tree.
  local deps=(); mapfile -t deps < <("$py" "$ROOT/tools/deps.py" all cli)
  (cd "$ROOT" && "$env/bin/python" -m pip install -q wheel "${deps[@]}" -r tests/requirements.txt 2>&1 \
     | _quiet_pip >&2) || true
  (cd "$ROOT" && flock "$ROOT/.venvs/.tree.lock" "$env/bin/python" -m pip install -q --no-deps -e . 2>&1 \
     | _quiet_pip >&2) || true
  "$env/bin/python" -c "import httpkit, h11, pytest" >&2 || { echo "[env] install failed for $short" >&2; return 1; }
  (cd "$ROOT" && _wheelhouse "$env" "$short" "${deps[@]}" 2>&1 | _quiet_pip >&2) || true
  echo "$stamp" > "$env/.stamp"
  echo "$env/bin/python"
}
