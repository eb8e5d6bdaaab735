"""`mlops-tui demo --search-engine`: the OpenSearch node the tests use, holding the demo's logs.

Where Java (17 or newer) and Maven are installed and mlops-tui runs from its source checkout, the demo starts
the single-node OpenSearch 2.19 that tests/search_engine builds from Maven Central's jars (the first start
downloads and builds it: a few minutes), on a free 127.0.0.1 port with its data in the demo's temporary folder.
A shipper, as Filebeat would, sends each event the demo's log generator writes (and the backlog first) to the
index `demo-logs` in ECS fields: JSON lines as written, Python logging text split into `@timestamp`,
`log.level`, `log.logger`, `process.pid` and `message` (a traceback stays in its record's message). The node
is the demo's own: nothing is written anywhere else, and it stops with the demo.
"""

from __future__ import annotations

import importlib.util
import json
import queue
import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from mlops_tui.demo.loggen import HOSTS, SERVICES

INDEX = "demo-logs"
SOURCE_NAME = "demo"
_CHECKOUT = Path(__file__).resolve().parents[2]
_ENGINE = _CHECKOUT / "tests" / "search_engine" / "engine.py"
_TEXT = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) (\w+)\s+(\S+) \[(\d+)\] (.*)$")
MAPPING = {"mappings": {"properties": {
    "@timestamp": {"type": "date"}, "log.level": {"type": "keyword"}, "service.name": {"type": "keyword"},
    "host.name": {"type": "keyword"}, "log.logger": {"type": "keyword"}, "message": {"type": "text"},
}}}


class DemoSearchEngineError(RuntimeError):
    """The node cannot run here (no checkout, no Java or Maven, a failed build or start); for the user."""


def _engine_module() -> ModuleType:
    if not _ENGINE.is_file():
        raise DemoSearchEngineError("needs mlops-tui's source checkout (tests/search_engine builds the node); "
                                    "the plain demo needs none")
    import sys

    name = "mlops_tui_demo_engine"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _ENGINE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # (its dataclasses look their module up there)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - a checkout in a state we cannot use: said, never a traceback
        del sys.modules[name]
        raise DemoSearchEngineError(f"cannot load {_ENGINE}: {exc}") from None
    return module


def documents(file_name: str, lines: Iterable[str]) -> list[dict]:
    """The ECS documents of one file's lines (an event or the backlog): a JSON line is one document; a text
    line that starts a record is one, the lines after it (a traceback) join its message."""
    service = next((name for name, (file, _) in SERVICES.items() if file == file_name), file_name)
    host = HOSTS.get(service, ["demo"])[0]
    docs: list[dict] = []
    for line in lines:
        if file_name.endswith(".jsonl"):
            try:
                docs.append(json.loads(line))
            except ValueError:
                continue
            continue
        match = _TEXT.match(line)
        if match:
            stamp = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            docs.append({"@timestamp": f"{stamp.isoformat().replace('+00:00', '')}.{match[2]}Z",
                         "log.level": match[3], "log.logger": match[4], "process.pid": int(match[5]),
                         "message": match[6], "service.name": service, "host.name": host})
        elif docs and line.strip():
            docs[-1]["message"] += "\n" + line
    return docs


class DemoSearchEngine:
    """The node and its shipper, while the context is open: `url`, `ship(file name, lines)`."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.url = ""
        self._engine = None
        self._queue: queue.Queue[list[dict] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def __enter__(self) -> DemoSearchEngine:
        module = _engine_module()
        self.home.mkdir(parents=True, exist_ok=True)
        try:
            self._engine = module.start_engine(module.OPENSEARCH, self.home)
        except Exception as exc:  # noqa: BLE001 - Maven, Java or the node itself: said, the demo goes on without it
            raise DemoSearchEngineError(str(exc).splitlines()[0][:300]) from None
        self.url = self._engine.url
        self._post("PUT", f"/{INDEX}", MAPPING)
        self._thread = threading.Thread(target=self._run, name="mlops-tui-demo-shipper", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002 - context manager protocol
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(10)
        if self._engine is not None:
            self._engine.stop()

    def ship_files(self, logs_dir: Path) -> int:
        """The backlog already written to the demo's files, indexed before the app opens; its documents."""
        total = 0
        for file_name, _ in SERVICES.values():
            path = logs_dir / file_name
            if path.is_file():
                docs = documents(file_name, path.read_text(encoding="utf-8").splitlines())
                self._bulk(docs)
                total += len(docs)
        self._post("POST", f"/{INDEX}/_refresh", None)
        return total

    def ship(self, file_name: str, lines: list[str]) -> None:
        """One event as the log generator wrote it (its on_event): sent by the shipper's thread."""
        self._queue.put(documents(file_name, lines))

    def _run(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            try:
                self._bulk(batch)
            except Exception as exc:  # noqa: BLE001 - the node went away: the demo's files still have every line
                self.error = str(exc)
                return

    def _bulk(self, docs: list[dict]) -> None:
        if not docs:
            return
        body = "".join(json.dumps({"index": {"_index": INDEX}}) + "\n" + json.dumps(doc) + "\n" for doc in docs)
        self._post("POST", "/_bulk", body, ndjson=True)

    def _post(self, method: str, path: str, body, ndjson: bool = False) -> None:  # noqa: ANN001 - dict, text or None
        import httpx

        headers = {"Content-Type": "application/x-ndjson" if ndjson else "application/json"}
        content = body if ndjson else (json.dumps(body) if body is not None else None)
        answer = httpx.request(method, self.url + path, content=content, headers=headers, timeout=60)
        if answer.status_code >= 300:
            raise DemoSearchEngineError(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
