#!/usr/bin/env bash
# Compile cost: our generated youtube.v3 / sheets.v4 crates against google-apis-rs's
# google-youtube3 / google-sheets4 from crates.io, with every feature and with one resource
# feature, and compute.v1 (../shared/bench/compute.v1.json) with every feature and one. Run
# from anywhere:
#
#   bench/compile.sh [CORPUS_DIR]        (default ../shared/corpus)
#   BENCH_PROFILES=debug BENCH_ONLY='youtube' bench/compile.sh    (a subset)
#   BENCH_INSTRUCTIONS=1 ...   (also rustc's instructions for each rebuild, by valgrind's callgrind:
#                               load-independent, about 10x the rebuild's time)
#
# Everything happens in target/bench-compile/ (two scratch workspaces, each with its own target
# dir and lock file). For each crate and profile: build it with its dependencies, touch
# src/lib.rs, rebuild: only the crate itself is compiled again, and that rebuild is measured with
# /usr/bin/time -v (wall time; peak RSS = the largest child, i.e. rustc). Nothing is committed.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-$root/../shared/corpus}"
corpus="$(cd "$corpus" && pwd)"
work="$root/target/bench-compile"
jobs="${BENCH_JOBS:-$(nproc)}"
mkdir -p "$work"

echo "== generating youtube.v3, sheets.v4 and compute.v1 with our codegen (release)" >&2
cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p codegen --bin codegen
codegen="$root/target/release/codegen"
ours="$work/ours"
compute="${COMPUTE_DOC:-$root/../shared/bench/compute.v1.json}"
rm -rf "$ours/youtube-v3" "$ours/sheets-v4" "$ours/compute-v1" "$ours"/*-inline
mkdir -p "$ours"
"$codegen" "$corpus/youtube.v3.json" "$ours/youtube-v3" --runtime-path "$root/runtime" >&2
"$codegen" "$corpus/sheets.v4.json" "$ours/sheets-v4" --runtime-path "$root/runtime" >&2
"$codegen" "$compute" "$ours/compute-v1" --runtime-path "$root/runtime" >&2
cat > "$ours/Cargo.toml" <<TOML
[workspace]
resolver = "3"
members = ["youtube-v3", "sheets-v4", "compute-v1"]
TOML
[ -f "$ours/Cargo.lock" ] || cp "$root/Cargo.lock" "$ours/Cargo.lock"

echo "== unpacking google-youtube3 and google-sheets4 from crates.io" >&2
theirs="$work/theirs"
mkdir -p "$theirs/fetch/src"
cat > "$theirs/fetch/Cargo.toml" <<TOML
[package]
name = "bench-fetch"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
google-youtube3 = "7"
google-sheets4 = "7"
[workspace]
TOML
echo 'fn main() {}' > "$theirs/fetch/src/main.rs"
cargo fetch --quiet --manifest-path "$theirs/fetch/Cargo.toml"
registry_src() { # crate name -> unpacked source dir in ~/.cargo/registry/src
    cargo metadata --format-version 1 --manifest-path "$theirs/fetch/Cargo.toml" |
        python3 -c "import json,sys; m=json.load(sys.stdin); print([p['manifest_path'] for p in m['packages'] if p['name']=='$1'][0].rsplit('/',1)[0])"
}
for krate in google-youtube3 google-sheets4; do
    if [ ! -d "$theirs/$krate" ]; then
        cp -r "$(registry_src $krate)" "$theirs/$krate"
        rm -f "$theirs/$krate/Cargo.toml.orig" "$theirs/$krate/.cargo_vcs_info.json"
    fi
done
cat > "$theirs/Cargo.toml" <<TOML
[workspace]
resolver = "2"
members = ["google-youtube3", "google-sheets4"]
TOML

loc() { find "$1/src" -name '*.rs' -print0 | xargs -0 cat | wc -l; }
deps() { (cd "$1" && cargo tree --quiet -p "$2" -e normal,build --prefix none | sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u | wc -l); }

measure() { # workspace dir, package, crate dir, profile, extra cargo flags...
    local ws="$1" pkg="$2" dir="$3" profile="$4" flag=""
    shift 4
    [ "$profile" = release ] && flag="--release"
    (cd "$ws" && CARGO_TARGET_DIR="$ws/target" cargo build --quiet -j "$jobs" -p "$pkg" $flag "$@")
    touch "$dir/src/lib.rs"
    local log
    log="$(mktemp)"
    (cd "$ws" && CARGO_TARGET_DIR="$ws/target" /usr/bin/time -v cargo build --quiet -j "$jobs" -p "$pkg" $flag "$@") 2> "$log"
    local wall rss cpu
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log")"
    rss="$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")"
    cpu="$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$log")"
    rm -f "$log"
    local instructions="-"
    if [ -n "${BENCH_INSTRUCTIONS:-}" ]; then
        instructions="$(instructions_of_rebuild "$ws" "$pkg" "$dir" "$flag" "$@")"
    fi
    echo "$wall $cpu $rss $instructions"
}

# The instructions rustc executes for the same no-op rebuild, counted by callgrind: unlike the
# times, the same on a busy machine as on a quiet one. Billions, to two decimals.
instructions_of_rebuild() { # workspace dir, package, crate dir, --release or "", extra flags...
    local ws="$1" pkg="$2" dir="$3" flag="$4" crate cmd out
    shift 4
    crate="${pkg//-/_}"
    touch "$dir/src/lib.rs"
    # shellcheck disable=SC2086
    cmd="$(cd "$ws" && CARGO_TARGET_DIR="$ws/target" cargo build -v -j "$jobs" -p "$pkg" $flag "$@" 2>&1 |
        sed -n "s/^ *Running \`\(.*--crate-name $crate .*\)\`$/\1/p")"
    touch "$dir/src/lib.rs"
    out="$(mktemp)"
    (cd "$ws" && eval "valgrind --tool=callgrind --callgrind-out-file=/dev/null $cmd") 2> "$out" >/dev/null
    awk '/Collected :/ {printf "%.2f", $NF / 1e9}' "$out"
    rm -f "$out"
}

# Rows: label, workspace, package, crate dir, extra flags. `videos` and `instances` are one
# resource feature each (`--no-default-features`); the other rows build every feature.
one="--no-default-features --features"
rows=(
    "ours youtube-v3|$ours|youtube-v3|$ours/youtube-v3|"
    "ours youtube-v3 videos|$ours|youtube-v3|$ours/youtube-v3|$one videos"
    "google-youtube3|$theirs|google-youtube3|$theirs/google-youtube3|"
    "ours sheets-v4|$ours|sheets-v4|$ours/sheets-v4|"
    "google-sheets4|$theirs|google-sheets4|$theirs/google-sheets4|"
    "ours compute-v1|$ours|compute-v1|$ours/compute-v1|"
    "ours compute-v1 instances|$ours|compute-v1|$ours/compute-v1|$one instances"
)
profiles="${BENCH_PROFILES:-debug release}"
only="${BENCH_ONLY:-}"   # a regex of row labels to run, e.g. 'youtube'

printf '%-28s %-8s %8s %8s %9s %8s\n' crate profile wall_s cpu_s peak_MiB instr_G
for profile in $profiles; do
    for row in "${rows[@]}"; do
        IFS='|' read -r label ws pkg dir flags <<<"$row"
        if [ -n "$only" ] && ! [[ "$label" =~ $only ]]; then continue; fi
        # shellcheck disable=SC2086
        read -r w c r i < <(measure "$ws" "$pkg" "$dir" "$profile" $flags)
        printf '%-28s %-8s %8.2f %8.2f %9s %8s\n' "$label" "$profile" "$w" "$c" "$r" "$i"
    done
done
echo
echo "lines (all .rs files): youtube-v3 $(loc "$ours/youtube-v3"), google-youtube3 $(loc "$theirs/google-youtube3"), compute-v1 $(loc "$ours/compute-v1")"
