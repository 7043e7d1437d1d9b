"""Generate the test certificates in tests/certs/ (run with any Python 3 that has cryptography).

Everything is made locally; nothing is fetched. Validity is long (until 2120)
except for the deliberately expired certificate. Re-run to regenerate:

    python tools/make_certs.py tests/certs
"""
from __future__ import print_function

import datetime
import ipaddress
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime(2026, 1, 1)
FAR = datetime.datetime(2120, 1, 1)


def key(kind="rsa"):
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, u"httpkit tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def ca(cn):
    k = key()
    cert = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(name(cn))
            .public_key(k.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW).not_valid_after(FAR)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(k.public_key()),
                           critical=False)
            .sign(k, hashes.SHA256()))
    return cert, k


def leaf(cn, sans, issuer, issuer_key, client=False, not_before=NOW, not_after=FAR, kind="rsa"):
    k = key(kind)
    alt = []
    for s in sans:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(s)))
        except ValueError:
            alt.append(x509.DNSName(s))
    b = (x509.CertificateBuilder().subject_name(name(cn))
         .issuer_name(issuer.subject if issuer is not None else name(cn))
         .public_key(k.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(not_before).not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(x509.ExtendedKeyUsage(
             [ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH]),
             critical=False))
    if alt:
        b = b.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    # Python 3.13 verifies with VERIFY_X509_STRICT by default, which wants both
    # key identifiers (RFC 5280 section 4.2.1.1).
    b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False)
    signer = issuer_key if issuer_key is not None else k
    b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
                        critical=False)
    cert = b.sign(issuer_key if issuer_key is not None else k, hashes.SHA256())
    return cert, k


def write(out, stem, cert, k=None, password=None):
    with open(os.path.join(out, stem + ".pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    if k is not None:
        enc = (serialization.BestAvailableEncryption(password) if password
               else serialization.NoEncryption())
        with open(os.path.join(out, stem + ".key"), "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8, enc))


def main(out):
    if not os.path.isdir(out):
        os.makedirs(out)
    ca_cert, ca_key = ca(u"httpkit test CA")
    write(out, "ca", ca_cert, ca_key)
    rogue_cert, rogue_key = ca(u"rogue CA")
    write(out, "rogue-ca", rogue_cert, rogue_key)
    server_sans = [u"localhost", u"127.0.0.1", u"::1", u"xn--bcher-kva.example",
                   u"*.wild.test", u"proxy.test", u"origin.test", u"other.test"]
    write(out, "server", *leaf(u"localhost", server_sans, ca_cert, ca_key))
    write(out, "server-ec", *leaf(u"localhost", server_sans, ca_cert, ca_key, kind="ec"))
    write(out, "expired", *leaf(u"localhost", [u"localhost", u"127.0.0.1"], ca_cert, ca_key,
                                not_before=datetime.datetime(2019, 1, 1),
                                not_after=datetime.datetime(2020, 1, 1)))
    write(out, "selfsigned", *leaf(u"localhost", [u"localhost", u"127.0.0.1"], None, None))
    write(out, "unknown-ca", *leaf(u"localhost", [u"localhost", u"127.0.0.1"],
                                   rogue_cert, rogue_key))
    # CN "localhost" but no subjectAltName: refused (RFC 6125 section 6.4.4, no CN fallback)
    write(out, "cn-only", *leaf(u"localhost", [], ca_cert, ca_key))
    # CN "localhost", subjectAltName with an IP only: valid for 127.0.0.1, not for localhost
    write(out, "ip-only", *leaf(u"localhost", [u"127.0.0.1"], ca_cert, ca_key))
    client_cert, client_key = leaf(u"httpkit client", [], ca_cert, ca_key, client=True)
    write(out, "client", client_cert, client_key)
    with open(os.path.join(out, "client-encrypted.pem"), "wb") as f:
        f.write(client_cert.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(out, "client-encrypted.key"), "wb") as f:
        f.write(client_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"hunter2")))
    # server + CA in one file: a server that sends its chain
    with open(os.path.join(out, "server-chain.pem"), "wb") as f:
        f.write(open(os.path.join(out, "server.pem"), "rb").read()
                + ca_cert.public_bytes(serialization.Encoding.PEM))
    print("wrote test certificates to", out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "certs"))
