# -*- coding: utf-8 -*-
"""httpkit.utils, httpkit.structures and httpkit.codes: requests' helper names, same results."""
from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys

import pytest

import httpkit
from httpkit import utils
from httpkit.structures import CaseInsensitiveDict, LookupDict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---------------------------------------------------------------- codes

@pytest.mark.parametrize("name, code", [
    ("ok", 200), ("OK", 200), ("okay", 200), ("created", 201), ("no_content", 204),
    ("moved_permanently", 301), ("found", 302), ("see_other", 303), ("not_modified", 304),
    ("temporary_redirect", 307), ("permanent_redirect", 308), ("bad_request", 400),
    ("unauthorized", 401), ("forbidden", 403), ("not_found", 404), ("NOT_FOUND", 404),
    ("teapot", 418), ("too_early", 425), ("too_many_requests", 429),
    ("internal_server_error", 500), ("bad_gateway", 502), ("service_unavailable", 503),
    ("gateway_timeout", 504), ("network_authentication_required", 511),
])
def test_codes_by_attribute_and_item(name, code):
    assert getattr(httpkit.codes, name) == code
    assert httpkit.codes[name] == code
    assert httpkit.codes.get(name) == code


def test_codes_shared_names_go_to_the_higher_code_as_in_requests():
    assert httpkit.codes.precondition == 428
    assert httpkit.codes.uri_too_long == 414


def test_codes_symbol_names_have_no_upper_case_copy():
    assert httpkit.codes["\\o/"] == 200
    assert httpkit.codes["/o\\"] == 500
    assert httpkit.codes[u"\u2713"] == 200
    assert httpkit.codes["-o-"] == 404


def test_codes_unknown_name():
    assert httpkit.codes["no_such_status"] is None
    assert httpkit.codes.get("no_such_status", 0) == 0
    with pytest.raises(AttributeError):
        httpkit.codes.no_such_status  # noqa: B018
    assert repr(httpkit.codes) == "<lookup 'status_codes'>"


def test_codes_is_public():
    assert "codes" in httpkit.__all__
    assert isinstance(httpkit.codes, LookupDict)


# ---------------------------------------------------------------- structures

def test_case_insensitive_dict_keeps_the_last_case_and_ignores_it_for_lookups():
    d = CaseInsensitiveDict()
    d["Accept"] = "application/json"
    assert d["aCCEPT"] == "application/json"
    assert list(d) == ["Accept"]
    d["ACCEPT"] = "text/html"
    assert list(d) == ["ACCEPT"] and len(d) == 1
    assert "accept" in d
    del d["accept"]
    assert "Accept" not in d and len(d) == 0


def test_case_insensitive_dict_construction_forms():
    for d in (CaseInsensitiveDict({"Foo": "foo", "BAr": "bar"}),
              CaseInsensitiveDict([("Foo", "foo"), ("BAr", "bar")]),
              CaseInsensitiveDict(FOO="foo", BAr="bar")):
        assert len(d) == 2 and d["foo"] == "foo" and d["BAR"] == "bar"


def test_case_insensitive_dict_holds_any_value():
    d = CaseInsensitiveDict({"n": 1, "l": [1, 2], "none": None})
    assert d["N"] == 1 and d["L"] == [1, 2] and d["NONE"] is None


def test_case_insensitive_dict_equality_copy_lower_items_repr():
    d = CaseInsensitiveDict({"Content-Type": "text/plain"})
    assert d == {"content-type": "text/plain"}
    assert d != {"content-type": "text/html"}
    assert d != ["not", "a", "mapping"]
    copy = d.copy()
    assert isinstance(copy, CaseInsensitiveDict) and copy == d and copy is not d
    copy["X"] = "1"
    assert "X" not in d
    assert list(d.lower_items()) == [("content-type", "text/plain")]
    assert repr(d) == "{'Content-Type': 'text/plain'}"


def test_case_insensitive_dict_setdefault_update_get():
    d = CaseInsensitiveDict()
    assert d.setdefault("Accept", "a") == "a"
    assert d.setdefault("ACCEPT", "b") == "a"
    d.update({"accept": "c"}, Other="o")
    assert d["Accept"] == "c" and d.get("other") == "o" and d.get("missing") is None


