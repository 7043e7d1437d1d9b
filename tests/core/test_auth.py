"""Auth flows: Basic, Bearer, Digest (RFC 7616), netrc, callables, build_auth."""
from __future__ import absolute_import, division, print_function

import base64
import hashlib
import os
import re
import tempfile

import pytest

from httpkit._auth import (Auth, BasicAuth, BearerAuth, DigestAuth, DigestAuthError,
                           FunctionAuth, NetrcAuth, basic_auth_header, build_auth,
                           netrc_credentials, parse_challenges)
from httpkit._models import Headers, PreparedRequest, Response

RFC_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
RFC_OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
RFC_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
RFC_REALM = "http-auth@example.org"


def rfc_challenge(algorithm, nonce=RFC_NONCE, extra=""):
    return ('Digest realm="%s", qop="auth, auth-int", algorithm=%s, nonce="%s", '
            'opaque="%s"%s' % (RFC_REALM, algorithm, nonce, RFC_OPAQUE, extra))


def respond(status, *challenges):
    def make(request):
        headers = Headers()
        for challenge in challenges:
            headers.add("WWW-Authenticate", challenge)
        return Response(status, "", headers, request)
    return make


def drive(auth, request, *responders):
    """Run a flow: return every request it yielded."""
    flow = auth.auth_flow(request)
    sent = [next(flow)]
    for responder in responders:
        try:
            sent.append(flow.send(responder(sent[-1])))
        except StopIteration:
            return sent
    with pytest.raises(StopIteration):
        flow.send(Response(200, "OK", Headers(), sent[-1]))
    return sent


def digest_fields(header):
    assert header.startswith("Digest ")
    return dict((k, v.strip('"')) for k, v in re.findall(r'([\w*]+)=("[^"]*"|[^,\s]+)', header))


def h(name, text):
    return hashlib.new(name, text.encode("utf-8")).hexdigest()


def expected_response(name, fields, method="GET", password="Circle of Life", user="Mufasa"):
    """RFC 7616 section 3.4.1, computed independently of httpkit."""
    ha1 = h(name, "%s:%s:%s" % (user, fields["realm"], password))
    ha2 = h(name, "%s:%s" % (method, fields["uri"]))
    return h(name, ":".join([ha1, fields["nonce"], fields["nc"], fields["cnonce"],
                             fields["qop"], ha2]))


class FixedCnonce(DigestAuth):
    def _new_cnonce(self):
        return RFC_CNONCE


# ---------------------------------------------------------------- Basic & co


def test_basic_header_latin1_and_bytes():
    assert basic_auth_header("user", "pass") == "Basic dXNlcjpwYXNz"
    assert basic_auth_header(u"J\xf6rg", u"p") == "Basic " + base64.b64encode(
        b"J\xf6rg:p").decode("ascii")
    assert basic_auth_header(b"\xe2\x82\xac", b"x") == "Basic " + base64.b64encode(
        b"\xe2\x82\xac:x").decode("ascii")
    # not latin-1: UTF-8 (RFC 7617) instead of a UnicodeEncodeError
    assert basic_auth_header(u"\u20ac", u"x") == basic_auth_header(b"\xe2\x82\xac", b"x")


def test_basic_header_rejects_other_types():
    with pytest.raises(TypeError):
        basic_auth_header(1, "x")


def test_basic_flow_sets_header_and_sends_once():
    req = PreparedRequest("GET", "http://example.com/")
    sent = drive(BasicAuth("user", "pass"), req)
    assert sent == [req]
    assert req.headers["Authorization"] == "Basic dXNlcjpwYXNz"


def test_bearer_flow():
    req = PreparedRequest("GET", "http://example.com/")
    drive(BearerAuth("tok"), req)
    assert req.headers["Authorization"] == "Bearer tok"


def test_reprs_hide_credentials():
    for auth in (BasicAuth("alice", "s3cret"), BearerAuth("s3cret"),
                 DigestAuth("alice", "s3cret"), build_auth(lambda r: r)):
        assert "s3cret" not in repr(auth) and "alice" not in repr(auth)


