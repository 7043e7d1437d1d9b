#!/usr/bin/env bash
# Install the binaries of the real-world test peers: nginx (tests/servers.py's
# NginxServer, benchmarks/run.py) and redis-server (cache tests start their own).
# Idempotent and quiet: does nothing when they are already on PATH. Installs only
# as root (CI, developer machines); otherwise says what is missing and goes on.
# Never leaves the system services running: tests start their own instances on
# free loopback ports with configs in temp dirs.
set -uo pipefail

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "[services] missing: ${need[*]} (run tools/services.sh as root to install)" >&2
  exit 0
fi

# Keep Debian's maintainer scripts from starting the system services.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=1
fi
cleanup() { [ "$made_policy" -eq 1 ] && rm -f "$policy"; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
echo "[services] installing ${need[*]}" >&2
apt_install() {
  timeout 600 apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$@" >/dev/null 2>&1
}
if ! apt_install "${need[@]}"; then
  timeout 300 apt-get update -qq >/dev/null 2>&1
  # nginx-light was folded into nginx in newer Debian releases.
  apt_install "${need[@]}" || apt_install "${need[@]/nginx-light/nginx}" \
    || echo "[services] apt-get install ${need[*]} failed" >&2
fi

# In case a service was started anyway (no policy-rc.d honoured, container init).
for svc in nginx redis-server; do
  pidfile=/run/$svc.pid; [ "$svc" = redis-server ] && pidfile=/run/redis/redis-server.pid
  if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
done
exit 0
