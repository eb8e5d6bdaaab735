"""Run one of the test engines by hand, seeded with the test logs, e.g. to point the app at it.

    .venv/bin/python tests/search_engine/serve.py opensearch          # until Ctrl-C
    .venv/bin/python tests/search_engine/serve.py elasticsearch --once # start, seed, report, stop

Prints the URL, the time from launching the JVM to cluster health yellow, the seeding time, and
the JVM's resident set size after seeding.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, as pytest's pythonpath

import httpx  # noqa: E402

from search_engine.cluster import load_seed  # noqa: E402
from search_engine.engine import ELASTICSEARCH, OPENSEARCH, build, start_engine  # noqa: E402
from search_engine.seed import Layout  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("engine", choices=("opensearch", "elasticsearch"))
    parser.add_argument("--once", action="store_true", help="stop after reporting")
    args = parser.parse_args()
    kind = OPENSEARCH if args.engine == "opensearch" else ELASTICSEARCH

    started = time.monotonic()
    build(kind)
    print(f"build (or check)  {time.monotonic() - started:6.1f} s")
    with tempfile.TemporaryDirectory(prefix=f"{kind.name}-") as home:
        engine = start_engine(kind, Path(home))
        try:
            print(f"health yellow     {engine.seconds_to_yellow:6.1f} s after launching the JVM")
            seeded = time.monotonic()
            with httpx.Client(base_url=engine.url, timeout=60.0) as client:
                seed = load_seed(client, Layout())
            print(f"seeded {sum(seed.counts.values())} docs {time.monotonic() - seeded:6.1f} s")
            print(f"engine RSS        {engine.rss_bytes() / 2**20:6.0f} MiB (pid {engine.pid})")
            print(f"url               {engine.url}")
            if not args.once:
                print("serving; Ctrl-C stops it")
                signals = {signal.SIGINT, signal.SIGTERM}
                signal.pthread_sigmask(signal.SIG_BLOCK, signals)
                signal.sigwait(signals)
        finally:
            engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
