#!/usr/bin/env bash
# Rebuilds data/background/en.tsv.gz, the English background table (document
# share per word stem), from the English 'large' word list of wordfreq
# (PyPI; code Apache-2.0, data CC BY-SA 4.0), and checks its modelled shares
# against the ECB+ test corpus (data/background/ecbplus-check.txt).
#
# Needs python3 with venv and pip, network access to PyPI, and cargo.
# Re-runnable from a clean checkout: wordfreq is installed into a temporary
# virtualenv, its licence statements and the sha256 of its English data file
# are checked, and the same input gives the same bytes.
#
#   scripts/background/build.sh
#
# Environment:
#   CARGO            cargo command (default `cargo`; e.g. "flock /tmp/cargo.lock cargo")
#   PYTHON           python to make the virtualenv with (default python3)
#   WORDFREQ         wordfreq version to install (default 3.1.1)
#   DATA_SHA256      expected sha256 of wordfreq/data/large_en.msgpack.gz; "" accepts another
#   ARTICLE_LEN      L, typical news article length in tokens (default 500)
#   FLOOR            smallest document share kept (default 0.001)
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO=${CARGO:-cargo}
PYTHON=${PYTHON:-python3}
WORDFREQ=${WORDFREQ:-3.1.1}
DATA_SHA256=${DATA_SHA256-dffae8066b78dce0a6667cf5f58e567054f902674667090a7ac8a8a44628b05c}
ARTICLE_LEN=${ARTICLE_LEN:-500}
FLOOR=${FLOOR:-0.001}
OUT=data/background/en.tsv.gz

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "installing wordfreq $WORDFREQ from PyPI into a temporary virtualenv" >&2
"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check "wordfreq==$WORDFREQ"

# Export the list as `word<TAB>frequency`, most frequent first (wordfreq's
# order). repr() of a float reads back as the same f64 in Rust.
freqs="$tmp/wordfreq-en-large.tsv"
"$tmp/venv/bin/python" - "$WORDFREQ" "$DATA_SHA256" "$freqs" <<'PY'
import hashlib, importlib.metadata as md, pathlib, sys
import wordfreq

version, want_sha, out = sys.argv[1], sys.argv[2], sys.argv[3]
meta = md.metadata("wordfreq")
if meta["Version"] != version:
    sys.exit(f"installed wordfreq {meta['Version']}, not {version}")
# Code licence: the package metadata and its LICENSE.txt.
if meta["License"] != "Apache-2.0":
    sys.exit(f"wordfreq's code licence is now {meta['License']!r}, not Apache-2.0")
dist = md.distribution("wordfreq")
licence_txt = dist.read_text("LICENSE.txt") or ""
if "Apache License, Version 2.0" not in licence_txt:
    sys.exit("wordfreq's LICENSE.txt is no longer the Apache License 2.0")
# Data licence: stated in the README (the package's long description).
readme = " ".join((meta.get_payload() or meta.get("Description", "")).split())
cc = ("data files that may be redistributed under a Creative Commons "
      "Attribution-ShareAlike 4.0 license (<https://creativecommons.org/licenses/by-sa/4.0/>)")
if cc not in readme:
    sys.exit("wordfreq's README no longer says its data is CC BY-SA 4.0")
# The English sources the attribution names (README, 'Sources and supported languages').
for source in ["**Wikipedia**", "**Subtitles**, from OPUS OpenSubtitles 2018 and SUBTLEX",
               "**News**, from NewsCrawl 2014 and GlobalVoices", "**Books**, from Google Books Ngrams 2012",
               "**Web** text, from OSCAR", "**Twitter**", "**Reddit**",
               "English en 7 Yes │ Yes Yes Yes Yes Yes Yes Yes -"]:
    if source not in readme:
        sys.exit(f"wordfreq's README no longer lists {source!r} for English: check the attribution")

data = pathlib.Path(wordfreq.__file__).parent / "data" / "large_en.msgpack.gz"
sha = hashlib.sha256(data.read_bytes()).hexdigest()
if want_sha and sha != want_sha:
    sys.exit(f"{data.name} has sha256 {sha}, not {want_sha} (set DATA_SHA256=\"\" to accept it)")

freq = wordfreq.get_frequency_dict("en", wordlist="large")
n = 0
with open(out, "w", encoding="utf-8", newline="\n") as f:
    for word in wordfreq.iter_wordlist("en", wordlist="large"):
        if any(c in word for c in "\t\r\n"):
            sys.exit(f"{word!r}: a word with a tab or line break")
        f.write(f"{word}\t{freq[word]!r}\n")
        n += 1
if n != len(freq):
    sys.exit(f"iter_wordlist gave {n} words, get_frequency_dict {len(freq)}")
print(f"wordfreq {version}: {n} English 'large' entries, {data.name} sha256 {sha}", file=sys.stderr)
pathlib.Path(out + ".sha256").write_text(sha + "\n")
PY
sha=$(cat "$freqs.sha256")

# include_bytes! needs a table to compile the crate: start from an empty one if there is none.
if [ ! -f "$OUT" ]; then
    printf '#newsdedup-background\t1\n#language\ten\n#rows\t0\n' | gzip -n > "$OUT"
fi

$CARGO run --quiet --example build_background -- build \
    --freqs "$freqs" --out "$OUT" --language en \
    --article-len "$ARTICLE_LEN" --floor "$FLOOR" \
    --header "source=wordfreq $WORDFREQ (PyPI), English 'large' list: wordfreq.get_frequency_dict('en', wordlist='large') from wordfreq/data/large_en.msgpack.gz (sha256 $sha)" \
    --header "attribution=wordfreq by Robyn Speer (Copyright 2022 Robyn Speer; https://github.com/rspeer/wordfreq), data from Luminoso's Exquisite Corpus. English sources: Wikipedia; subtitles (OPUS OpenSubtitles 2018, OpenSubtitles.org; SUBTLEX by Marc Brysbaert et al., freely available data); news (NewsCrawl 2014, GlobalVoices); books (Google Books Ngrams 2012, http://books.google.com/ngrams); web text (OSCAR); Twitter; Reddit. See data/background/README.md" \
    --header "licence=CC BY-SA 4.0, https://creativecommons.org/licenses/by-sa/4.0/ (this table, an adaptation of wordfreq's data; newsdedup's code is MIT OR Apache-2.0)" \
    --header "changes=word frequencies summed per newsdedup word stem (words split and stemmed as event vectors do; stopwords, numbers and fragments left out), turned into modelled document shares and rounded to 4 significant digits; stems below the floor dropped" \
    --header "build=scripts/background/build.sh (examples/build_background.rs)"

$CARGO run --quiet --example build_background -- compare \
    --freqs "$freqs" --docs testdata/ecbplus/docs.jsonl --language en \
    --article-len "$ARTICLE_LEN" --table "$OUT" | tee data/background/ecbplus-check.txt
