#!/usr/bin/env bash
# Runs the whole WinBack demo locally, in Development: a PostgreSQL cluster of its own (unless ConnectionStrings__WinBack
# is set), the Shopify simulator with a seeded shop, the Google Sheets simulator with a service account for the app,
# smtp-sink for the digests, and the app. Ctrl-C stops the app first, then the simulators, then PostgreSQL.
#   SEED_ORDERS=20000 SEED=1 scripts/run-local.sh
# Both simulators keep their data in memory, so every run starts a fresh demo: the demo database is dropped and
# created again (the shop's stored token would be unknown to a new simulator). Ports: APP_PORT (5000), SHOPIFY_PORT
# (5080), SHEETS_PORT (5090), SMTP_PORT (2525), PG_PORT (55432); NO_BUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

state=$root/.local
mkdir -p "$state"
app_port=${APP_PORT:-5000} shopify_port=${SHOPIFY_PORT:-5080} sheets_port=${SHEETS_PORT:-5090} smtp_port=${SMTP_PORT:-2525}
app_url=http://127.0.0.1:$app_port
sim_url=http://127.0.0.1:$shopify_port
sheets_url=http://127.0.0.1:$sheets_port

app_pid='' helper_pids=()
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop() { # SIGTERM, then up to 10 s for a graceful stop
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
cleanup() {
  trap - EXIT INT TERM
  echo "Stopping WinBack, then the simulators, then PostgreSQL..."
  [[ -n $app_pid ]] && stop "$app_pid"
  ((${#helper_pids[@]})) && stop "${helper_pids[@]}"
  if [[ -n ${pg_data:-} ]]; then as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_for() { # name url: until it answers, or give up after 60 s
  for _ in $(seq 300); do curl -fsS -o /dev/null "$2" 2>/dev/null && return 0; sleep 0.2; done
  echo "$1 did not answer at $2 within 60 s." >&2
  exit 1
}
# Each process's lines, named; $! stays the process itself.
run_named() { local name=$1; shift; "$@" > >(sed -u "s/^/[$name] /") 2>&1 & }

if [[ -z ${ConnectionStrings__WinBack:-} ]]; then
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    [[ $(id -u) -eq 0 ]] || { echo "Install PostgreSQL (apt-get install postgresql) or set ConnectionStrings__WinBack." >&2; exit 1; }
    apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pg_root=${PG_ROOT:-/tmp/winback-local-pg}
  pg_data=$pg_root/data
  pg_port=${PG_PORT:-55432}
  if [[ ! -d $pg_data ]]; then
    mkdir -p "$pg_root"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$pg_root"
    as_pg "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres >/dev/null
  fi
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_root/server.log" -w -o "-p $pg_port -k $pg_root -c listen_addresses=127.0.0.1" start >/dev/null
  # A fresh demo on every run: the simulators start empty, so yesterday's shop, token and Sheet would point nowhere.
  PGOPTIONS='-c client_min_messages=warning' as_pg "$pg_bin/dropdb" -h 127.0.0.1 -p "$pg_port" -U postgres --if-exists --force winback
  as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres winback
  export ConnectionStrings__WinBack="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=winback"
  database_note="reset for this run (the simulators keep their data in memory; PostgreSQL in $pg_root)"
else
  database_note="yours (ConnectionStrings__WinBack), kept: a shop installed by an earlier run is unknown to this run's simulator"
fi

export ASPNETCORE_ENVIRONMENT=Development DOTNET_NOLOGO=1
# The simulator's default app credentials; a real deployment takes its own from the Partner Dashboard.
export ShopifyApp__ApiKey=${ShopifyApp__ApiKey:-winback-dev-api-key} ShopifyApp__ApiSecret=${ShopifyApp__ApiSecret:-winback-dev-api-secret}
export ShopifyApp__AppUrl=$app_url ShopifyApp__AppBridgeUrl=$sim_url/app-bridge.js ShopifyApp__AdminFrameOrigins=$sim_url
export Shopify__ShopBaseUrl="$sim_url/{shop}"
# Digests go to a local smtp-sink (Debian's postfix package) that keeps each message under .local/mail.
export Smtp__Host=127.0.0.1 Smtp__Port=$smtp_port Smtp__Security=None Smtp__From="WinBack <digest@localhost>"
# The Sheets simulator writes this service account's JSON key on its first run; the app signs its token requests with it.
sheets_key=$state/sheets-service-account.json
export Sheets__BaseUrl=$sheets_url/ Sheets__TokenUrl=$sheets_url/token Sheets__ServiceAccountKeyFile=$sheets_key
export Jobs__DashboardPassword=${Jobs__DashboardPassword:-demo}

if [[ -z ${NO_BUILD:-} ]]; then
  for project in WinBack.Web WinBack.ShopifySimulator WinBack.SheetsSimulator; do
    dotnet build "src/$project" -c Debug -v q -nologo -clp:ErrorsOnly
  done
fi
bin() { echo "$root/src/$1/bin/Debug/net10.0/$1.dll"; }
quiet_http=--Logging:LogLevel:System.Net.Http.HttpClient=Warning

mail_note="smtp-sink is not installed (apt-get install postfix): digests will fail to send"
if [[ -x /usr/sbin/smtp-sink ]]; then
  mkdir -p "$state/mail" && chmod 777 "$state/mail"
  sink_user=(); [[ $(id -u) -eq 0 ]] && sink_user=(-u nobody)
  /usr/sbin/smtp-sink "${sink_user[@]}" -d "$state/mail/%M." "127.0.0.1:$smtp_port" 100 &
  helper_pids+=($!)
  mail_note="$state/mail (one file per message, from smtp-sink on 127.0.0.1:$smtp_port)"
fi

Simulator__ApiKey=$ShopifyApp__ApiKey Simulator__ApiSecret=$ShopifyApp__ApiSecret \
Simulator__AppUrl=$app_url Simulator__ComplianceWebhookUrl=$app_url/webhooks \
Simulator__Seed__Domain=demo-shop.myshopify.com Simulator__Seed__Orders=${SEED_ORDERS:-20000} Simulator__Seed__Seed=${SEED:-1} \
ASPNETCORE_CONTENTROOT=$root/src/WinBack.ShopifySimulator \
  run_named shopify dotnet "$(bin WinBack.ShopifySimulator)" --urls "$sim_url" "$quiet_http"
helper_pids+=($!)
SheetsSimulator__ServiceAccountKeyFile=$sheets_key run_named sheets dotnet "$(bin WinBack.SheetsSimulator)" --urls "$sheets_url"
helper_pids+=($!)
wait_for "The Shopify simulator" "$sim_url/"
wait_for "The Sheets simulator" "$sheets_url/"

export ASPNETCORE_CONTENTROOT=$root/src/WinBack.Web
dotnet "$(bin WinBack.Web)" migrate
run_named winback dotnet "$(bin WinBack.Web)" --urls "$app_url"
app_pid=$!
wait_for "WinBack" "$app_url/healthz"

cat <<EOF

WinBack is running (Development):
  Open the shop's admin:  $sim_url/store/demo-shop/apps/$ShopifyApp__ApiKey
  WinBack itself:         $app_url  (jobs dashboard: $app_url/ops/jobs, operator / $Jobs__DashboardPassword)
  Digest emails:          $mail_note
  Google Sheets:          $sheets_url  (make a spreadsheet there, paste its address into WinBack's settings,
                          type the code into the tab it names, then look at the tab WinBack wrote)
  Service account key:    $sheets_key
  Database:               $database_note
Ctrl-C stops everything.

EOF
wait "$app_pid"