def test_utils_and_structures_share_the_class():
    assert utils.CaseInsensitiveDict is CaseInsensitiveDict
    assert httpkit.structures.CaseInsensitiveDict is CaseInsensitiveDict


# ---------------------------------------------------------------- URL quoting

@pytest.mark.parametrize("uri, expected", [
    ("http://example.com/fiz?buz=%ppicture", "http://example.com/fiz?buz=%25ppicture"),
    ("http://example.com/fiz?buz=%25ppicture", "http://example.com/fiz?buz=%25ppicture"),
    ("http://example.com/a b", "http://example.com/a%20b"),
    ("http://example.com/%7Euser/", "http://example.com/~user/"),
    ("http://example.com/a%2Fb", "http://example.com/a%2Fb"),
    (u"http://example.com/caf\u00e9", "http://example.com/caf%C3%A9"),
    ("http://example.com/?q=a+b&c=[1]#frag", "http://example.com/?q=a+b&c=[1]#frag"),
])
def test_requote_uri(uri, expected):
    assert utils.requote_uri(uri) == expected
    assert utils.requote_uri(expected) == expected  # stable


def test_unquote_unreserved():
    assert utils.unquote_unreserved("a%41%7e%2F%20") == "aA~%2F%20"
    assert utils.unquote_unreserved("100%") == "100%"
    with pytest.raises(httpkit.InvalidURL) as info:
        utils.unquote_unreserved("%zz")
    assert "'zz'" in str(info.value)


def test_quote_and_unquote_are_the_stdlib_ones():
    assert utils.quote("a b/c") == "a%20b/c"
    assert utils.quote("a b/c", safe="") == "a%20b%2Fc"
    assert utils.unquote("a%20b") == "a b"


@pytest.mark.parametrize("url, expected", [
    ("http://user:pass@example.com/", ("user", "pass")),
    ("https://us%40er:p%3Ass@example.com:8443/x", ("us@er", "p:ss")),
    ("http://user@example.com/", ("user", "")),
    ("http://example.com/a@b", ("", "")),
    ("http://example.com/", ("", "")),
    (b"http://u:p@example.com/", ("u", "p")),
])
def test_get_auth_from_url(url, expected):
    assert utils.get_auth_from_url(url) == expected


# ---------------------------------------------------------------- headers and bodies

def test_parse_header_links():
    value = ('<http://.../front.jpeg>; rel=front; type="image/jpeg",'
             '<http://.../back.jpeg>; rel=back;type="image/jpeg"')
    assert utils.parse_header_links(value) == [
        {"url": "http://.../front.jpeg", "rel": "front", "type": "image/jpeg"},
        {"url": "http://.../back.jpeg", "rel": "back", "type": "image/jpeg"},
    ]
    assert utils.parse_header_links("") == []
    assert utils.parse_header_links("<http://a/>") == [{"url": "http://a/"}]


@pytest.mark.parametrize("content_type, expected", [
    ("text/html; charset=UTF-8", "UTF-8"),
    ('text/html; charset="ISO-8859-1"', "ISO-8859-1"),
    ("text/html; charset='utf-8'", "utf-8"),
    ("text/plain", None),            # requests: "ISO-8859-1" (httpkit guesses from the body)
    ("text/html; charset=no-such-codec", None),
])
def test_get_encoding_from_headers(content_type, expected):
    assert utils.get_encoding_from_headers(httpkit.Headers({"Content-Type": content_type})) \
        == expected


def test_get_encoding_from_headers_without_content_type():
    assert utils.get_encoding_from_headers(httpkit.Headers()) is None


@pytest.mark.parametrize("encoding", ["utf-32", "utf-8-sig", "utf-16", "utf-8", "utf-16-be",
                                      "utf-16-le", "utf-32-be", "utf-32-le"])
def test_guess_json_utf(encoding):
    data = u'{"a": 1}'.encode(encoding)
    assert utils.guess_json_utf(data) == encoding


def test_guess_json_utf_bad_null_pattern():
    assert utils.guess_json_utf(b"\x00\x00\x00\x00{}") is None


@pytest.mark.parametrize("value, expected", [
    ([("k", "v")], [("k", "v")]),
    ({"k": "v"}, [("k", "v")]),
    (None, None),
])
def test_to_key_val_list(value, expected):
    assert utils.to_key_val_list(value) == expected


