#!/usr/bin/env bash
# Opens a report.html (of a run, a comparison, a sweep or a pool sizing) in Debian's headless
# Chromium, as a person would, and fails if the page does not load, lacks one of the sections
# its kind of report has (found in the DOM the browser built, each with a heading and content)
# or one of its charts, links to a chart file that is not there, logs a
# console error, or tries to load anything.
#
#   scripts/check-report-in-browser.sh DIR_OR_REPORT_HTML [SCREENSHOT.png]
#
# The kind is told by the files beside report.html: sweep.json (a sweep), size-pool.json (a
# pool sizing), comparison.csv (a comparison), else a run. A DIR without report.html gets one
# first (`cargo run -- report DIR`). Each stage's time is printed. Installs
# Debian's chromium when it is missing (needs root, as on CI). With SCREENSHOT.png, also saves
# a full-page screenshot there, to look at.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
target=${1:?usage: $0 DIR_OR_REPORT_HTML [SCREENSHOT.png]}
shot=${2:-}
say() { echo "check-report-in-browser: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
# Each stage says how long it took, so a slow step shows in the CI log.
stage_start=$(date +%s%N)
took() {
    local now
    now=$(date +%s%N)
    say "$1: $(( (now - stage_start) / 1000000 )) ms"
    stage_start=$now
}

if [ -d "$target" ]; then
    file=$target/report.html
    if [ ! -f "$file" ]; then
        say "no report.html in $target: building it"
        (cd "$here" && cargo run --quiet -- report "$target") >&2 || fail "schedsim report $target failed"
    fi
else
    file=$target
fi
[ -f "$file" ] || fail "$file: no such file"
took "report.html ready"
file=$(realpath "$file")
dir=$(dirname "$file")

# The sections each kind of report has (their ids), whatever its data.
if [ -f "$dir/sweep.json" ]; then
    kind=sweep sections=(swept figures charts)
elif [ -f "$dir/size-pool.json" ]; then
    kind=size-pool sections=(question sizes charts)  # its answer is its first paragraph, checked below
elif [ -f "$dir/comparison.csv" ]; then
    kind=comparison sections=(compared best figures charts variants)
else
    kind=run sections=(run headline classes partitions outcomes login charts)
fi

if ! command -v chromium >/dev/null 2>&1; then
    say "installing Debian's chromium"
    [ "$(id -u)" = 0 ] || fail "chromium is missing and installing it needs root (apt-get install chromium)"
    # Another process (an unattended upgrade, a parallel install) may hold the package lock:
    # wait for it rather than fail.
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >&2
    took "chromium installed"
fi

# 0. Self-contained: no address of another site, nothing loaded from elsewhere.
addresses=$(grep -Eo 'https?://[^"<> ]*' "$file" | head -3 || true)
[ -z "$addresses" ] || { echo "$addresses" >&2; fail "$file names an address of another site"; }
if grep -Eo '(src|href)="[^"#][^"]*"' "$file" | grep -Ev '="(data:|charts/)' | grep -E ':' >&2; then
    fail "$file loads something that is not inline"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/profile"
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
    --disable-sync --no-first-run --no-default-browser-check --user-data-dir="$work/profile"
    # No request can reach another host (the browser's own background ones included).
    --host-resolver-rules="MAP * ~NOTFOUND"
    --enable-logging=stderr --v=0 --virtual-time-budget=5000)
url="file://$file"

# 1. The page as the browser built it.
if ! timeout 120 chromium "${flags[@]}" --dump-dom "$url" >"$work/dom.html" 2>"$work/log.txt"; then
    cat "$work/log.txt" >&2
    fail "chromium could not load $file"
fi
[ -s "$work/dom.html" ] || fail "chromium gave an empty page for $file"
grep -q '<h1>schedsim report' "$work/dom.html" || fail "the page has no report heading"
took "page loaded (DOM dumped)"

# 2. The sections of its kind, each with its heading and something under it (a table, a
# figure, a paragraph or a list); a pool sizing's answer is its first paragraph.
tr '\n' ' ' <"$work/dom.html" >"$work/dom-line.html"
for id in "${sections[@]}"; do
    section=$(grep -o "<section id=\"$id\".*" "$work/dom-line.html" | sed 's#</section>.*##') || true
    [ -n "$section" ] || fail "the $kind report lacks its section \"$id\""
    case $section in
        *"<h2"*) ;;
        *) fail "the section \"$id\" has no heading" ;;
    esac
    body=${section#*</h2>}
    case $body in
        *"<table"* | *"<figure"* | *"<p"* | *"<ul"*) ;;
        *) fail "the section \"$id\" is empty under its heading" ;;
    esac
done
if [ "$kind" = size-pool ]; then
    first=$(tr '\n' ' ' <"$work/dom.html" | grep -o '<p[ >][^>]*>' | head -1)
    case $first in
        *'id="answer"'*) ;;
        *) fail "the pool sizing's first paragraph is not its answer" ;;
    esac
fi

# 3. Every chart of the file is in the page, with its inline SVG, and its files are there.
mapfile -t charts < <(grep -o 'id="chart-[^"]*"' "$file" | sort -u)
[ "${#charts[@]}" -gt 0 ] || fail "$file has no chart"
for id in "${charts[@]}"; do
    # The figure's markup from its id up to its closing tag must hold an <svg> element.
    figure=$(tr '\n' ' ' <"$work/dom.html" | grep -o "$id[^>]*>.*" | sed 's#</figure>.*##') || true
    [ -n "$figure" ] || fail "the page lacks ${id#id=}"
    case $figure in
        *"<svg"*) ;;
        *) fail "${id#id=} has no SVG in the page" ;;
    esac
done
svgs=$(grep -o '<svg' "$work/dom.html" | wc -l)
[ "$svgs" -ge "${#charts[@]}" ] || fail "the page shows $svgs SVG charts, the file holds ${#charts[@]}"
while read -r link; do
    [ -f "$dir/$link" ] || fail "the page links to $link, which is not there"
done < <(grep -o 'href="charts/[^"]*"' "$file" | sed 's/^href="//; s/"$//' | sort -u)

took "sections and charts found in the DOM"

# 4. No console message, failed load or network attempt.
if grep -E 'CONSOLE|Uncaught|Failed to load resource|ERR_NAME_NOT_RESOLVED|net::ERR' "$work/log.txt" >"$work/errors.txt"; then
    cat "$work/errors.txt" >&2
    fail "the page logged errors"
fi

# 5. It renders: a screenshot of the whole page, as tall as its charts and table rows make it
# (about 640 px a chart, 32 a row, and the text), within what Chromium draws at once.
rows=$(grep -o '<tr' "$work/dom.html" | wc -l)
height=$(( 1200 + 640 * ${#charts[@]} + 32 * rows ))
[ "$height" -le 16000 ] || height=16000
png=${shot:-$work/shot.png}
if ! timeout 120 chromium "${flags[@]}" --hide-scrollbars --window-size=1200,$height --screenshot="$png" "$url" \
    >/dev/null 2>"$work/shot-log.txt"; then
    cat "$work/shot-log.txt" >&2
    fail "chromium could not take a screenshot of $file"
fi
[ -s "$png" ] || fail "the screenshot is empty"
[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "the screenshot is not a PNG"
took "screenshot of 1200 x $height px"

say "ok: $file ($kind report) loads offline with its sections, its ${#charts[@]} charts and no console errors${shot:+ (screenshot: $shot)}"
