"""TrustStore.union: several stores' roots as one value (the pip profile, docs/pip.md)."""
from __future__ import absolute_import, division, print_function

import pytest

from httpkit.tls import TLSConfiguration, TrustStore


def test_a_union_lists_its_stores_flattened_in_order():
    system, certifi, bundle = TrustStore.system(), TrustStore.certifi(), TrustStore.from_file(
        __file__)
    union = TrustStore.union(system, TrustStore.union(certifi, bundle))
    assert union.kind == "union"
    assert union.stores == (system, certifi, bundle) == union.members()
    assert system.members() == (system,)
    assert "system" in repr(union) and "certifi" in repr(union)


def test_a_union_is_a_value():
    one = TrustStore.union(TrustStore.system(), TrustStore.certifi())
    same = TrustStore.union(TrustStore.system(), TrustStore.certifi())
    other = TrustStore.union(TrustStore.certifi(), TrustStore.system())
    assert one == same and hash(one) == hash(same) and one != other
    assert TLSConfiguration(trust_store=one) == TLSConfiguration(trust_store=same)


@pytest.mark.parametrize("stores", [(), ("/etc/ssl/cert.pem",), (TrustStore.system(), None)])
def test_a_union_takes_trust_stores_only(stores):
    with pytest.raises(ValueError) as info:
        TrustStore.union(*stores)
    assert "TrustStore" in str(info.value)