@pytest.mark.parametrize("bad", ["string", b"bytes", 1, True])
def test_key_val_lists_reject_scalars(bad):
    with pytest.raises(ValueError):
        utils.to_key_val_list(bad)
    with pytest.raises(ValueError):
        utils.from_key_val_list(bad)


def test_from_key_val_list():
    assert list(utils.from_key_val_list([("b", 1), ("a", 2)]).items()) == [("b", 1), ("a", 2)]
    assert utils.from_key_val_list(None) is None


def test_default_user_agent_and_headers_are_what_a_session_sends():
    assert utils.default_user_agent() == "httpkit/%s" % httpkit.__version__
    assert utils.default_user_agent("my-app") == "my-app/%s" % httpkit.__version__
    headers = utils.default_headers()
    assert headers["User-Agent"] == utils.default_user_agent()
    assert headers == httpkit.Session().headers
    headers["X"] = "1"
    assert "X" not in utils.default_headers()


# ---------------------------------------------------------------- cookies

def test_cookie_jar_helpers():
    jar = utils.cookiejar_from_dict({"a": "1", "b": "2"})
    assert utils.dict_from_cookiejar(jar) == {"a": "1", "b": "2"}
    assert utils.add_dict_to_cookiejar(jar, {"b": "3", "c": "4"}) is jar
    assert utils.dict_from_cookiejar(jar) == {"a": "1", "b": "3", "c": "4"}
    kept = utils.cookiejar_from_dict({"a": "new"}, jar, overwrite=False)
    assert kept is jar and utils.dict_from_cookiejar(jar)["a"] == "1"


def test_cookie_jar_helpers_work_on_the_session_jar_and_stdlib_jars():
    session = httpkit.Session()
    utils.add_dict_to_cookiejar(session.cookies, {"sid": "x"})
    assert session.cookies.get("sid") == "x"
    try:
        from http.cookiejar import CookieJar
    except ImportError:  # Python 2.7
        from cookielib import CookieJar
    stdlib_jar = CookieJar()
    utils.add_dict_to_cookiejar(stdlib_jar, {"k": "v"})
    assert utils.dict_from_cookiejar(stdlib_jar) == {"k": "v"}


# ---------------------------------------------------------------- import behaviour

def _run(code):
    return subprocess.check_output([sys.executable, "-c", code], cwd=ROOT).decode().strip()


def test_httpkit_aio_is_an_attribute_without_importing_it_first():
    if sys.version_info[0] == 2:  # no PEP 562: the Twisted front-end is imported explicitly
        out = _run("import httpkit.aio.tx, httpkit; print(httpkit.aio.tx.get.__name__)")
        assert out == "get"
        return
    out = _run("import sys, httpkit\n"
               "before = 'asyncio' in sys.modules or 'httpkit.aio' in sys.modules\n"
               "print(before, httpkit.aio.Session.__module__, callable(httpkit.aio.get))")
    assert out == "False httpkit.aio._session True"


def test_importing_utils_costs_no_cookie_jar():
    out = _run("import sys, httpkit, httpkit.utils\n"
               "print([m for m in ('http.cookiejar', 'cookielib') if m in sys.modules])")
    assert out == "[]"


# ---------------------------------------------------------------- hooks

def test_default_hooks_is_a_new_dict_each_time():
    hooks = httpkit.hooks.default_hooks()
    assert hooks == {"response": []}
    hooks["response"].append(len)
    assert httpkit.hooks.default_hooks() == {"response": []}


def test_dispatch_hook_chains_results_and_passes_kwargs():
    seen = []

    def strip_first(value, **kwargs):
        seen.append(kwargs)
        return value[1:]

    def observe(value, **kwargs):
        return None  # keeps the value

    dispatch = httpkit.hooks.dispatch_hook
    assert dispatch("response", {"response": strip_first}, "Data") == "ata"
    assert dispatch("response", {"response": [strip_first, observe, strip_first]}, "Data",
                    timeout=1) == "ta"
    assert seen[-1] == {"timeout": 1}
    assert dispatch("response", None, "Data") == "Data"
    assert dispatch("other", {"response": [strip_first]}, "Data") == "Data"
