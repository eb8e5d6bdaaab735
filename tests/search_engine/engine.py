"""Build, start and stop a real single-node search engine for the tests.

Four engines, each assembled from the server and module jars on Maven Central and started in a
JVM by a small launcher on an ephemeral 127.0.0.1 port:
- OpenSearch 2.19 (pom.xml and src/ beside this file; launcher mlopstui.search.SingleNode);
- OpenSearch 3.3 (os3/; the same launcher for 3.x's API; Java 21 or newer, found under /usr/lib/jvm);
- Elasticsearch 8.15 (es8/; launcher org.elasticsearch.node.EmbeddedElasticsearch);
- Elasticsearch 9.1 (es9/; the same launcher for 9.x's plugin loader; Java 21 or newer).
The first use builds an engine with Maven into ./target (./target/os3, ./target/es8, ./target/es9); later uses reuse the
build while its pom.xml and launcher sources are unchanged.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ENGINE_DIR = Path(__file__).resolve().parent
REPO_ROOT = ENGINE_DIR.parent.parent
TARGET = ENGINE_DIR / "target"
BUILD_SCRIPT = REPO_ROOT / "scripts" / "search-engine.sh"
HEAP = os.environ.get("MLOPS_TUI_TEST_ENGINE_HEAP", "512m")
START_TIMEOUT = 180.0  # seconds: a cold JVM on a busy two-core machine


class EngineError(RuntimeError):
    """The engine could not be built or started; the message carries the log's tail."""


