"""TLS buffer throughput: each httpkit.tls backend against a plain ssl socket (2.7 and 3.x).

Usage: .venvs/py3.11/bin/python benchmarks/tls_throughput.py [--mb 50] [--rounds 5]
       [--backends stdlib,openssl] [--tls 1.3|1.2]

A Python ssl server in a subprocess (its own core) sends ``--mb`` MB over TLS
then a close_notify. The client side downloads it in interleaved rounds (every
client once per round, order rotated): a plain ``ssl``-wrapped socket, and each
backend's TLSWrappedBuffer pumped over a plain socket the way a driver does
(do_handshake / peek_outgoing / consume_outgoing / receive_from_network /
receive_eof / read). Reports the median MB/s and client CPU seconds (getrusage,
includes a backend's own helper sockets) and each as a % of plain ssl. With a
Python server the wall-clock MB/s is partly server-bound; "MB per CPU-s" (the
client's CPU only) is the steadier measure of a backend's own cost.
Target: the stdlib backend >= 80% of plain ssl's MB/s on 3.11.
"""
from __future__ import absolute_import, division, print_function

import argparse
import os
import resource
import socket
import ssl
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CERTS = os.path.join(ROOT, "tests", "certs")
CA = os.path.join(CERTS, "ca.pem")
READ = 65536
SERVER_CHUNK = 256 * 1024


# --------------------------------------------------------------------------- server (subprocess)
def server_context(tls):
    ctx = ssl.SSLContext(getattr(ssl, "PROTOCOL_TLS_SERVER", ssl.PROTOCOL_SSLv23))
    ctx.load_cert_chain(os.path.join(CERTS, "server.pem"), os.path.join(CERTS, "server.key"))
    if hasattr(ctx, "minimum_version"):  # 3.7+
        version = ssl.TLSVersion.TLSv1_3 if tls == "1.3" else ssl.TLSVersion.TLSv1_2
        ctx.minimum_version = ctx.maximum_version = version
    elif tls == "1.3":  # 2.7
        ctx.options |= ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1 | ssl.OP_NO_TLSv1_2
    else:
        ctx.options |= getattr(ssl, "OP_NO_TLSv1_3", 0)
    return ctx


def serve(tls):
    """Accept connections one by one: read 'N\\n', send N bytes, close_notify, close."""
    ctx = server_context(tls)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    print(listener.getsockname()[1])
    sys.stdout.flush()
    block = os.urandom(SERVER_CHUNK)
    listener.settimeout(600)
    while True:
        conn, _ = listener.accept()
        conn.settimeout(60)
        try:
            tconn = ctx.wrap_socket(conn, server_side=True)
            line = b""
            while not line.endswith(b"\n"):
                chunk = tconn.recv(64)
                if not chunk:
                    raise EOFError
                line += chunk
            if line.strip() == b"quit":
                return
            left = int(line)
            while left > 0:
                n = min(left, SERVER_CHUNK)
                tconn.sendall(block[:n] if n < SERVER_CHUNK else block)
                left -= n
            tconn.unwrap()  # close_notify (and wait for the client's)
        except (EnvironmentError, EOFError, ValueError, ssl.SSLError):
            pass
        finally:
            conn.close()


# --------------------------------------------------------------------------- clients
def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def plain_ssl_download(port, size):
    ctx = ssl.create_default_context(cafile=CA)
    if hasattr(ssl, "VERIFY_X509_STRICT"):  # 3.13: tests/certs lack Authority Key Identifiers
        ctx.verify_flags &= ~ssl.VERIFY_X509_STRICT
    sock = ctx.wrap_socket(connect(port), server_hostname="localhost")
    sock.sendall(("%d\n" % size).encode("ascii"))
    total = 0
    while True:
        data = sock.recv(READ)
        if not data:
            break
        total += len(data)
    sock.close()
    return total


def _flush(buf, sock):
    out = buf.peek_outgoing(READ)
    while out:
        sock.sendall(out)
        buf.consume_outgoing(len(out))
        out = buf.peek_outgoing(READ)


def _feed(buf, sock, tls):
    _flush(buf, sock)
    data = sock.recv(READ)
    if data:
        buf.receive_from_network(data)
    else:
        buf.receive_eof()


