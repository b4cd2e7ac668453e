#!/usr/bin/env bash
# Runs WinBack locally: a PostgreSQL cluster of its own (unless ConnectionStrings__WinBack is set), the Shopify
# simulator with a seeded shop, and the app with migrations applied. Ctrl-C stops everything.
#   SEED_ORDERS=20000 SEED=1 scripts/run-local.sh
set -euo pipefail
cd "$(dirname "$0")/.."

state=.local
mkdir -p "$state"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n ${pg_data:-} ]]; then as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT INT TERM
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [[ -z ${ConnectionStrings__WinBack:-} ]]; then
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    [[ $(id -u) -eq 0 ]] || { echo "Install PostgreSQL (apt-get install postgresql) or set ConnectionStrings__WinBack." >&2; exit 1; }
    apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pg_root=/tmp/winback-local-pg
  pg_data=$pg_root/data
  pg_port=${PG_PORT:-55432}
  if [[ ! -d $pg_data ]]; then
    mkdir -p "$pg_root"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$pg_root"
    as_pg "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres >/dev/null
  fi
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_root/server.log" -w -o "-p $pg_port -k $pg_root -c listen_addresses=127.0.0.1" start >/dev/null
  as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='winback'" | grep -q 1 \
    || as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres winback
  export ConnectionStrings__WinBack="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=winback"
fi

# The simulator's default app credentials; a real deployment takes its own from the Partner Dashboard.
export ShopifyApp__ApiKey=${ShopifyApp__ApiKey:-winback-dev-api-key} ShopifyApp__ApiSecret=${ShopifyApp__ApiSecret:-winback-dev-api-secret}
# The local database holds only the simulator's tokens: its key ring may stay unencrypted, said so explicitly.
export KeyRing__AllowUnencrypted=${KeyRing__AllowUnencrypted:-true}
app_url=http://127.0.0.1:5000
sim_url=http://127.0.0.1:5080
# Digests go to a local smtp-sink (Debian's postfix package) that keeps each message under .local/mail.
export Smtp__Host=127.0.0.1 Smtp__Port=2525 Smtp__Security=None Smtp__From="WinBack <digest@localhost>"
if [[ -x /usr/sbin/smtp-sink ]]; then
  mkdir -p "$state/mail" && chmod 777 "$state/mail"
  sink_user=(); [[ $(id -u) -eq 0 ]] && sink_user=(-u nobody)
  /usr/sbin/smtp-sink "${sink_user[@]}" -d "$state/mail/%M." 127.0.0.1:2525 100 &
  pids+=($!)
fi
export ShopifyApp__AppUrl=$app_url ShopifyApp__AppBridgeUrl=$sim_url/app-bridge.js ShopifyApp__AdminFrameOrigins=$sim_url
dotnet build WinBack.sln -c Debug -v q -nologo

Simulator__ApiKey=$ShopifyApp__ApiKey Simulator__ApiSecret=$ShopifyApp__ApiSecret \
Simulator__AppUrl=$app_url Simulator__ComplianceWebhookUrl=$app_url/webhooks \
Simulator__Seed__Domain=demo-shop.myshopify.com Simulator__Seed__Orders=${SEED_ORDERS:-20000} Simulator__Seed__Seed=${SEED:-1} \
  dotnet run --no-build --project src/WinBack.ShopifySimulator -- --urls $sim_url &
pids+=($!)

dotnet run --no-build --project src/WinBack.Web -- migrate
Shopify__ShopBaseUrl="$sim_url/{shop}" dotnet run --no-build --project src/WinBack.Web -- --urls $app_url &
pids+=($!)

echo "WinBack:           $app_url"
echo "Shopify simulator: $sim_url  (admin page: $sim_url/store/demo-shop/apps/winback-dev-api-key)"
echo "Digest emails:     $state/mail (smtp-sink on 127.0.0.1:2525)"
wait