@dataclass(frozen=True)
class EngineKind:
    """Where one engine's Maven project is, where it builds to, and how to start it."""

    name: str           # as GET / reports it: version.distribution, or "elasticsearch"
    project: Path       # the Maven project (pom.xml + src/)
    target: Path        # its build directory
    main_class: str
    server_jar: str     # glob for the server jar in target/dependency: proof of a finished build
    java: int = 17      # the oldest Java it runs on

    def sources_digest(self) -> str:
        digest = hashlib.sha256()
        for path in sorted([self.project / "pom.xml", *(self.project / "src").rglob("*")]):
            if path.is_file():
                digest.update(str(path.relative_to(self.project)).encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()


OPENSEARCH = EngineKind(
    "opensearch", ENGINE_DIR, TARGET, "mlopstui.search.SingleNode", "opensearch-2.*.jar"
)
OPENSEARCH3 = EngineKind(
    "opensearch3", ENGINE_DIR / "os3", TARGET / "os3", "mlopstui.search.SingleNode", "opensearch-3.*.jar", java=21
)
ELASTICSEARCH = EngineKind(
    "elasticsearch", ENGINE_DIR / "es8", TARGET / "es8",
    "org.elasticsearch.node.EmbeddedElasticsearch", "elasticsearch-8.*.jar",
)
ELASTICSEARCH9 = EngineKind(
    "elasticsearch9", ENGINE_DIR / "es9", TARGET / "es9",
    "org.elasticsearch.node.EmbeddedElasticsearch", "elasticsearch-9.*.jar", java=21,
)


def build(kind: EngineKind = OPENSEARCH, extra_maven_args: list[str] | None = None) -> Path:
    """Compile the launcher and gather its class path under the target, unless already current.

    Serialised with a file lock, since several test runs may share one working tree.
    Returns the directory of runtime jars.
    """
    kind.target.mkdir(parents=True, exist_ok=True)
    stamp = kind.target / "build.stamp"
    jars = kind.target / "dependency"
    with open(kind.target / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        digest = kind.sources_digest()
        if stamp.exists() and stamp.read_text() == digest and any(jars.glob(kind.server_jar)):
            return jars
        env = dict(os.environ)
        if kind.java > 17:  # Maven compiles for that release with a JDK at least as new
            env["JAVA_HOME"] = str(Path(java_command(kind.java)).resolve().parent.parent)
        proc = subprocess.run(
            ["bash", str(BUILD_SCRIPT), "build", kind.name, *(extra_maven_args or [])],
            capture_output=True, text=True, timeout=900, check=False, env=env,
        )
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
            raise EngineError(f"building {kind.name} failed (exit {proc.returncode}):\n{tail}")
        stamp.write_text(digest)
    return jars


def java_command(at_least: int = 17) -> str:
    """The java to run an engine with: MLOPS_TUI_TEST_JAVA or the one on PATH, else (for an engine that needs
    a newer one than PATH's) the newest JDK under /usr/lib/jvm."""
    java = os.environ.get("MLOPS_TUI_TEST_JAVA") or shutil.which("java")
    if at_least > 17:
        java = java if java and java_version(java) >= at_least else newer_java(at_least)
    if not java:
        if at_least == 17:
            raise EngineError("no `java` on PATH (the engines need Java 17 or newer)")
        raise EngineError(f"no `java` {at_least} or newer on PATH nor under /usr/lib/jvm")
    return java


def java_version(java: str) -> int:
    """The feature version of a java binary (17, 21, 25), 0 when it does not answer."""
    try:
        done = subprocess.run([java, "-XshowSettings:properties", "-version"], capture_output=True, text=True,
                              timeout=30, check=False)
    except OSError:
        return 0
    for line in done.stderr.splitlines():
        if "java.specification.version" in line:
            return int(line.split("=")[1].strip().split(".")[0])
    return 0


def newer_java(at_least: int) -> str | None:
    found = [(java_version(str(path)), str(path)) for path in Path("/usr/lib/jvm").glob("*/bin/java")]
    usable = sorted(item for item in found if item[0] >= at_least)
    return usable[-1][1] if usable else None


@dataclass
class EngineProcess:
    """A running single-node engine; `stop()` ends it and is safe to call twice."""

    kind: EngineKind
    url: str
    home: Path
    process: subprocess.Popen
    seconds_to_yellow: float
    log_path: Path
    _stopped: bool = field(default=False, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_bytes(self) -> int:
        """Resident set size of the engine's JVM (from /proc)."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise EngineError("no VmRSS for the engine process")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no engine log)"

    def stop(self, timeout: float = 30.0) -> None:
        if self._stopped:
            return
        self._stopped = True
        proc = self.process
        if proc.poll() is None:
            # End of input tells the launcher to close the node cleanly.
            if proc.stdin:
                proc.stdin.close()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        elif proc.stdin:
            proc.stdin.close()


def start_engine(kind: EngineKind, home: Path, timeout: float = START_TIMEOUT) -> EngineProcess:
    """Start the node with its data under `home`; return once cluster health is yellow."""
    jars = build(kind)
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "engine.log"
    classpath = f"{kind.target / 'classes'}:{jars}/*"
    command = [
        java_command(kind.java),
        f"-Xms{HEAP}", f"-Xmx{HEAP}",
        "-XX:+UseSerialGC",          # fewer GC threads and less native memory on a shared machine
        "-Xss1m",
        "-Djava.awt.headless=true",
        "-Dfile.encoding=UTF-8",
        "-Dlog4j.shutdownHookEnabled=false",
        "-Dlog4j2.disable.jmx=true",
        "-Dio.netty.noUnsafe=true",
        "-Dio.netty.noKeySetOptimization=true",
        "-Dio.netty.recycler.maxCapacityPerThread=0",
        "-cp", classpath,
        kind.main_class, str(home),
    ]
    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches pytest, which then stops the node in order
        )
    engine = EngineProcess(kind, "", home, process, 0.0, log_path)
    try:
        engine.url = _wait_for_address(engine, started + timeout)
        _wait_for_yellow(engine, started + timeout)
    except BaseException:
        engine.stop(timeout=10)
        raise
    engine.seconds_to_yellow = time.monotonic() - started
    return engine


def start_opensearch(home: Path, timeout: float = START_TIMEOUT) -> EngineProcess:
    return start_engine(OPENSEARCH, home, timeout)


def start_elasticsearch(home: Path, timeout: float = START_TIMEOUT) -> EngineProcess:
    return start_engine(ELASTICSEARCH, home, timeout)


def _wait_for_address(engine: EngineProcess, deadline: float) -> str:
    address_file = engine.home / "http.address"
    while time.monotonic() < deadline:
        if engine.process.poll() is not None:
            code = engine.process.returncode
            raise EngineError(f"{engine.kind.name} exited with {code} while starting:\n{engine.log_tail()}")
        if address_file.exists():
            return address_file.read_text().strip()
        time.sleep(0.1)
    raise EngineError(f"{engine.kind.name} did not bind its HTTP port in time:\n{engine.log_tail()}")


def _wait_for_yellow(engine: EngineProcess, deadline: float) -> None:
    with httpx.Client(base_url=engine.url, timeout=35.0) as client:
        while time.monotonic() < deadline:
            if engine.process.poll() is not None:
                raise EngineError(f"{engine.kind.name} exited while starting:\n{engine.log_tail()}")
            try:
                response = client.get(
                    "/_cluster/health", params={"wait_for_status": "yellow", "timeout": "5s"}
                )
                if response.status_code == 200 and response.json()["status"] in ("yellow", "green"):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise EngineError(f"{engine.kind.name} health did not reach yellow in time:\n{engine.log_tail()}")
