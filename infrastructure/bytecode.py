"""Code assets with bytecode that Lambda can use.

Lambda's code is read-only, so Python cannot cache what it compiles: without valid bytecode in the
package, every cold start compiles each module again. Our code shipped none, and the wheels' (as
pip writes it) records each file's time, which the asset's zip changes, so Python threw it away:
pydantic, Powertools and the rest were compiled at every cold start. Each asset is now a copy with
every module compiled to unchecked-hash bytecode: valid whatever times the zip gives the files, and
rebuilt whenever a source changes, as the copy is named by the sources' digest. Copying only what
an asset needs also replaces exclusion patterns, which once matched a package of ours by its name
(``knowledge``) and left it out of the shared layer.
"""

from __future__ import annotations

import compileall
import hashlib
import py_compile
import shutil
import tempfile
import time
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BYTECODE_DIR = ROOT / ".build" / "bytecode"
NOT_CODE = ("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", "*.egg-info")
STALE_AFTER_S = 3600  # copies of older sources are removed once this old


def compiled_copy(source: Path, name: str, inside: str = "") -> Path:
    """A compiled copy of ``source`` (placed at ``inside`` within the returned folder: a layer's
    code goes in ``python``). Safe when several processes synthesize at once."""
    files = sorted(path for path in source.rglob("*") if path.is_file() and not _not_code(path.relative_to(source)))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(source).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    target = BYTECODE_DIR / f"{name}-{digest.hexdigest()[:16]}"
    if target.is_dir():
        return target
    BYTECODE_DIR.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=BYTECODE_DIR))
    code = building / inside
    shutil.copytree(source, code, ignore=shutil.ignore_patterns(*NOT_CODE), dirs_exist_ok=True)
    # A file that does not compile (a wheel's Python 2 example) stays source, as pip leaves it.
    compileall.compile_dir(code, quiet=2, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    try:
        building.rename(target)
    except OSError:  # another process built the same copy meanwhile
        shutil.rmtree(building, ignore_errors=True)
    _remove_stale(name, keep=target)
    return target


def _not_code(relative: Path) -> bool:
    return any(fnmatch(part, pattern) for part in relative.parts for pattern in NOT_CODE)


def _remove_stale(name: str, keep: Path) -> None:
    for old in BYTECODE_DIR.glob(f"{name}-*"):
        if old != keep and time.time() - old.stat().st_mtime > STALE_AFTER_S:
            shutil.rmtree(old, ignore_errors=True)
