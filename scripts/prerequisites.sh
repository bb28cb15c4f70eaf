#!/usr/bin/env bash
# The system packages that `make run` and `make test` need, installed from Debian's
# packages when missing (as root, with apt-get), or named in the one command that
# installs them (any other user): then this stops at once with exit status 1.
#
#   scripts/prerequisites.sh run    # Python venv; Java 17+ and Maven unless NEO4J_URI is set
#   scripts/prerequisites.sh test   # the same (unless KB_TEST_NEO4J_URI is set), and Chromium
#
# Chromium is Debian's `chromium` (the page tests drive it through Playwright, whose own
# browser download cannot work on a machine without general internet access);
# KB_CHROMIUM overrides its path. Nothing is done when everything is there.
set -euo pipefail

mode="${1:-}"
case "$mode" in
  run | test) ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac

python="${PYTHON:-python3}"
packages=()
reasons=()

need() { # need PACKAGE WHY
  packages+=("$1")
  reasons+=("$2")
}

java_major() { # the major version of the java on JAVA_HOME or PATH, or 0
  local java="java"
  [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && java="$JAVA_HOME/bin/java"
  command -v "$java" >/dev/null 2>&1 || {
    echo 0
    return
  }
  "$java" -version 2>&1 | sed -n 's/.*version "\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n 1
}

if ! command -v "$python" >/dev/null 2>&1; then
  need python3 "Python 3.11+ ($python was not found)"
elif ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  need python3-venv "the venv module of $python (to create .venv)"
fi

neo4j_uri="${NEO4J_URI:-}"
[ "$mode" = test ] && neo4j_uri="${KB_TEST_NEO4J_URI:-}"
if [ -z "$neo4j_uri" ]; then
  major="$(java_major)"
  if [ "${major:-0}" -lt 17 ]; then
    need openjdk-17-jdk-headless "Java 17+ for the managed Neo4j (found: $([ "${major:-0}" -gt 0 ] && echo "Java $major" || echo none))"
  fi
  command -v mvn >/dev/null 2>&1 || need maven "Maven, which resolves the Neo4j jars"
fi

chromium="${KB_CHROMIUM:-/usr/bin/chromium}"
if [ "$mode" = test ] && [ ! -x "$chromium" ]; then
  need chromium "Chromium for the page tests (not at $chromium)"
fi

if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi

echo "Missing system prerequisites of 'make $mode':"
for i in "${!packages[@]}"; do
  echo "  - ${packages[$i]}: ${reasons[$i]}"
done
command="apt-get update && apt-get install -y ${packages[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Install them and run 'make $mode' again:" >&2
  echo "  sudo sh -c '$command'" >&2
  exit 1
fi

echo "Installing them: $command"
# Another make (a second worktree) may be installing at the same moment: wait for the lock.
apt_options=(-q -o DPkg::Lock::Timeout=300)
apt-get "${apt_options[@]}" update
DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" install -y --no-install-recommends \
  "${packages[@]}"

if [ "$mode" = test ] && [ ! -x "$chromium" ]; then
  echo "KB_CHROMIUM=$chromium is not an executable; Debian's chromium is /usr/bin/chromium" \
    "(unset KB_CHROMIUM to use it)" >&2
  exit 1
fi
