"""Shared hypothesis settings and strategies for tests/props (Python 3 only)."""
from __future__ import absolute_import, division, print_function

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: Repeatable (derandomize) and fast: the whole folder in well under 30 s.
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
FEW = settings(SETTINGS, max_examples=60)

#: Characters that matter to HTTP parsing, plus any text at all.
_SPECIAL = list(":/?#[]@!$&'()*+,;=%-._~ \"<>\\^`{|}\t\r\n\x00\x01\x7f") + [
    "\u00e9", "\u20ac", "\u2028", "\ufeff", "\U0001f600", "\u0130", "\u00df"]
url_text = st.text(alphabet=st.one_of(st.sampled_from(_SPECIAL),
                                      st.characters(blacklist_categories=("Cs",))),
                   max_size=40)
bytes_ = st.binary(max_size=2000)


@st.composite
def splits(draw, data):
    """``data`` cut at random points: a list of pieces whose join is ``data``."""
    if not data:
        return [data]
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=8)))
    pieces, start = [], 0
    for cut in cuts + [len(data)]:
        pieces.append(data[start:cut])
        start = cut
    return pieces
