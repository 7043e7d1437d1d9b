"""Session-wide distributions and clean environments for the packaging tests.

Each is made once per test session, when a test first asks for it:

  dists          Dists(sdist, wheel): built by this Python from a copy of the tree
  plain_env      Env: a new virtual environment + ``pip install <wheel>``
  extras_env     Env: a new virtual environment + ``pip install "<wheel>[EXTRAS]"``
  source_env     Env: a new virtual environment + ``pip install <copy of the tree>``

An Env is (path of the environment, home: a scratch directory outside the tree
that children run in).
"""
from __future__ import absolute_import, division, print_function

import collections
import os

import pytest

from pkg_helpers import EXTRAS, build_dists, copy_tree, make_env, pip_install

Env = collections.namedtuple("Env", "path home")


@pytest.fixture(scope="session")
def dists(tmpdir_factory):
    return build_dists(tmpdir_factory.mktemp("dists"))


def _env(tmpdir_factory, name, *requirements):
    home = str(tmpdir_factory.mktemp(name))
    env = make_env(os.path.join(home, "env"), home)
    pip_install(env, home, *requirements)
    return Env(env, home)


@pytest.fixture(scope="session")
def plain_env(tmpdir_factory, dists):
    return _env(tmpdir_factory, "plain", dists.wheel)


@pytest.fixture(scope="session")
def extras_env(tmpdir_factory, dists):
    return _env(tmpdir_factory, "extras", "%s[%s]" % (dists.wheel, EXTRAS))


@pytest.fixture(scope="session")
def source_env(tmpdir_factory):
    src = copy_tree(tmpdir_factory.mktemp("source").join("src"))
    return _env(tmpdir_factory, "source-env", src)
