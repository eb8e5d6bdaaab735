"""Generate the 1 GB logs the logs benches read: JSON lines, Python-logging text with tracebacks, and
log4j text with Java stack traces (kind "log4j", for the level-filter bench).

Realistic content (several services, levels, latencies, request ids, some tracebacks), written fast:
a few templates of ~4 MiB are made once with a `@@:@@` placeholder in every timestamp, and each block
written gets its own hour and minute, so timestamps increase through the file. Run directly to
(re)generate: `python bench/logs_data.py [SIZE_MB]`.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
BLOCK_LINES = 30_000
SERVICES = ["api", "worker", "feature-store", "scheduler", "gateway", "trainer"]
LEVELS = ["info"] * 70 + ["debug"] * 15 + ["warn"] * 9 + ["error"] * 5 + ["critical"]
MESSAGES = ["request served", "cache miss", "batch scored", "model loaded", "upstream slow", "retrying call",
            "queue depth high", "feature fetch done", "checkpoint saved", "health check ok"]
RARE = "CUDA out of memory"  # in about 1 line in 2,000: what the literal-search bench counts
TRACE = ('Traceback (most recent call last):\n  File "/app/serve.py", line 88, in predict\n'
         "    out = model(batch)\n  File \"/app/model.py\", line 41, in forward\n"
         "    return self.head(x) / scale\nZeroDivisionError: float division by zero\n")


def _json_block(rng: random.Random) -> bytes:
    lines = []
    for i in range(BLOCK_LINES):
        sec = i * 60 / BLOCK_LINES
        level = rng.choice(LEVELS)
        message = RARE if rng.random() < 0.0005 else rng.choice(MESSAGES)
        record = {"@timestamp": f"2026-11-29T@@:@@:{sec:06.3f}Z", "log.level": level, "service": {"name": rng.choice(SERVICES)},
                  "message": message, "latency_ms": int(rng.expovariate(1 / 120)), "trace_id": f"{rng.getrandbits(64):016x}",
                  "http": {"status": 500 if level == "error" else 200}}
        if level == "error" and rng.random() < 0.3:
            record["error"] = {"type": "ZeroDivisionError", "stack_trace": TRACE}
        lines.append(json.dumps(record, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


def _text_block(rng: random.Random) -> bytes:
    out = []
    for i in range(BLOCK_LINES):
        sec = i * 60 / BLOCK_LINES
        level = rng.choice(LEVELS).upper().replace("WARN", "WARNING")
        message = RARE if rng.random() < 0.0005 else rng.choice(MESSAGES)
        stamp = f"2026-11-29 @@:@@:{int(sec):02d},{int(sec * 1000) % 1000:03d}"
        out.append(f"{stamp} - {rng.choice(SERVICES)}.handler - {level} - {message} "
                   f"req={rng.getrandbits(48):012x} latency_ms={int(rng.expovariate(1 / 120))}\n")
        if level == "ERROR" and rng.random() < 0.3:
            out.append(TRACE)
    return "".join(out).encode()


JAVA_TRACE = ("java.io.IOException: Broken pipe\n\tat sun.nio.ch.FileDispatcherImpl.write0(Native Method)\n"
              "\tat org.apache.kafka.common.network.Selector.poll(Selector.java:481)\n"
              "Caused by: java.net.SocketException: Connection reset\n\tat java.net.SocketInputStream.read(SocketInputStream.java:210)\n"
              "\t... 7 more\n")
THREADS = ["main", "kafka-producer-network-thread", "pool-2-thread-1", "scheduler-1", "http-nio-8080-exec-4"]
LOGGERS = ["org.apache.kafka.clients.producer.KafkaProducer", "com.example.serving.PredictController",
           "org.springframework.web.servlet.DispatcherServlet", "com.example.features.FeatureClient"]


def _log4j_block(rng: random.Random) -> bytes:
    """log4j's `%d{ISO8601} %-5p [%t] %c - %m%n`, errors sometimes followed by a Java stack trace."""
    out = []
    for i in range(BLOCK_LINES):
        sec = i * 60 / BLOCK_LINES
        level = rng.choice(LEVELS).upper().replace("CRITICAL", "FATAL")
        message = RARE if rng.random() < 0.0005 else rng.choice(MESSAGES)
        stamp = f"2026-11-29 @@:@@:{int(sec):02d},{int(sec * 1000) % 1000:03d}"
        out.append(f"{stamp} {level:<5} [{rng.choice(THREADS)}] {rng.choice(LOGGERS)} - {message} "
                   f"req={rng.getrandbits(48):012x} latency_ms={int(rng.expovariate(1 / 120))} status=ok\n")
        if level == "ERROR" and rng.random() < 0.3:
            out.append(JAVA_TRACE)
    return "".join(out).encode()


def generate(name: str, size_mb: int = 1024, kind: str = "json") -> Path:
    """bench/out/NAME of about size_mb MiB (reused when it is already there and big enough)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    want = size_mb * 1024 * 1024
    if path.exists() and path.stat().st_size >= want:
        return path
    rng = random.Random(7)
    make = {"json": _json_block, "log4j": _log4j_block}.get(kind, _text_block)
    templates = [make(rng) for _ in range(3)]
    written = 0
    block = 0
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as handle:
        while written < want:
            hour, minute = divmod(block, 60)
            data = templates[block % len(templates)].replace(b"@@:@@", b"%02d:%02d" % (hour % 24, minute))
            handle.write(data)
            written += len(data)
            block += 1
    tmp.rename(path)
    return path


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    for name, kind in ((f"app-{size}m.json", "json"), (f"app-{size}m.log", "text")):
        start = time.perf_counter()
        path = generate(name, size, kind)
        print(f"{path}: {path.stat().st_size / 2**20:,.0f} MiB in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