def buffer_download_factory(name):
    """A download function pumping backend ``name``'s TLSWrappedBuffer over a socket."""
    sys.path.insert(0, ROOT)
    import httpkit.tls as tls
    backend = tls.backend(name)
    config = tls.TLSConfiguration(trust_store=tls.TrustStore.from_file(CA))
    ctx = backend.client_context(config)

    def download(port, size):
        sock = connect(port)
        buf = ctx.wrap_buffers("localhost")
        while True:
            try:
                buf.do_handshake()
                break
            except tls.WantReadError:
                _feed(buf, sock, tls)
        buf.write(("%d\n" % size).encode("ascii"))
        _flush(buf, sock)
        total = 0
        while True:
            try:
                data = buf.read(READ)
            except tls.WantReadError:
                _feed(buf, sock, tls)
                continue
            if not data:
                break
            total += len(data)
        buf.shutdown()
        try:
            _flush(buf, sock)
        except EnvironmentError:
            pass
        sock.close()
        return total
    return download


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def measure(clients, port, size, rounds):
    results = dict((name, []) for name, _ in clients)
    for r in range(rounds):
        order = clients[r % len(clients):] + clients[:r % len(clients)]
        for name, func in order:
            if results[name] and isinstance(results[name][0], str):
                continue
            t0, c0 = time.time(), cpu_seconds()
            try:
                got = func(port, size)
                if got != size:
                    raise RuntimeError("got %d of %d bytes" % (got, size))
            except Exception as exc:  # report it in the table, keep measuring the others
                results[name] = ["%s: %s" % (type(exc).__name__, exc)]
                continue
            results[name].append((size / 1e6 / (time.time() - t0), cpu_seconds() - c0))
    return results


def report(results, names, size):
    base = results.get("plain ssl") or []
    base_rate = median([x[0] for x in base]) if base and not isinstance(base[0], str) else None
    base_cpu = median([x[1] for x in base]) if base_rate else None
    print("| client | MB/s (median) | % of plain ssl | client CPU s | CPU vs plain "
          "| MB per CPU-s | % of plain |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in names:
        runs = results[name]
        if not runs or isinstance(runs[0], str):
            print("| %s | error | | | %s |" % (name, runs[0] if runs else "not run"))
            continue
        rate, cpu = median([x[0] for x in runs]), median([x[1] for x in runs])
        pct = "%.0f%%" % (100 * rate / base_rate) if base_rate else "n/a"
        cpct = "%.0f%%" % (100 * cpu / base_cpu) if base_cpu else "n/a"
        eff = size / max(cpu, 1e-6)
        epct = "%.0f%%" % (100 * base_cpu / cpu) if base_cpu and cpu else "n/a"
        print("| %s | %.1f | %s | %.3f | %s | %.0f | %s |" % (name, rate, pct, cpu, cpct, eff, epct))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=int, default=50, help="MB per download (default 50)")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--backends", help="comma-separated (default: available_backends())")
    ap.add_argument("--tls", default="1.3", choices=["1.3", "1.2"])
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return serve(args.tls)
    sys.path.insert(0, ROOT)
    import httpkit.tls
    names = args.backends.split(",") if args.backends else httpkit.tls.available_backends()
    clients = [("plain ssl", plain_ssl_download)]
    for name in names:
        try:
            clients.append(("httpkit " + name, buffer_download_factory(name)))
        except Exception as exc:
            print("backend %s unavailable: %s" % (name, exc), file=sys.stderr)
    server = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve",
                               "--tls", args.tls], stdout=subprocess.PIPE)
    try:
        port = int(server.stdout.readline())
        results = measure(clients, port, args.mb * 1000 * 1000, args.rounds)
    finally:
        server.kill()
        server.wait()
    print("Python %s, %s, TLS %s, %d MB x %d interleaved rounds, %d-byte reads\n" % (
        sys.version.split()[0], ssl.OPENSSL_VERSION, args.tls, args.mb, args.rounds, READ))
    report(results, [n for n, _ in clients], args.mb)
    print("\nMB/s is capped by the Python server on the other core; 'MB per CPU-s' "
          "(client CPU only) is the client's own cost.")


if __name__ == "__main__":
    main()
