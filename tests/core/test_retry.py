"""Retry helpers over urllib3's Retry (1.26 on 2.7, 2.x on 3.x)."""
from __future__ import absolute_import, division, print_function

import email.utils
import sys
import time
import traceback

import pytest
import urllib3

from httpkit._models import Headers, PreparedRequest, Response
from httpkit._retry import (Retry, error_kind, is_retryable_error, next_retry, retry_from,
                            should_retry_status)
from httpkit.exceptions import (ConnectionError, ConnectTimeout, DeadlineExceeded,
                                IncompleteRead, InvalidURL, PoolTimeout, ReadTimeout,
                                RemoteProtocolError, RetryError, SSLError)

URL = "http://user:s3cret@example.com/x"


def response(status, **headers):
    return Response(status, "", Headers(headers), PreparedRequest("GET", URL))


def test_retry_is_urllib3s():
    assert Retry is urllib3.util.retry.Retry


def test_retry_from():
    assert retry_from(None) is None and retry_from(False) is None
    retry = Retry(total=2, backoff_factor=1)
    assert retry_from(retry) is retry
    three = retry_from(3)
    assert isinstance(three, Retry) and three.total == 3 and not three.redirect
    assert retry_from(0).total == 0
    for bad in (True, "3", 1.5):
        with pytest.raises(TypeError):
            retry_from(bad)
    with pytest.raises(ValueError):
        retry_from(-1)


@pytest.mark.parametrize("error, sent, kind", [
    (ConnectTimeout("x"), None, "connect"),
    (PoolTimeout("x"), None, "connect"),
    (ConnectionError("refused"), False, "connect"),
    (ConnectionError("reset"), None, "read"),
    (ReadTimeout("x"), None, "read"),
    (RemoteProtocolError("x"), None, "read"),
    (IncompleteRead("x"), None, "read"),
    (SSLError("x"), None, "other"),
    (DeadlineExceeded("x"), False, None),
    (InvalidURL("x"), None, None),
])
def test_error_kind(error, sent, kind):
    assert error_kind(error, sent) == kind


def test_connect_errors_retried_for_any_method():
    retry = retry_from(2)
    for method in ("GET", "POST", "PATCH"):
        assert is_retryable_error(retry, method, ConnectTimeout("x"))
        assert is_retryable_error(retry, method, ConnectionError("x"), request_sent=False)


def test_read_errors_only_for_idempotent_methods():
    retry = retry_from(2)
    assert is_retryable_error(retry, "GET", ReadTimeout("x"))
    assert is_retryable_error(retry, "PUT", ConnectionError("reset"))
    assert not is_retryable_error(retry, "POST", ReadTimeout("x"))
    assert not is_retryable_error(retry, "PATCH", RemoteProtocolError("x"))
    custom = Retry(total=2, allowed_methods=frozenset(["POST"]))
    assert is_retryable_error(custom, "POST", ReadTimeout("x"))
    assert not is_retryable_error(custom, "GET", ReadTimeout("x"))


def test_no_retry_and_exhausted_are_not_retryable():
    assert not is_retryable_error(None, "GET", ConnectTimeout("x"))
    assert not is_retryable_error(retry_from(0), "GET", ConnectTimeout("x"))
    assert not is_retryable_error(Retry(total=5, connect=False), "GET", ConnectTimeout("x"))
    assert not is_retryable_error(Retry(total=5, read=False), "GET", ReadTimeout("x"))
    assert not is_retryable_error(retry_from(5), "GET", InvalidURL("x"))


def test_next_retry_on_errors_counts_and_backs_off():
    retry = Retry(total=3, backoff_factor=0.5)
    error = ConnectTimeout("x")
    delays = []
    for _ in range(3):
        retry, delay = next_retry(retry, "POST", URL, error=error)
        delays.append(delay)
    assert retry.total == 0
    assert delays == [0, 1.0, 2.0]  # urllib3's own formula, whichever version
    with pytest.raises(ConnectTimeout) as info:
        next_retry(retry, "POST", URL, error=error)
    assert info.value is error
    assert all("s3cret" not in str(h.url) for h in retry.history)


def test_next_retry_reraises_original_error_with_its_traceback():
    def fail():
        raise ReadTimeout("slow")

    try:
        fail()
    except ReadTimeout as exc:
        with pytest.raises(ReadTimeout) as info:
            next_retry(retry_from(3), "POST", URL, error=exc)  # POST: not idempotent
        assert info.value is exc
    frames = [f[2] for f in traceback.extract_tb(info.tb)]
    assert "fail" in frames


