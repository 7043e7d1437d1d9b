"""httpkit packaging: one source for CPython 2.7.18 and 3.9+.

Dependencies are chosen per interpreter with environment markers: 2.7 gets
the newest releases that still support it, 3.x gets current ones.

Wheels are per major version, never universal: built on 2.7 the wheel is
``py2-none-any`` and leaves out the asyncio modules (``httpkit/aio/_*.py``,
``async def`` is a SyntaxError there; the Twisted front-end ``httpkit.aio.tx``
stays), built on 3.x it is ``py3-none-any`` and carries everything. The sdist
carries the whole source: docs, tests and tools included (see MANIFEST.in).
See docs/packaging.md.
"""
import io
import os
import re
import sys

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py as _build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def version():
    with io.open(os.path.join(HERE, "httpkit", "__version__.py"), encoding="utf-8") as f:
        return re.search(r'__version__ = "([^"]+)"', f.read()).group(1)


PY2 = 'python_version < "3"'
PY3 = 'python_version >= "3"'

install_requires = [
    "h11>=0.11,<0.12; " + PY2,
    # 0.16 checks the CRLF after chunk data (CVE-2025-43859); older h11 gets
    # httpkit._strict_h11's reader.
    "h11>=0.16,<1; " + PY3,
    "idna>=2.8,<3; " + PY2,
    "idna>=3.3; " + PY3,
    "certifi==2021.10.8; " + PY2,
    "certifi>=2023.7.22; " + PY3,
    "urllib3>=1.26.18,<2; " + PY2,
    "urllib3>=1.26.18,<3; " + PY3,
    "cachecontrol==0.12.6; " + PY2,
    'cachecontrol>=0.13,<=0.14.3; python_version == "3.9"',
    'cachecontrol>=0.14; python_version >= "3.10"',
    # Enum (PEP 543's TLSVersion, CipherSuite, NextProtocol) is stdlib on 3.x.
    "enum34>=1.1.10; " + PY2,
]

extras_require = {
    "pyopenssl": [
        "pyOpenSSL==21.0.0; " + PY2, "cryptography==3.3.2; " + PY2,
        "pyOpenSSL>=23.2; " + PY3,
    ],
    "twisted": [
        "Twisted==20.3.0; " + PY2, "pyOpenSSL==21.0.0; " + PY2,
        "Twisted>=23.10; " + PY3,
    ],
    "truststore": ['truststore>=0.9; python_version >= "3.10"'],
    "brotli": ["brotli>=1.0.9; " + PY3, "brotli==1.0.9; " + PY2],
    "zstd": ['zstandard>=0.21; ' + PY3],
    "redis": ["redis>=4.5; " + PY3, "redis==3.5.3; " + PY2],
    # The command line's progress bar (pip ships rich for its own); a plain line without it.
    "cli": ['rich>=13; ' + PY3],
}
extras_require["all"] = sorted(set(r for reqs in extras_require.values() for r in reqs))

ASYNC_SYNTAX = re.compile(r"^\s*async\s+def\b", re.M)


def asyncio_only(package, path):
    """Whether module ``path`` of ``package`` is an asyncio file (httpkit/aio/_*.py, async def)."""
    name = os.path.basename(path)
    if package != "httpkit.aio" or not name.startswith("_") or name == "__init__.py":
        return False
    with io.open(path, encoding="utf-8") as f:
        return bool(ASYNC_SYNTAX.search(f.read()))


class build_py(_build_py):
    """Leave the asyncio modules out of a build made by Python 2.

    A py2 wheel is installed only by 2.7, which cannot even byte-compile them;
    ``httpkit/aio/__init__.py`` imports them only on Python 3. The sdist is not
    affected (MANIFEST.in grafts all of httpkit/).
    """

    def find_package_modules(self, package, package_dir):
        modules = _build_py.find_package_modules(self, package, package_dir)
        if sys.version_info[0] >= 3:
            return modules
        return [m for m in modules if not asyncio_only(m[0], m[2])]

    def run(self):
        if sys.version_info[0] < 3:
            self._remove_stale_asyncio_modules()
        _build_py.run(self)

    def _remove_stale_asyncio_modules(self):
        # build/lib may still hold them from a 3.x build of this tree, and
        # bdist_wheel copies the whole of build/lib into the wheel.
        for package in self.packages or ():
            found = _build_py.find_package_modules(self, package, self.get_package_dir(package))
            for pkg, module, path in found:
                if not asyncio_only(pkg, path):
                    continue
                for name in (module + ".py", module + ".pyc"):
                    built = os.path.join(self.build_lib, *(pkg.split(".") + [name]))
                    if os.path.exists(built):
                        os.remove(built)


setup(
    name="httpkit",
    version=version(),
    description="A requests-style HTTP client: blocking, asyncio and Twisted on one sans-I/O core",
    long_description=io.open(os.path.join(HERE, "README.md"), encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="MIT",
    license_files=["LICENSE"],
    packages=find_packages(include=["httpkit", "httpkit.*"]),
    # PEP 561: the marker and the stubs beside the modules (docs/typing.md), in every package.
    package_data={"": ["py.typed", "*.pyi"]},
    python_requires=">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*, !=3.5.*, !=3.6.*, !=3.7.*, !=3.8.*",
    install_requires=install_requires,
    extras_require=extras_require,
    entry_points={"console_scripts": ["httpkit = httpkit._cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 2.7",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Framework :: AsyncIO",
        "Framework :: Twisted",
    ],
    cmdclass={"build_py": build_py},
    zip_safe=False,
)
