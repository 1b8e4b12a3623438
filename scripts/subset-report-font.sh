#!/usr/bin/env bash
# Regenerates src/report/fonts/*.ttf: the charts' font (DejaVu Sans, regular and bold, from the
# `dejavu` crate the charts draw their PNGs with) cut down to the characters report.html embeds
# it for. The ranges must be the ones `UNICODE_RANGE` in src/report/html.rs declares; the test
# `report::html::tests::the_embedded_faces_hold_every_glyph_of_their_declared_range` checks it.
# Needs fonttools (`pip install fonttools`) and the dejavu crate in cargo's registry (any build).
set -euo pipefail
cd "$(dirname "$0")/.."
ranges="U+0000-017F,U+0370-03FF,U+2000-206F,U+2070-209F,U+20A0-20CF,U+2100-214F,U+2190-21FF,U+2200-22FF,U+2300-23FF,U+25A0-25FF"
src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/dejavu-2.37.0/assets/dejavu-fonts-ttf-2.37 | head -1)
for face in DejaVuSans DejaVuSans-Bold; do
  pyftsubset "$src/ttf/$face.ttf" --unicodes="$ranges" --no-hinting \
    --output-file="src/report/fonts/$face-subset.ttf"
done
cp "$src/LICENSE" src/report/fonts/LICENSE
ls -l src/report/fonts
