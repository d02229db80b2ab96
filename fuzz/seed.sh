#!/usr/bin/env bash
# Build each fuzz target's seed corpus from the repository's fixtures (fuzz/corpus/<target>/).
set -euo pipefail
cd "$(dirname "$0")"
root=..
mkdir -p corpus/model corpus/render corpus/phrases corpus/scenario corpus/rules
# Models: the embedded routemap, every invalid fixture, and the embedded routemap as JSON-like
# flow text is left to the fuzzer to find.
cp "$root"/fixtures/charnwood/routemap.yaml corpus/model/charnwood.yaml
for f in "$root"/fixtures/invalid/*.yaml; do cp "$f" "corpus/model/invalid-$(basename "$f")"; done
# Rendering: models that load, the hostile one (text every format must neutralise) among them.
cp "$root"/fixtures/charnwood/routemap.yaml corpus/render/charnwood.yaml
cp "$root"/fixtures/loxley/routemap.yaml corpus/render/loxley.yaml
cp "$root"/fixtures/hostile/routemap.yaml corpus/render/hostile.yaml
# Scenario files.
for f in "$root"/fixtures/scenarios/*.yaml "$root"/fixtures/scenarios/invalid/*.yaml; do
    cp "$f" "corpus/scenario/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# Phrases, statuses, spans and slips: every target phrase and status the fixtures use, and a few
# slips.
grep -hoE '(original|proposed|start|finish|status|duration|lag): .*' "$root"/fixtures/charnwood/routemap.yaml \
    | sed -E 's/^[a-z]+: //; s/^"(.*)"$/\1/' | sort -u | {
    n=0
    while IFS= read -r line; do printf '%s' "$line" > "corpus/phrases/p$n"; n=$((n + 1)); done
}
for s in "+90d" "6w" "+3m" "document-management=+3m" "fms-replacement=2005-10-31" "10.3=complete"; do
    printf '%s' "$s" > "corpus/phrases/slip-$(printf '%s' "$s" | tr -c 'a-z0-9' '_')"
done
# Rules: the first byte chooses classify.rhai (even) or Date API arguments (odd).
for f in "$root"/rules/classify.rhai "$root"/fixtures/rules/*/classify.rhai; do
    { printf '\x00'; cat "$f"; } > "corpus/rules/$(basename "$(dirname "$f")")-classify"
done
printf '\x019223372036854775807, -9223372036854775808, 0, 1, -1, 4294967295' > corpus/rules/date-extremes
echo "seeded: $(ls corpus/model | wc -l) models, $(ls corpus/scenario | wc -l) scenario files, $(ls corpus/phrases | wc -l) phrases, $(ls corpus/rules | wc -l) rule scripts"