def test_function_auth_callable_and_authbase_style():
    class AuthBaseLike(object):
        def __call__(self, request):
            request.headers["X-Signed"] = "yes"
            return request

    req = PreparedRequest("GET", "http://example.com/")
    drive(build_auth(AuthBaseLike()), req)
    assert req.headers["X-Signed"] == "yes"
    other = PreparedRequest("GET", "http://example.com/other")
    sent = drive(FunctionAuth(lambda r: other), req)
    assert sent == [other]


def test_base_auth_sends_unchanged():
    req = PreparedRequest("GET", "http://example.com/")
    assert drive(Auth(), req) == [req]


def test_build_auth_conversions():
    assert build_auth(None) is None
    basic = BasicAuth("a", "b")
    assert build_auth(basic) is basic
    assert isinstance(build_auth(("a", "b")), BasicAuth)
    assert isinstance(build_auth(["a", "b"]), BasicAuth)
    assert isinstance(build_auth(lambda r: r), FunctionAuth)


@pytest.mark.parametrize("bad", ["user:pass", ("a", "b", "c"), 42])
def test_build_auth_rejects_with_clear_error(bad):
    with pytest.raises(TypeError) as info:
        build_auth(bad)
    assert "auth" in str(info.value) and "user:pass" not in str(info.value)


# ---------------------------------------------------------------- netrc


@pytest.fixture
def netrc_file(monkeypatch):
    fd, path = tempfile.mkstemp()
    with os.fdopen(fd, "w") as f:
        f.write("machine example.com login alice password s3cret\n"
                "machine acct.example account bob password pw\n")
    os.chmod(path, 0o600)
    monkeypatch.setenv("NETRC", path)
    yield path
    os.remove(path)


def test_netrc_credentials_from_env(netrc_file):
    assert netrc_credentials("example.com") == ("alice", "s3cret")
    assert netrc_credentials("acct.example") == ("bob", "pw")
    assert netrc_credentials("other.example") is None


def test_netrc_explicit_file_and_missing_file(netrc_file, tmpdir):
    assert netrc_credentials("example.com", netrc_file=netrc_file) == ("alice", "s3cret")
    assert netrc_credentials("example.com", netrc_file=str(tmpdir.join("none"))) is None


def test_netrc_parse_errors_are_ignored(tmpdir, monkeypatch):
    bad = tmpdir.join("netrc")
    bad.write("machine example.com login alice password\nmacdefx junk 'unterminated")
    monkeypatch.setenv("NETRC", str(bad))
    assert netrc_credentials("nowhere.example") is None


def test_netrc_auth_flow(netrc_file):
    req = PreparedRequest("GET", "http://example.com:8080/x")
    drive(NetrcAuth(), req)
    assert req.headers["Authorization"] == basic_auth_header("alice", "s3cret")
    explicit = PreparedRequest("GET", "http://example.com/", headers={"Authorization": "Bearer t"})
    drive(NetrcAuth(), explicit)
    assert explicit.headers["Authorization"] == "Bearer t"
    none = PreparedRequest("GET", "http://unknown.example/")
    drive(NetrcAuth(), none)
    assert "Authorization" not in none.headers


# ---------------------------------------------------------------- challenges


def test_parse_challenges_several_in_one_field():
    parsed = parse_challenges([
        'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
        "Negotiate abc+/de==, Digest nonce=x"])
    assert parsed == [
        ("newauth", {"realm": "apps", "type": "1", "title": 'Login to "apps"'}),
        ("basic", {"realm": "simple"}),
        ("negotiate", {"": "abc+/de=="}),
        ("digest", {"nonce": "x"}),
    ]


# ---------------------------------------------------------------- Digest


def test_digest_rfc7616_md5_worked_example():
    req = PreparedRequest("GET", "http://www.example.org/dir/index.html")
    sent = drive(FixedCnonce("Mufasa", "Circle of Life"), req, respond(401, rfc_challenge("MD5")))
    fields = digest_fields(sent[1].headers["Authorization"])
    assert fields["response"] == "8ca523f5e9506fed4657c9700eebdbec"
    assert fields["response"] == expected_response("md5", fields)
    assert fields["nc"] == "00000001" and fields["qop"] == "auth"
    assert fields["opaque"] == RFC_OPAQUE and fields["algorithm"] == "MD5"
    assert fields["uri"] == "/dir/index.html" and fields["username"] == "Mufasa"
    assert "Authorization" not in req.headers  # the first request is left as sent


