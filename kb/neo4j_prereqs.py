"""Resolving the Neo4j jars with Maven, and checking for Java: the prerequisites of the
managed local Neo4j (:mod:`kb.neo4j_local`).

Example:
    >>> lib = resolve_jars(Path("~/.cache/kb"), "5.26.30")   # once; then cached
    >>> java = check_java()
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path


class Neo4jLocalError(RuntimeError):
    """The managed local Neo4j could not be resolved, started or stopped."""


class PrerequisiteError(Neo4jLocalError):
    """Java or Maven is missing (or too old) for the managed local Neo4j."""


def _java_executable() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def _java_major(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise PrerequisiteError(f"could not read the Java version from {java!r} -version")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _missing_prerequisite(what: str) -> PrerequisiteError:
    return PrerequisiteError(
        f"{what}. The managed local Neo4j needs Java 17+ and Maven: install them "
        "(Debian: apt-get install openjdk-17-jdk-headless maven), or set NEO4J_URI "
        "(with NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) to use an existing Neo4j."
    )


def check_java() -> str:
    """The java executable to run Neo4j with (JAVA_HOME first), or PrerequisiteError."""
    java = _java_executable()
    if java is None:
        raise _missing_prerequisite("Java was not found (JAVA_HOME or java on PATH)")
    major = _java_major(java)
    if major < 17:
        raise _missing_prerequisite(f"Java {major} was found at {java}; Neo4j 5 needs 17+")
    return java


def lib_dir(cache_dir: Path, version: str) -> Path:
    """Where the jars of ``version`` are kept under ``cache_dir``."""
    return cache_dir / f"neo4j-{version}" / "lib"


def resolve_jars(cache_dir: Path, version: str) -> Path:
    """Resolve org.neo4j:neo4j:``version`` with Maven into the cache (once); the lib dir."""
    target_lib = lib_dir(cache_dir, version)
    marker = target_lib / ".complete"
    if marker.exists():
        return target_lib
    check_java()
    mvn = shutil.which("mvn")
    if mvn is None:
        raise _missing_prerequisite("Maven (mvn) was not found on PATH")
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = cache_dir / f"neo4j-{version}.resolving-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "lib").mkdir(parents=True)
    pom = work / "pom.xml"
    pom.write_text(resources.files("kb.neo4j_runtime").joinpath("pom.xml").read_text())
    command = [
        mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
        f"-Dneo4j.version={version}", f"-DoutputDirectory={work / 'lib'}",
        "-DincludeScope=runtime",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not any((work / "lib").glob("neo4j-server-*.jar")):
        shutil.rmtree(work, ignore_errors=True)
        tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
        raise Neo4jLocalError(
            f"Maven could not resolve org.neo4j:neo4j:{version}:\n" + "\n".join(tail)
        )
    (work / "lib" / ".complete").write_text(version)
    if target_lib.parent.exists():  # another process finished first
        shutil.rmtree(work, ignore_errors=True)
    else:
        work.rename(target_lib.parent)
    return target_lib
