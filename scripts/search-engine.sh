#!/usr/bin/env bash
# Build the single-node search engines that the search-engine tests start (tests/search_engine):
# compiles each launcher and gathers the server and module jars from Maven Central into
# tests/search_engine/target/ (OpenSearch 2.19), tests/search_engine/target/os3/ (OpenSearch 3.3, with
# JAVA_HOME at Java 21 or newer; `all` leaves it out), tests/search_engine/target/es8/ (Elasticsearch 8.15)
# and tests/search_engine/target/es9/ (Elasticsearch 9.1, Java 21 or newer too; `all` leaves it out). The test fixtures call this on first use; running it ahead of the tests
# only moves the download earlier. Extra arguments go to Maven, e.g.
#   scripts/search-engine.sh build opensearch -Dmaven.repo.local=/tmp/empty-repo
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

usage() {
  echo "usage: scripts/search-engine.sh build [opensearch|opensearch3|elasticsearch|elasticsearch9|all] [maven arguments...]" >&2
  exit 2
}

[[ "${1:-}" == build ]] || usage
shift
engine="${1:-all}"
[[ $# -gt 0 ]] && shift
command -v mvn >/dev/null || { echo "search-engine: mvn not found (Debian package maven)" >&2; exit 2; }
mvn_build() { (cd "$1" && mvn -B -q --no-transfer-progress -Dstyle.color=never -DskipTests package "${@:2}"); }

case "$engine" in
  opensearch) mvn_build "$root/tests/search_engine" "$@" ;;
  opensearch3) mvn_build "$root/tests/search_engine/os3" "$@" ;;  # needs JAVA_HOME at Java 21 or newer
  elasticsearch) mvn_build "$root/tests/search_engine/es8" "$@" ;;
  elasticsearch9) mvn_build "$root/tests/search_engine/es9" "$@" ;;  # needs JAVA_HOME at Java 21 or newer
  all) mvn_build "$root/tests/search_engine" "$@"; mvn_build "$root/tests/search_engine/es8" "$@" ;;
  *) usage ;;
esac
