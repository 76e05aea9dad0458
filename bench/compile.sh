#!/usr/bin/env bash
# Compile cost: our generated youtube.v3 / sheets.v4 crates against google-apis-rs's
# google-youtube3 / google-sheets4 from crates.io. Run from anywhere:
#
#   bench/compile.sh [CORPUS_DIR]        (default ../shared/corpus)
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

echo "== generating youtube.v3 and sheets.v4 with our codegen (release)" >&2
cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p codegen --bin codegen
codegen="$root/target/release/codegen"
ours="$work/ours"
rm -rf "$ours/youtube-v3" "$ours/sheets-v4"
mkdir -p "$ours"
"$codegen" "$corpus/youtube.v3.json" "$ours/youtube-v3" --runtime-path "$root/runtime" >&2
"$codegen" "$corpus/sheets.v4.json" "$ours/sheets-v4" --runtime-path "$root/runtime" >&2
# The same crates with `#[inline]` on every `send`/`pages`/`items` (a suggested codegen change,
# see BENCHMARKS.md): their monomorphic request code is then compiled in the crates that call them.
for api in youtube-v3 sheets-v4; do
    rm -rf "$ours/$api-inline"
    cp -r "$ours/$api" "$ours/$api-inline"
    sed -i "s/^name = \"$api\"/name = \"$api-inline\"/" "$ours/$api-inline/Cargo.toml"
    # (Nothing to add once codegen emits the attribute itself: the two rows are then the same.)
    if ! grep -rq '#\[inline\]' "$ours/$api/src/resources"; then
        grep -rlE 'pub (async fn|fn (pages|items)\()' "$ours/$api-inline/src" | xargs sed -i -E 's/^(\s*)pub (async fn |fn pages\(|fn items\()/\1#[inline]\n\1pub \2/'
    fi
done
cat > "$ours/Cargo.toml" <<TOML
[workspace]
resolver = "3"
members = ["youtube-v3", "sheets-v4", "youtube-v3-inline", "sheets-v4-inline"]
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

measure() { # workspace dir, package, crate dir, profile
    local ws="$1" pkg="$2" dir="$3" profile="$4" flag=""
    [ "$profile" = release ] && flag="--release"
    (cd "$ws" && CARGO_TARGET_DIR="$ws/target" cargo build --quiet -j "$jobs" -p "$pkg" $flag)
    touch "$dir/src/lib.rs"
    local log
    log="$(mktemp)"
    (cd "$ws" && CARGO_TARGET_DIR="$ws/target" /usr/bin/time -v cargo build --quiet -j "$jobs" -p "$pkg" $flag) 2> "$log"
    local wall rss cpu
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log")"
    rss="$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")"
    cpu="$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$log")"
    rm -f "$log"
    echo "$wall $cpu $rss"
}

printf '%-18s %-8s %8s %8s %9s %8s %6s\n' crate profile wall_s cpu_s peak_MiB lines deps
results=()
for profile in debug release; do
    for pair in "youtube:youtube-v3:google-youtube3" "sheets:sheets-v4:google-sheets4"; do
        IFS=: read -r api our_pkg their_pkg <<<"$pair"
        read -r ow oc orss < <(measure "$ours" "${our_pkg}" "$ours/$our_pkg" "$profile")
        read -r tw tc trss < <(measure "$theirs" "$their_pkg" "$theirs/$their_pkg" "$profile")
        read -r iw ic irss < <(measure "$ours" "$our_pkg-inline" "$ours/$our_pkg-inline" "$profile")
        printf '%-18s %-8s %8.2f %8.2f %9s %8s %6s\n' "ours $our_pkg" "$profile" "$ow" "$oc" "$orss" "$(loc "$ours/$our_pkg")" "$(deps "$ours" "$our_pkg")"
        printf '%-18s %-8s %8.2f %8.2f %9s %8s %6s\n' "$their_pkg" "$profile" "$tw" "$tc" "$trss" "$(loc "$theirs/$their_pkg")" "$(deps "$theirs" "$their_pkg")"
        printf '%-18s %-8s %8.2f %8.2f %9s %8s %6s\n' "ours +#[inline]" "$profile" "$iw" "$ic" "$irss" "$(loc "$ours/$our_pkg-inline")" "$(deps "$ours" "$our_pkg-inline")"
        results+=("$api $profile +#[inline] wall $(awk -v o="$iw" -v t="$tw" 'BEGIN {printf "%.2f", o/t}') cpu $(awk -v o="$ic" -v t="$tc" 'BEGIN {printf "%.2f", o/t}')")
        results+=("$api $profile wall $(awk -v o="$ow" -v t="$tw" 'BEGIN {printf "%.2f", o/t}') cpu $(awk -v o="$oc" -v t="$tc" 'BEGIN {printf "%.2f", o/t}')")
    done
done
echo
echo "ratio ours/theirs (the crate's own rebuild; goal <= 0.33):"
for r in "${results[@]}"; do echo "  $r"; done