def test_next_retry_without_retry_object_reraises():
    error = ConnectTimeout("x")
    with pytest.raises(ConnectTimeout):
        next_retry(None, "GET", URL, error=error)


def test_status_forcelist():
    retry = Retry(total=2, status_forcelist=[500, 502])
    assert should_retry_status(retry, "GET", 502, Headers())
    assert not should_retry_status(retry, "GET", 404, Headers())
    assert not should_retry_status(retry, "POST", 502, Headers())  # not an allowed method
    assert not should_retry_status(None, "GET", 502, Headers())


def test_retry_after_statuses_retried_when_respected():
    retry = retry_from(2)
    assert should_retry_status(retry, "GET", 503, Headers({"Retry-After": "3"}))
    assert should_retry_status(retry, "GET", 429, Headers({"Retry-After": "3"}))
    assert not should_retry_status(retry, "GET", 503, Headers())
    ignoring = Retry(total=2, respect_retry_after_header=False)
    assert not should_retry_status(ignoring, "GET", 503, Headers({"Retry-After": "3"}))


def test_next_retry_on_status_uses_retry_after_seconds_and_date():
    retry, delay = next_retry(retry_from(2), "GET", URL, response=response(503, **{
        "Retry-After": "7"}))
    assert delay == 7 and retry.total == 1
    when = email.utils.formatdate(time.time() + 60, usegmt=True)
    _, delay = next_retry(retry_from(2), "GET", URL, response=response(
        503, **{"Retry-After": when}))
    assert 55 <= delay <= 61


def test_a_retry_after_past_the_cap_is_not_waited_for():
    from httpkit._retry import MAX_RETRY_AFTER
    for value in ("100000000000000000000", str(int(MAX_RETRY_AFTER) + 1)):
        _, delay = next_retry(retry_from(2), "GET", URL,
                              response=response(503, **{"Retry-After": value}))
        assert delay is None  # the flow hands the 503 to the caller
    _, delay = next_retry(retry_from(2), "GET", URL,
                          response=response(503, **{"Retry-After": str(int(MAX_RETRY_AFTER))}))
    assert delay == MAX_RETRY_AFTER


def test_next_retry_on_status_falls_back_to_backoff():
    retry = Retry(total=5, backoff_factor=1, status_forcelist=[500])
    retry, first = next_retry(retry, "GET", URL, response=response(500))
    retry, second = next_retry(retry, "GET", URL, response=response(
        500, **{"Retry-After": "not a date"}))
    assert (first, second) == (0, 2)
    ignoring = Retry(total=5, backoff_factor=1, status_forcelist=[503],
                     respect_retry_after_header=False, history=retry.history)
    _, delay = next_retry(ignoring, "GET", URL, response=response(503, **{"Retry-After": "99"}))
    assert delay == 4


def test_exhausted_on_status_raises_retry_error():
    retry = Retry(total=1, status_forcelist=[500])
    retry, _ = next_retry(retry, "GET", URL, response=response(500))
    last = response(500)
    with pytest.raises(RetryError) as info:
        next_retry(retry, "GET", URL, response=last)
    assert info.value.response is last and "500" in str(info.value)
    assert "s3cret" not in str(info.value)


def test_raise_on_status_false_hands_back_last_response():
    retry = Retry(total=1, status_forcelist=[500], raise_on_status=False)
    assert should_retry_status(retry, "GET", 500, Headers())
    retry, _ = next_retry(retry, "GET", URL, response=response(500))
    assert not should_retry_status(retry, "GET", 500, Headers())


def test_status_counter():
    retry = Retry(total=10, status=1, status_forcelist=[500])
    retry, _ = next_retry(retry, "GET", URL, response=response(500))
    with pytest.raises(RetryError):
        next_retry(retry, "GET", URL, response=response(500))


@pytest.mark.skipif(sys.version_info[0] > 2, reason="urllib3 1.26 name")
def test_method_whitelist_on_urllib3_1_26():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        retry = Retry(total=2, method_whitelist=frozenset(["POST"]))
        assert is_retryable_error(retry, "POST", ReadTimeout("x"))
        assert not is_retryable_error(retry, "GET", ReadTimeout("x"))
