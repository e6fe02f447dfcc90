#!/usr/bin/env bash
# Regenerates the smoothplay demo/test presentations in assets/ from synthetic sources.
#
#   assets/make.sh            (runs from any directory; about a minute on 2 cores)
#   assets/make.sh protected  (only assets/protected/, from the committed assets/demo/)
#   assets/make.sh codecs     (only assets/codecs/: 5.1 AAC, AC-3, E-AC-3, WMA)
#
# Debian packages needed (checked below):
#   ffmpeg             5.1 (bookworm): libx264, the native AAC encoder, lavfi, drawtext
#   fonts-dejavu-core  DejaVuSansMono-Bold.ttf for the on-screen text
#   python3            stdlib only: assets/tools/sstool.py rewrites manifests, checks, references
# and Rust's cargo (rustup), to build the workspace's piff-encrypt tool for assets/protected/.
#
# Outputs (committed): assets/demo/ and assets/bframes/, each a Smooth Streaming on-demand
# presentation (Manifest + QualityLevels(b)/Fragments(name=t)) with reference.json, and
# assets/protected/: an 8 s clear subset of demo/ and three encrypted copies of it.
# See assets/README.md for what they contain and the reference.json schema.
#
# Determinism: libx264 with -threads 1, swscale with accurate_rnd+bitexact, -bitexact on
# formats and codecs, one filter thread, fixed sources (no random seeds are used). Rerunning
# on the same ffmpeg/x264/freetype build reproduces the same bytes.
set -euo pipefail

WHAT=${1:-all}
case $WHAT in
all | protected | codecs) ;;
*)
    echo "usage: assets/make.sh [protected|codecs]" >&2
    exit 2
    ;;
esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOL=(python3 "$HERE/tools/sstool.py")
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf

