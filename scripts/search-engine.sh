#!/usr/bin/env bash
# Build the single-node OpenSearch that the search-engine tests start (tests/search_engine):
# compiles its launcher and gathers the server and module jars from Maven Central into
# tests/search_engine/target/. The test fixtures call this on first use; running it ahead of the
# tests only moves the download earlier. Extra arguments go to Maven, e.g.
#   scripts/search-engine.sh build -Dmaven.repo.local=/tmp/empty-repo
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

case "${1:-build}" in
  build)
    shift || true
    command -v mvn >/dev/null || { echo "search-engine: mvn not found (Debian package maven)" >&2; exit 2; }
    cd "$root/tests/search_engine"
    exec mvn -B -q --no-transfer-progress -DskipTests package "$@"
    ;;
  *)
    echo "usage: scripts/search-engine.sh build [maven arguments...]" >&2
    exit 2
    ;;
esac
