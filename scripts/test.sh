#!/usr/bin/env bash
# Runs every WinBack test on a fresh Debian machine (as root) or a developer's machine:
# installs what is missing (PostgreSQL server binaries, Chromium, Postfix for its smtp-sink test server), restores, builds (the build runs `npm ci` and Vite for
# the embedded page) and tests the whole solution. The tests start their own throwaway PostgreSQL cluster (set
# WINBACK_TEST_POSTGRES to use an existing server instead) and drive the system Chromium (WINBACK_CHROMIUM to use another).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[[ -n ${WINBACK_CHROMIUM:-} ]] || command -v chromium >/dev/null || missing+=(chromium)
[[ -x /usr/sbin/smtp-sink ]] || missing+=(postfix)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing packages: ${missing[*]}. Install them (apt-get install ${missing[*]}) or run as root." >&2
    exit 1
  fi
  echo "Installing ${missing[*]}..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet not found)." >&2; exit 1; }
node_major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || true)
if [[ -z $node_major ]] || ((node_major < 20)); then
  echo "Node.js 20 or later is required to build the embedded page (Vite 8); found: $(node --version 2>/dev/null || echo none)." >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet restore WinBack.sln
dotnet build WinBack.sln --no-restore -c Release
results=$(mktemp -d)
status=0
# One test project at a time: the machine has two cores, and the browser tests' page loads time out when the web
# tests' hosts share the CPU with them. Each project still runs its own classes in parallel.
for project in tests/*.Tests/*.Tests.csproj; do
  dotnet test "$project" --no-build -c Release --logger "trx" --results-directory "$results" || status=$?
done

# One plain summary line over all test projects.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [[ -e $trx ]] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters"); f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  t=$(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$counters"); e=$(sed -E 's/.* executed="([0-9]+)".*/\1/' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
done
rm -rf "$results"
echo "$passed passed, $failed failed, $skipped skipped"
if ((passed == 0)); then echo "No test ran." >&2; exit 1; fi
exit $status
