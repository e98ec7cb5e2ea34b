#!/usr/bin/env bash
# Run by the postgres image on an empty data volume (/docker-entrypoint-initdb.d):
# one role and one database per Toit service, only the owner may connect.
# DEV ONLY: the passwords are the fixed toit_<service>_dev.
set -euo pipefail
sql=""
for svc in identite demandes cotation matching observatoire portail notifications abonnements; do
  n="toit_$svc"
  sql+="SELECT 'CREATE ROLE $n LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$n') \\gexec
ALTER ROLE $n WITH LOGIN PASSWORD '${n}_dev';
SELECT 'CREATE DATABASE $n OWNER $n' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$n') \\gexec
REVOKE CONNECT ON DATABASE $n FROM PUBLIC;
"
done
psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres <<<"$sql" >/dev/null