need() { # need COMMAND-OR-FILE PACKAGE
    if [[ $1 == /* ]]; then [[ -e $1 ]] && return 0; else command -v "$1" >/dev/null && return 0; fi
    echo "make.sh: missing $1; install it with: sudo apt-get install -y $2" >&2
    exit 1
}
need ffmpeg ffmpeg
need python3 python3
need "$FONT" fonts-dejavu-core
# (captured first: grep -q closing the pipe early would fail the pipeline under pipefail)
ENCODERS=$(ffmpeg -hide_banner -encoders 2>/dev/null)
FILTERS=$(ffmpeg -hide_banner -filters 2>/dev/null)
grep -q ' libx264 ' <<<"$ENCODERS" || { echo "make.sh: this ffmpeg lacks libx264" >&2; exit 1; }
grep -q ' drawtext ' <<<"$FILTERS" || { echo "make.sh: this ffmpeg lacks drawtext" >&2; exit 1; }

WORK=$(mktemp -d)
if [[ -n ${KEEP_WORK:-} ]]; then echo "make.sh: keeping $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi

FF=(ffmpeg -nostdin -hide_banner -loglevel warning -y -filter_threads 1 -filter_complex_threads 1)
BITEXACT=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact)
SWS=bicubic+accurate_rnd+full_chroma_int+bitexact
FPS=25
GOP=50 # frames: one IDR every 2 s, which is also the fragment length

# picture DURATION -> filtergraph text ending in [pic] (1280x720 yuv420p, BT.709 values)
# - moving background: lavfi testsrc2, desaturated and darkened so the patches stand out
# - top band: 16 blocks of 80x80, the frame number N in binary, MSB left, white = 1
# - lower left: red, green, blue, white, black patches of 128x128 at (64 + 128 i, 560),
#   written as exact BT.709 limited-range Y'CbCr with geq (drawbox would convert by BT.601)
# - frame number and timecode as text
patch_expr() { # patch_expr POS V0 V1 V2 V3 V4 -> geq expression choosing Vi by floor(POS)
    local pos=$1
    shift
    echo "st(0,floor($pos));if(eq(ld(0),0),$1,if(eq(ld(0),1),$2,if(eq(ld(0),2),$3,if(eq(ld(0),3),$4,$5))))"
}

picture() {
    local dur=$1
    cat <<EOF
testsrc2=s=1280x720:r=$FPS:d=$dur,format=yuv420p,eq=saturation=0.4:brightness=-0.08,
 drawbox=x=48:y=544:w=672:h=160:color=gray:t=fill[bg];
color=c=black:s=16x2:r=$FPS:d=$dur,format=yuv420p,
 geq=lum='if(mod(floor(N/pow(2,15-X)),2),235,16)':cb=128:cr=128,
 scale=1280:80:flags=neighbor[bits];
color=c=black:s=10x2:r=$FPS:d=$dur,format=yuv420p,
 geq=lum='$(patch_expr X/2 63 173 32 235 16)':cb='$(patch_expr X 102 42 240 128 128)':cr='$(patch_expr X 240 26 118 128 128)',
 scale=640:128:flags=neighbor[patch];
[bg][bits]overlay=0:0[p1];
[p1][patch]overlay=64:560[p2];
[p2]drawtext=fontfile=$FONT:text='frame %{eif\:n\:d\:5}   %{pts\:hms}':fontsize=64:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=12:x=(w-tw)/2:y=120[pic]
EOF
}

# level INPUT OUTPUT W H TEXT -> filtergraph text: scale and label one quality level
level() {
    echo "[$1]scale=$3:$4:flags=$SWS,drawtext=fontfile=$FONT:text='$5':fontsize=$(($4 / 14)):fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=$(($4 / 90)):x=w-tw-$(($4 / 30)):y=h-th-$(($4 / 30))[$2]"
}

# x264 options for output video stream I: bitrate, closed GOP, IDR every 2 s, BT.709 tags
x264() { # x264 I KBPS BFRAMES
    echo "-c:v:$1 libx264 -b:v:$1 ${2}k -maxrate:v:$1 ${2}k -bufsize:v:$1 $(($2 * 2))k -preset:v:$1 medium -profile:v:$1 high -pix_fmt:v:$1 yuv420p -bf:v:$1 $3 -g:v:$1 $GOP -keyint_min:v:$1 $GOP -sc_threshold:v:$1 0 -x264-params:v:$1 scenecut=0:open-gop=0 -threads:v:$1 1 -colorspace:v:$1 bt709 -color_primaries:v:$1 bt709 -color_trc:v:$1 bt709 -color_range:v:$1 tv"
}

# tone HZ SECONDS LABEL -> stereo sine for the native AAC encoder, which emits one access unit
# of priming (1024 samples) before the input. Two adjustments:
# - asetpts=PTS+1024 shifts the input by that priming, so the first access unit is stamped 0
#   instead of -1024; otherwise ffmpeg's muxer shifts every stream by the priming and starts
#   the video at 213333 while its manifest claims 0.
# - the tone lasts (AUs - 1) * 1024 samples with AUs = ceil(SECONDS * 48000 / 1024): the
#   encoded stream is then exactly AUs full access units (no short last one, whose duration
#   ffmpeg rounds differently in tfxd and trun) and ends within one AU after the video.
tone() {
    local aus=$((($2 * 48000 + 1023) / 1024))
    echo "sine=frequency=$1:sample_rate=48000,atrim=end_sample=$(((aus - 1) * 1024)),channelmap=map=FC-FL|FC-FR:channel_layout=stereo,asetpts=PTS+1024[$3]"
}
AAC="-c:a aac -b:a 128k -ar 48000 -ac 2"

# ss OUTDIR ARGS... -> ffmpeg's smoothstreaming muxer, 2 s fragments, no live window
ss() {
    local out=$1
    shift
    rm -rf "$out"
    "${FF[@]}" "$@" "${BITEXACT[@]}" -min_frag_duration 2000000 -f smoothstreaming "$out"
    # FragmentInfo(...) files are moof-only copies meant for live publishing; no client
    # asks for them on demand.
    find "$out" -name 'FragmentInfo(*' -delete
}

# place SRC_DIR DEST_DIR OLD_NAME NEW_NAME -> move Fragments(old=t) to Fragments(new=t)
place() {
    local src=$1 dest=$2 old=$3 new=$4 q f
    for q in "$src"/QualityLevels*; do
        for f in "$q"/"Fragments($old="*; do
            [[ -e $f ]] || continue # this level holds another stream
            mkdir -p "$dest/$(basename "$q")"
            mv "$f" "$dest/$(basename "$q")/$(basename "$f" | sed "s/^Fragments($old=/Fragments($new=/")"
        done
    done
}

# The protected test content (see assets/README.md, "protected/"). The keys are not secret:
# they derive from Microsoft's public PlayReady test key seed and these published KIDs.
KEY_SEED=XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I
LA_URL=https://test.playready.microsoft.com/service/rightsmanager.asmx
PROTECTED_VARIANTS=(
    piff-ctr:10000000-1000-1000-1000-100000000001
    piff-cbc:10000000-1000-1000-1000-100000000002
    cenc-ctr:a1b1c1d1-a2b2-a3b3-a4b4-a5b5c5d5e5f5
)

make_protected() {
    local out="$HERE/protected" cargo_toml spec scheme kid
    cargo_toml="$(cd "$HERE/.." && pwd)/Cargo.toml"
    command -v cargo >/dev/null || {
        echo "make.sh: missing cargo; install Rust with rustup (https://rustup.rs)" >&2
        exit 1
    }
    [[ -f $HERE/demo/Manifest ]] || {
        echo "make.sh: assets/demo/ is missing; run assets/make.sh without arguments" >&2
        exit 1
    }
    echo "== protected: 320x180 300k + audio_eng, first 4 chunks (8 s), clear and encrypted 3 ways"
    cargo build --quiet --manifest-path "$cargo_toml" -p player-tests --bin piff-encrypt
    rm -rf "$out"
    mkdir -p "$out"
    "${TOOL[@]}" subset "$HERE/demo" "$out/clear" --stream video --stream audio_eng \
        --level video=300000 --chunks 4
    "${TOOL[@]}" check "$out/clear"
    "${TOOL[@]}" reference "$out/clear" --tone audio_eng=1000
    "${TOOL[@]}" tie "$out/clear" "$HERE/demo"
    for spec in "${PROTECTED_VARIANTS[@]}"; do
        scheme=${spec%%:*}
        kid=${spec#*:}
        cargo run --quiet --manifest-path "$cargo_toml" -p player-tests --bin piff-encrypt -- \
            --scheme "$scheme" --kid "$kid" --key-seed "$KEY_SEED" --la-url "$LA_URL" \
            "$out/clear" "$out/$scheme"
        "${TOOL[@]}" protection "$out/$scheme" --scheme "$scheme" --kid "$kid" \
            --key-seed "$KEY_SEED" --la-url "$LA_URL" --clear ../clear
        "${TOOL[@]}" check "$out/$scheme"
    done
    du -sh "$out"
}

# The codecs only the libav backend decodes (see assets/README.md, "codecs/"): 4 s audio-only
# presentations, every channel a tone of its own so a test can tell the channels apart.
# 5.1 is FL 500, FR 700, FC 1000, LFE 60, BL 1300, BR 1700 Hz; stereo is L 500, R 700 Hz.
# ffmpeg's smoothstreaming muxer takes AAC; it refuses AC-3, E-AC-3 and WMA, which the
# workspace's own sstr-mux writes from ffmpeg's elementary stream (AC-3, E-AC-3) or WAV (WMA).
SIX=(500 700 1000 60 1300 1700)
tones() { # tones RATE SECONDS LAYOUT HZ... -> one sine per channel of LAYOUT, in order, as [o]
    local rate=$1 dur=$2 layout=$3 graph="" map="" i=0 names
    read -r -a names <<<"$(tr '+' ' ' <<<"$4")"
    shift 4
    for hz in "$@"; do
        graph+="sine=frequency=$hz:sample_rate=$rate:duration=$dur[t$i];"
        map+="${map:+|}$i.0-${names[$i]}"
        i=$((i + 1))
    done
    for ((j = 0; j < i; j++)); do graph+="[t$j]"; done
    echo "${graph}join=inputs=$i:channel_layout=$layout:map=$map"
}
# The workspace's own muxer (tests/src/sstr_mux), built once.
MUX="$(cd "$HERE/.." && pwd)/target/release/sstr-mux"
build_mux() {
    cargo build --quiet --release --manifest-path "$(cd "$HERE/.." && pwd)/Cargo.toml" \
        -p player-tests --bin sstr-mux
}

make_codecs() {
    local out="$HERE/codecs" mux="$MUX" five stereo
    echo "== codecs: 4 s of 5.1 AAC, 5.1 AC-3, stereo E-AC-3, stereo WMA 9 (WMA2)"
    build_mux
    rm -rf "$out"
    mkdir -p "$out"
    five=$(tones 48000 4 5.1 FL+FR+FC+LFE+BL+BR "${SIX[@]}")
    # AAC: the priming access unit is stamped 0 and the input is whole access units (see tone()).
    ss "$WORK/aac51" -filter_complex "$five,atrim=end_sample=$((187 * 1024)),asetpts=PTS+1024[o]" \
        -map '[o]' -c:a aac -b:a 320k
    place "$WORK/aac51" "$out/aac51" audio audio
    "${TOOL[@]}" manifest --out "$out/aac51" --stream "audio:audio::$WORK/aac51/Manifest"
    "${TOOL[@]}" check "$out/aac51"
    "${FF[@]}" -filter_complex "$five[o]" -map '[o]' -c:a ac3 -b:a 384k "${BITEXACT[@]}" \
        -f ac3 "$WORK/a.ac3"
    "$mux" --format ac3 --channels 6 --bitrate 384000 "$WORK/a.ac3" "$out/ac3"
    stereo=$(tones 48000 4 stereo FL+FR 500 700)
    "${FF[@]}" -filter_complex "$stereo[o]" -map '[o]' -c:a eac3 -b:a 192k "${BITEXACT[@]}" \
        -f eac3 "$WORK/a.eac3"
    "$mux" --format eac3 --bitrate 192000 "$WORK/a.eac3" "$out/eac3"
    # WMA 9 at 44.1 kHz: one 2048-sample frame per 743-byte packet (nBlockAlign).
    "${FF[@]}" -filter_complex "$(tones 44100 4 stereo FL+FR 500 700)[o]" -map '[o]' \
        -c:a wmav2 -b:a 128k "${BITEXACT[@]}" -f wav "$WORK/a.wav"
    "$mux" --format wma --samples 2048 --bitrate 128000 "$WORK/a.wav" "$out/wma2"
    for d in ac3 eac3 wma2; do "${TOOL[@]}" check "$out/$d"; done
    du -sh "$out"
}

if [[ $WHAT == protected ]]; then
    make_protected
    exit 0
fi
if [[ $WHAT == codecs ]]; then
    make_codecs
    exit 0
fi

echo "== demo: 20 s, 3 video levels, audio eng (1000 Hz) + fra (660 Hz)"
DUR=20
GRAPH="$(picture $DUR);
[pic]split=3[a][b][c];
$(level a v0 320 180 '320x180 300k');
$(level b v1 640 360 '640x360 800k');
$(level c v2 1280 720 '1280x720 2500k');
$(tone 1000 $DUR eng)"
# shellcheck disable=SC2046 # the option strings are split on purpose
ss "$WORK/demo_a" -filter_complex "$GRAPH" \
    -map '[v0]' -map '[v1]' -map '[v2]' -map '[eng]' \
    $(x264 0 300 0) $(x264 1 800 0) $(x264 2 2500 0) $AAC
# ffmpeg writes one audio StreamIndex and names every audio file Fragments(audio=t), so
# the second language is a separate audio-only run. Its fragments cut at the same 2 s
# multiples as the first run (the muxer cuts at n * min_frag_duration), which sstool checks.
ss "$WORK/demo_b" -filter_complex "$(tone 660 $DUR fra)" -map '[fra]' $AAC

DEMO="$HERE/demo"
rm -rf "$DEMO"
mkdir -p "$DEMO"
place "$WORK/demo_a" "$DEMO" video video
place "$WORK/demo_a" "$DEMO" audio audio_eng
place "$WORK/demo_b" "$DEMO" audio audio_fra
"${TOOL[@]}" manifest --out "$DEMO" --align \
    --stream "video:video::$WORK/demo_a/Manifest" \
    --stream "audio:audio_eng:eng:$WORK/demo_a/Manifest" \
    --stream "audio:audio_fra:fra:$WORK/demo_b/Manifest"

echo "== bframes: 10 s, 2 video levels with B-frames, audio eng (1000 Hz)"
DUR=10
GRAPH="$(picture $DUR);
[pic]split=2[a][b];
$(level a v0 320 180 '320x180 300k B');
$(level b v1 640 360 '640x360 800k B');
$(tone 1000 $DUR eng)"
# With B-frames x264's first DTS is two frames before the first PTS, so ffmpeg shifts all
# streams by 800000 and its manifest (no t=) would claim 0: sstool writes the true t=.
# (The muxer's warning "Track 0 starts with a nonzero dts 800000" is that shift.)
# shellcheck disable=SC2046
ss "$WORK/bf" -filter_complex "$GRAPH" \
    -map '[v0]' -map '[v1]' -map '[eng]' \
    $(x264 0 300 2) $(x264 1 800 2) $AAC
BF="$HERE/bframes"
rm -rf "$BF"
mkdir -p "$BF"
place "$WORK/bf" "$BF" video video
place "$WORK/bf" "$BF" audio audio_eng
"${TOOL[@]}" manifest --out "$BF" \
    --stream "video:video::$WORK/bf/Manifest" \
    --stream "audio:audio_eng:eng:$WORK/bf/Manifest"

echo "== checks"
# Every chunk URL of every level of each Manifest must name an existing fragment file whose
# tfxd time/duration and trun durations agree with the manifest; no stray files.
"${TOOL[@]}" check "$DEMO"
"${TOOL[@]}" check "$BF"

echo "== reference data (decoding every level from its fragments)"
"${TOOL[@]}" reference "$DEMO" --tone audio_eng=1000 --tone audio_fra=660
"${TOOL[@]}" reference "$BF" --b-frames --tone audio_eng=1000

echo "== captions: a TTML text stream in the demo, one cue per second"
"${TOOL[@]}" captions "$DEMO" --name captions --lang eng
echo "== markers: sparse SCMD (ad break at 6 s, URL at 16 s) and CHAP (3 chapters) streams"
build_mux
"$MUX" markers "$DEMO"
"${TOOL[@]}" check "$DEMO"
du -sh "$DEMO" "$BF"

make_protected
make_codecs