def test_digest_prefers_sha256_rfc7616_worked_example():
    req = PreparedRequest("GET", "http://www.example.org/dir/index.html")
    sent = drive(FixedCnonce("Mufasa", "Circle of Life"), req,
                 respond(401, rfc_challenge("MD5"), rfc_challenge("SHA-256")))
    fields = digest_fields(sent[1].headers["Authorization"])
    assert fields["algorithm"] == "SHA-256"
    assert fields["response"] == (
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
    assert fields["response"] == expected_response("sha256", fields)


def test_digest_random_cnonce_verified_independently():
    req = PreparedRequest("POST", "http://example.org/a?b=c", body=b"x")
    sent = drive(DigestAuth("Mufasa", "Circle of Life"), req,
                 respond(401, rfc_challenge("SHA-256")))
    fields = digest_fields(sent[1].headers["Authorization"])
    assert len(fields["cnonce"]) >= 16 and fields["uri"] == "/a?b=c"
    assert fields["response"] == expected_response("sha256", fields, method="POST")
    other = drive(DigestAuth("Mufasa", "Circle of Life"), req.copy(),
                  respond(401, rfc_challenge("SHA-256")))
    assert digest_fields(other[1].headers["Authorization"])["cnonce"] != fields["cnonce"]


def test_digest_sess_and_rfc2069():
    req = PreparedRequest("GET", "http://example.org/p")
    sent = drive(FixedCnonce("u", "p"), req,
                 respond(401, 'Digest realm="r", nonce="n", algorithm=MD5-sess, qop=auth'))
    f = digest_fields(sent[1].headers["Authorization"])
    ha1 = h("md5", "%s:n:%s" % (h("md5", "u:r:p"), RFC_CNONCE))
    assert f["response"] == h("md5", ":".join([ha1, "n", "00000001", RFC_CNONCE, "auth",
                                               h("md5", "GET:/p")]))
    sent = drive(DigestAuth("u", "p"), PreparedRequest("GET", "http://example.org/p"),
                 respond(401, 'Digest realm="r", nonce="n"'))
    f = digest_fields(sent[1].headers["Authorization"])
    assert "qop" not in f and "nc" not in f and "cnonce" not in f
    assert f["response"] == h("md5", "%s:n:%s" % (h("md5", "u:r:p"), h("md5", "GET:/p")))


@pytest.mark.skipif("sha512_256" not in hashlib.algorithms_available,
                    reason="no SHA-512/256 in this OpenSSL")
def test_digest_sha512_256_preferred_when_available():
    sent = drive(DigestAuth("u", "p"), PreparedRequest("GET", "http://example.org/"),
                 respond(401, rfc_challenge("SHA-256"), rfc_challenge("SHA-512-256")))
    fields = digest_fields(sent[1].headers["Authorization"])
    assert fields["algorithm"] == "SHA-512-256"
    assert fields["response"] == expected_response("sha512_256", fields, password="p", user="u")


def test_digest_userhash():
    sent = drive(DigestAuth("Mufasa", "Circle of Life"), PreparedRequest("GET", "http://example.org/"),
                 respond(401, rfc_challenge("SHA-256", extra=", userhash=true")))
    fields = digest_fields(sent[1].headers["Authorization"])
    assert fields["userhash"] == "true"
    assert fields["username"] == h("sha256", "Mufasa:" + RFC_REALM)
    assert fields["response"] == expected_response("sha256", fields)


def test_digest_non_ascii_username_uses_username_star():
    sent = drive(DigestAuth(u"J\xe4s\xf8n", "p"), PreparedRequest("GET", "http://example.org/"),
                 respond(401, rfc_challenge("MD5")))
    assert "username*=UTF-8''J%C3%A4s%C3%B8n" in sent[1].headers["Authorization"]


def test_digest_auth_int_only_is_a_clear_error():
    flow = DigestAuth("u", "s3cret").auth_flow(PreparedRequest("GET", "http://u:s3cret@example.org/"))
    req = next(flow)
    with pytest.raises(DigestAuthError) as info:
        flow.send(respond(401, 'Digest realm="r", nonce="n", qop="auth-int"')(req))
    assert "auth-int" in str(info.value) and "s3cret" not in str(info.value)
    assert info.value.response.status_code == 401


def test_digest_unknown_algorithm_is_a_clear_error():
    flow = DigestAuth("u", "p").auth_flow(PreparedRequest("GET", "http://example.org/"))
    req = next(flow)
    with pytest.raises(DigestAuthError) as info:
        flow.send(respond(401, 'Digest realm="r", nonce="n", algorithm=SHA3-999')(req))
    assert "SHA3-999" in str(info.value)


def test_digest_without_digest_challenge_gives_up():
    sent = drive(DigestAuth("u", "p"), PreparedRequest("GET", "http://example.org/"),
                 respond(401, 'Basic realm="x"'))
    assert len(sent) == 1


def test_digest_wrong_password_is_not_retried_forever():
    auth = DigestAuth("u", "p")
    sent = drive(auth, PreparedRequest("GET", "http://example.org/"),
                 respond(401, rfc_challenge("MD5")), respond(401, rfc_challenge("MD5")),
                 respond(401, rfc_challenge("MD5")))
    assert len(sent) == 2
    # a failed answer is forgotten: no pre-authentication next time
    nxt = drive(auth, PreparedRequest("GET", "http://example.org/"))
    assert "Authorization" not in nxt[0].headers


def test_digest_stale_nonce_retries_once_with_new_nonce():
    auth = DigestAuth("u", "p")
    stale = respond(401, rfc_challenge("MD5", nonce="second", extra=", stale=TRUE"))
    staler = respond(401, rfc_challenge("MD5", nonce="third", extra=", stale=true"))
    sent = drive(auth, PreparedRequest("GET", "http://example.org/"),
                 respond(401, rfc_challenge("MD5", nonce="first")), stale, staler)
    assert len(sent) == 3
    assert digest_fields(sent[1].headers["Authorization"])["nonce"] == "first"
    f = digest_fields(sent[2].headers["Authorization"])
    assert f["nonce"] == "second" and f["nc"] == "00000001"


def test_digest_preauthenticates_with_increasing_nc():
    auth = DigestAuth("u", "p")
    drive(auth, PreparedRequest("GET", "http://example.org/a"), respond(401, rfc_challenge("MD5")))
    second = drive(auth, PreparedRequest("GET", "http://example.org/b"))
    f = digest_fields(second[0].headers["Authorization"])
    assert f["nonce"] == RFC_NONCE and f["nc"] == "00000002" and f["uri"] == "/b"
    assert f["response"] == expected_response("md5", f, password="p", user="u")
    third = drive(auth, PreparedRequest("GET", "http://example.org/c"))
    assert digest_fields(third[0].headers["Authorization"])["nc"] == "00000003"
    # other origins never see it
    elsewhere = drive(auth, PreparedRequest("GET", "https://example.org/a"))
    assert "Authorization" not in elsewhere[0].headers


def test_digest_preauth_respects_domain_protection_space():
    auth = DigestAuth("u", "p")
    drive(auth, PreparedRequest("GET", "http://example.org/api/x"),
          respond(401, rfc_challenge("MD5", extra=', domain="/api/ /v2/"')))
    assert "Authorization" in drive(auth, PreparedRequest("GET", "http://example.org/api/y"))[0].headers
    assert "Authorization" in drive(auth, PreparedRequest("GET", "http://example.org/v2/"))[0].headers
    assert "Authorization" not in drive(auth, PreparedRequest("GET", "http://example.org/"))[0].headers


def test_digest_preauth_rejected_answers_new_challenge():
    auth = DigestAuth("u", "p")
    drive(auth, PreparedRequest("GET", "http://example.org/"), respond(401, rfc_challenge("MD5")))
    sent = drive(auth, PreparedRequest("GET", "http://example.org/"),
                 respond(401, rfc_challenge("MD5", nonce="fresh", extra=", stale=true")))
    assert len(sent) == 2
    f = digest_fields(sent[1].headers["Authorization"])
    assert f["nonce"] == "fresh" and f["nc"] == "00000001"
