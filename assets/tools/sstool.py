#!/usr/bin/env python3
"""Helper for assets/make.sh (Python 3 standard library only).

Subcommands:
  manifest  write a Smooth Streaming client manifest from the fragment files on disk,
            taking the QualityLevel attributes from ffmpeg's own manifests
  check     verify a presentation: every chunk URL resolves to a file whose tfxd time,
            tfxd duration and sample durations agree with the manifest
  reference decode every level/stream from its fragments with ffmpeg and write
            reference.json (schema in assets/README.md)
  dump      print the box structure of fragment files
  captions  add a TTML caption stream (see sstool_captions.py)
  subset, tie, protection
            the small (encrypted) copies under assets/protected/: see sstool_subset.py

The manifests written by ffmpeg 5.1 carry no `t=` while its fragments may start late
(AAC priming, B-frame delay), and it cannot write a second audio language. So the
timeline here is always rebuilt from the fragments themselves (tfxd), never trusted.
"""

import argparse
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import sstool_captions
import sstool_subset

TIMESCALE = 10_000_000
TFXD = bytes.fromhex("6d1d9b0542d544e680e2141daff757b2")
TFRF = bytes.fromhex("d4807ef2ca3946958e5426cb9e46a79f")
CONTAINERS = {b"moof", b"traf"}

# Layout of the synthetic picture at the 1280x720 master size (see make.sh). Positions are
# multiples of 8 so that every level (1/1, 1/2, 1/4) keeps them on even luma samples.
MASTER_W, MASTER_H = 1280, 720
INDEX_BITS = 16
INDEX_BAND_H = 80
PATCHES = [  # name, BT.709 limited-range Y, Cb, Cr, nominal RGB
    ("red", (63, 102, 240), (255, 0, 0)),
    ("green", (173, 42, 26), (0, 255, 0)),
    ("blue", (32, 240, 118), (0, 0, 255)),
    ("white", (235, 128, 128), (255, 255, 255)),
    ("black", (16, 128, 128), (0, 0, 0)),
]
PATCH_X, PATCH_Y, PATCH_SIZE = 64, 560, 128


class Fail(Exception):
    """A check failed; the message says what and where."""


# ---------------------------------------------------------------- boxes


def iter_boxes(buf, start, end, where):
    """Yield (type, header_size, box_start, box_end, uuid) for boxes in buf[start:end]."""
    off = start
    while off < end:
        if end - off < 8:
            raise Fail(f"{where}: truncated box header at byte {off}")
        size, typ = struct.unpack_from(">I4s", buf, off)
        hdr = 8
        if size == 1:
            size = struct.unpack_from(">Q", buf, off + 8)[0]
            hdr = 16
        elif size == 0:
            size = end - off
        if size < hdr or off + size > end:
            raise Fail(f"{where}: box {typ!r} at byte {off} has bad size {size}")
        uuid = None
        if typ == b"uuid":
            uuid = bytes(buf[off + hdr : off + hdr + 16])
            hdr += 16
        yield typ, hdr, off, off + size, uuid
        off += size


def parse_fragment(path):
    """Parse one moof+mdat fragment file into a dict (samples with their bytes)."""
    buf = open(path, "rb").read()
    where = os.path.basename(path)
    frag = {"boxes": [], "samples": [], "tfxd": None, "tfrf": None, "tfdt": None, "sdtp": False}
    moof_start = None
    mdat = None
    for typ, hdr, start, end, uuid in iter_boxes(buf, 0, len(buf), where):
        frag["boxes"].append(typ.decode("latin-1"))
        if typ == b"moof":
            moof_start = start
            parse_moof(buf, start + hdr, end, frag, f"{where}: moof")
        elif typ == b"mdat":
            mdat = (start + hdr, end)
    if moof_start is None or mdat is None:
        raise Fail(f"{where}: needs a moof and an mdat, found {frag['boxes']}")
    base = moof_start  # ffmpeg sets neither base-data-offset nor default-base-is-moof
    off = base + frag["data_offset"]
    for s in frag["samples"]:
        if off < mdat[0] or off + s["size"] > mdat[1]:
            raise Fail(f"{where}: sample at byte {off} size {s['size']} outside mdat {mdat}")
        s["data"] = buf[off : off + s["size"]]
        off += s["size"]
    return frag


def parse_moof(buf, start, end, frag, where):
    """Fill frag from the children of a moof (one traf expected)."""
    trafs = 0
    for typ, hdr, s, e, uuid in iter_boxes(buf, start, end, where):
        if typ == b"mfhd":
            frag["sequence"] = struct.unpack_from(">I", buf, s + hdr + 4)[0]
        elif typ == b"traf":
            trafs += 1
            parse_traf(buf, s + hdr, e, frag, f"{where}/traf")
    if trafs != 1:
        raise Fail(f"{where}: expected one traf, found {trafs}")


def parse_traf(buf, start, end, frag, where):
    """Fill frag from tfhd, trun, tfdt, sdtp and the tfxd/tfrf uuid boxes."""
    frag["traf_children"] = []
    for typ, hdr, s, e, uuid in iter_boxes(buf, start, end, where):
        p = s + hdr
        name = typ.decode("latin-1")
        if uuid == TFXD:
            name = "uuid(tfxd)"
            ver = buf[p]
            if ver == 1:
                frag["tfxd"] = struct.unpack_from(">QQ", buf, p + 4)
            else:
                frag["tfxd"] = struct.unpack_from(">II", buf, p + 4)
            frag["tfxd_version"] = ver
        elif uuid == TFRF:
            name = "uuid(tfrf)"
            ver, count = buf[p], buf[p + 4]
            fmt = ">QQ" if ver == 1 else ">II"
            step = struct.calcsize(fmt)
            frag["tfrf"] = [struct.unpack_from(fmt, buf, p + 5 + i * step) for i in range(count)]
        elif typ == b"tfhd":
            flags = int.from_bytes(buf[p + 1 : p + 4], "big")
            frag["tfhd_flags"] = flags
            frag["track_id"] = struct.unpack_from(">I", buf, p + 4)[0]
            q = p + 8
            d = {}
            for bit, key, n in (
                (0x1, "base_data_offset", 8),
                (0x2, "sample_description_index", 4),
                (0x8, "default_sample_duration", 4),
                (0x10, "default_sample_size", 4),
                (0x20, "default_sample_flags", 4),
            ):
                if flags & bit:
                    d[key] = int.from_bytes(buf[q : q + n], "big")
                    q += n
            if flags & 0x1:
                raise Fail(f"{where}/tfhd: base-data-offset is not handled here")
            frag["tfhd"] = d
        elif typ == b"trun":
            parse_trun(buf, p, frag)
        elif typ == b"tfdt":
            ver = buf[p]
            frag["tfdt"] = struct.unpack_from(">Q" if ver == 1 else ">I", buf, p + 4)[0]
        elif typ == b"sdtp":
            frag["sdtp"] = True
        frag["traf_children"].append(name)


def parse_trun(buf, p, frag):
    """Read trun samples, applying the tfhd defaults."""
    ver = buf[p]
    flags = int.from_bytes(buf[p + 1 : p + 4], "big")
    count = struct.unpack_from(">I", buf, p + 4)[0]
    q = p + 8
    frag["trun_version"], frag["trun_flags"] = ver, flags
    frag["data_offset"] = 0
    if flags & 0x1:
        frag["data_offset"] = struct.unpack_from(">i", buf, q)[0]
        q += 4
    first_flags = None
    if flags & 0x4:
        first_flags = struct.unpack_from(">I", buf, q)[0]
        q += 4
    dflt = frag.get("tfhd", {})
    for i in range(count):
        s = {
            "duration": dflt.get("default_sample_duration"),
            "size": dflt.get("default_sample_size"),
            "flags": dflt.get("default_sample_flags", 0),
            "cto": 0,
        }
        if flags & 0x100:
            s["duration"] = struct.unpack_from(">I", buf, q)[0]
            q += 4
        if flags & 0x200:
            s["size"] = struct.unpack_from(">I", buf, q)[0]
            q += 4
        if flags & 0x400:
            s["flags"] = struct.unpack_from(">I", buf, q)[0]
            q += 4
        if flags & 0x800:
            s["cto"] = struct.unpack_from(">i" if ver == 1 else ">I", buf, q)[0]
            q += 4
        if i == 0 and first_flags is not None:
            s["flags"] = first_flags
        frag["samples"].append(s)


def is_sync(sample_flags):
    """sample_is_non_sync_sample is bit 16 of the ISO BMFF sample flags."""
    return not (sample_flags >> 16) & 1


# ---------------------------------------------------------------- manifest


def read_ffmpeg_levels(manifest_path, stream_type):
    """QualityLevel attribute dicts of the StreamIndex of this Type in an ffmpeg manifest."""
    root = ET.parse(manifest_path).getroot()
    for si in root.findall("StreamIndex"):
        if si.get("Type") == stream_type:
            return [dict(ql.attrib) for ql in si.findall("QualityLevel")]
    raise Fail(f"{manifest_path}: no StreamIndex Type={stream_type}")


def fragment_files(directory, bitrate, name):
    """Map start time -> path for QualityLevels(bitrate)/Fragments(name=t) files."""
    sub = os.path.join(directory, f"QualityLevels({bitrate})")
    pat = re.compile(r"^Fragments\(" + re.escape(name) + r"=(\d+)\)$")
    out = {}
    for f in os.listdir(sub):
        m = pat.match(f)
        if m:
            out[int(m.group(1))] = os.path.join(sub, f)
    return out


def timeline_from_fragments(directory, bitrate, name):
    """[(t, d)] from tfxd of each fragment; checks file names and contiguity."""
    files = fragment_files(directory, bitrate, name)
    if not files:
        raise Fail(f"{directory}: no Fragments({name}=*) under QualityLevels({bitrate})")
    chunks = []
    for t in sorted(files):
        frag = parse_fragment(files[t])
        if frag["tfxd"] is None:
            raise Fail(f"{files[t]}: no tfxd, cannot learn the fragment time")
        ft, fd = frag["tfxd"]
        if ft != t:
            raise Fail(f"{files[t]}: tfxd time {ft} differs from the file name")
        total = sum(s["duration"] for s in frag["samples"])
        if total != fd:
            raise Fail(f"{files[t]}: tfxd duration {fd} but samples sum to {total}")
        if chunks and chunks[-1][0] + chunks[-1][1] != t:
            raise Fail(f"{files[t]}: gap/overlap after chunk t={chunks[-1][0]} d={chunks[-1][1]}")
        chunks.append((t, fd))
    return chunks


def c_elements(chunks):
    """`c` lines: explicit t on the first chunk (and after any discontinuity), d always."""
    lines, expect = [], None
    for t, d in chunks:
        if t != expect:
            lines.append(f'    <c t="{t}" d="{d}" />')
        else:
            lines.append(f'    <c d="{d}" />')
        expect = t + d
    return lines


def cmd_manifest(args):
    """Write OUT/Manifest for the streams given as TYPE:NAME:LANG:SRC_MANIFEST."""
    streams = []
    for spec in args.stream:
        stype, name, lang, src = spec.split(":", 3)
        levels = read_ffmpeg_levels(src, stype)
        timelines = [timeline_from_fragments(args.out, ql["Bitrate"], name) for ql in levels]
        for ql, tl in zip(levels, timelines):
            if tl != timelines[0]:
                raise Fail(f"{name}: level {ql['Bitrate']} chunks differ from level {levels[0]['Bitrate']}")
        streams.append((stype, name, lang, levels, timelines[0]))
    if args.align:
        ref = [s for s in streams if s[0] == "audio"]
        for s in ref[1:]:
            if s[4] != ref[0][4]:
                raise Fail(f"{s[1]}: audio chunks differ from {ref[0][1]}")
    start = min(tl[0][0] for *_, tl in streams)
    end = max(tl[-1][0] + tl[-1][1] for *_, tl in streams)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!-- Generated by assets/make.sh from ffmpeg's smoothstreaming output; "
        "chunk times read from each fragment's tfxd. -->",
        f'<SmoothStreamingMedia MajorVersion="2" MinorVersion="0" TimeScale="{TIMESCALE}" '
        f'Duration="{end - start}">',
    ]
    for stype, name, lang, levels, tl in streams:
        attrs = [f'Type="{stype}"', f'Name="{name}"']
        if lang:
            attrs.append(f'Language="{lang}"')
        if stype == "video":
            w = max(int(ql["MaxWidth"]) for ql in levels)
            h = max(int(ql["MaxHeight"]) for ql in levels)
            attrs += [f'MaxWidth="{w}"', f'MaxHeight="{h}"', f'DisplayWidth="{w}"', f'DisplayHeight="{h}"']
        attrs += [
            f'QualityLevels="{len(levels)}"',
            f'Chunks="{len(tl)}"',
            f'Url="QualityLevels({{bitrate}})/Fragments({name}={{start time}})"',
        ]
        out.append("  <StreamIndex " + " ".join(attrs) + ">")
        for i, ql in enumerate(sorted(levels, key=lambda q: int(q["Bitrate"]))):
            ql = dict(ql)
            ql["Index"] = str(i)
            keys = ["Index", "Bitrate", "FourCC"] + [k for k in ql if k not in ("Index", "Bitrate", "FourCC")]
            out.append("    <QualityLevel " + " ".join(f'{k}="{ql[k]}"' for k in keys) + " />")
        out += c_elements(tl)
        out.append("  </StreamIndex>")
    out.append("</SmoothStreamingMedia>")
    with open(os.path.join(args.out, "Manifest"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")


# ---------------------------------------------------------------- reading our manifests


def load_manifest(directory):
    """Parse DIR/Manifest into (root attrs, [stream dicts with expanded chunks])."""
    root = ET.parse(os.path.join(directory, "Manifest")).getroot()
    streams = []
    for si in root.findall("StreamIndex"):
        chunks, t = [], 0
        cs = si.findall("c")
        for i, c in enumerate(cs):
            if c.get("t") is not None:
                t = int(c.get("t"))
            if c.get("d") is None:
                raise Fail(f"StreamIndex {si.get('Name')}: c #{i} has no d")
            d = int(c.get("d"))
            for _ in range(int(c.get("r", "1"))):
                chunks.append((t, d))
                t += d
        streams.append({"attrs": dict(si.attrib), "levels": [dict(q.attrib) for q in si.findall("QualityLevel")], "chunks": chunks})
    return dict(root.attrib), streams


def chunk_url(template, bitrate, t):
    """Resolve a Url template the way a client does."""
    u = template.replace("{bitrate}", str(bitrate)).replace("{Bitrate}", str(bitrate))
    return u.replace("{start time}", str(t)).replace("{start_time}", str(t))


def cmd_check(args):
    """Verify every chunk of every level of DIR against its fragment file."""
    d = args.dir
    root, streams = load_manifest(d)
    referenced = {"Manifest", "reference.json", "markers.json"}
    n_files = 0
    start = min(s["chunks"][0][0] for s in streams)
    end = max(s["chunks"][-1][0] + s["chunks"][-1][1] for s in streams)
    if int(root["Duration"]) != end - start:
        raise Fail(f"{d}/Manifest: Duration {root['Duration']} but chunks span {end - start}")
    for s in streams:
        a = s["attrs"]
        if int(a["Chunks"]) != len(s["chunks"]):
            raise Fail(f"{d}: StreamIndex {a['Name']} Chunks={a['Chunks']} but {len(s['chunks'])} c")
        if int(a["QualityLevels"]) != len(s["levels"]):
            raise Fail(f"{d}: StreamIndex {a['Name']} QualityLevels attribute is wrong")
        for ql in s["levels"]:
            track = None
            for i, (t, dur) in enumerate(s["chunks"]):
                rel = chunk_url(a["Url"], ql["Bitrate"], t)
                path = os.path.join(d, rel)
                if not os.path.isfile(path):
                    raise Fail(f"{d}: chunk URL {rel} (stream {a['Name']}, c #{i}) is not a file")
                referenced.add(rel)
                n_files += 1
                frag = parse_fragment(path)
                where = f"{d}/{rel}"
                if frag["tfxd"] != (t, dur):
                    raise Fail(f"{where}: tfxd {frag['tfxd']} but manifest says t={t} d={dur}")
                if frag["tfdt"] is not None and frag["tfdt"] != t:
                    raise Fail(f"{where}: tfdt {frag['tfdt']} but manifest says t={t}")
                total = sum(x["duration"] for x in frag["samples"])
                if total != dur:
                    raise Fail(f"{where}: sample durations sum to {total}, manifest d={dur}")
                if frag["sequence"] != i + 1:
                    raise Fail(f"{where}: mfhd sequence {frag['sequence']}, expected {i + 1}")
                track = frag["track_id"] if track is None else track
                if frag["track_id"] != track:
                    raise Fail(f"{where}: track_ID changes within a level")
                if a["Type"] == "video" and not is_sync(frag["samples"][0]["flags"]):
                    raise Fail(f"{where}: first sample is not a sync sample")
    on_disk = set()
    for base, _, files in os.walk(d):
        for f in files:
            on_disk.add(os.path.relpath(os.path.join(base, f), d))
    extra = sorted(on_disk - referenced)
    if extra:
        raise Fail(f"{d}: files not referenced by the manifest: {extra}")
    print(f"check {d}: {len(streams)} streams, {n_files} chunk URLs resolve, tfxd/trun agree with the manifest")


# ---------------------------------------------------------------- reference data


def avcc_to_annexb(sample, length_size, where):
    """Rewrite length-prefixed NAL units as Annex B."""
    out, off = bytearray(), 0
    while off < len(sample):
        n = int.from_bytes(sample[off : off + length_size], "big")
        off += length_size
        if n == 0 or off + n > len(sample):
            raise Fail(f"{where}: bad NAL length {n} at byte {off - length_size}")
        out += b"\x00\x00\x00\x01" + sample[off : off + n]
        off += n
    return bytes(out)


def nal_types(sample, length_size):
    """NAL unit types of a length-prefixed access unit (already validated by avcc_to_annexb)."""
    types, off = [], 0
    while off < len(sample):
        n = int.from_bytes(sample[off : off + length_size], "big")
        types.append(sample[off + length_size] & 0x1F)
        off += length_size + n
    return types


def index_margin(y, w, h):
    """Smallest distance of a block-centre luma from the 128 threshold."""
    cy = round(INDEX_BAND_H / 2 * h / MASTER_H)
    return min(abs(y[cy * w + int((i + 0.5) * w / INDEX_BITS)] - 128) for i in range(INDEX_BITS))


def patch_error(pic, w, h):
    """Largest |decoded - nominal| of Y, Cb, Cr at the patch centres."""
    err = 0
    for k, (_, ycc, _) in enumerate(PATCHES):
        x = (PATCH_X + k * PATCH_SIZE + PATCH_SIZE // 2) * w // MASTER_W
        y = (PATCH_Y + PATCH_SIZE // 2) * h // MASTER_H
        c = w * h + (y // 2) * (w // 2) + x // 2
        got = (pic[y * w + x], pic[c], pic[c + w * h // 4])
        err = max(err, *(abs(a - b) for a, b in zip(got, ycc)))
    return err


def read_index(y, w, h):
    """Frame index from the 16 blocks of the top band (MSB left, white = 1)."""
    cy = round(INDEX_BAND_H / 2 * h / MASTER_H)
    v = 0
    for i in range(INDEX_BITS):
        cx = int((i + 0.5) * w / INDEX_BITS)
        v = (v << 1) | (1 if y[cy * w + cx] >= 128 else 0)
    return v


def y_grid(y, w, h, n=4):
    """Mean luma of an n x n grid of cells, for approximate (non bit-exact) comparisons."""
    out = []
    for gy in range(n):
        for gx in range(n):
            x0, x1 = gx * w // n, (gx + 1) * w // n
            y0, y1 = gy * h // n, (gy + 1) * h // n
            tot = sum(sum(y[r * w + x0 : r * w + x1]) for r in range(y0, y1))
            out.append(round(tot / ((x1 - x0) * (y1 - y0)), 2))
    return out


def level_samples(d, stream, ql):
    """All samples of one level in decode order, with absolute dts."""
    out = []
    for t, _ in stream["chunks"]:
        path = os.path.join(d, chunk_url(stream["attrs"]["Url"], ql["Bitrate"], t))
        frag = parse_fragment(path)
        dts = t
        for s in frag["samples"]:
            s["dts"] = dts
            s["path"] = path
            dts += s["duration"]
            out.append(s)
    return out


def video_reference(d, stream, ql, with_grid):
    """Decode one video level from its fragments with ffmpeg; per-frame pts/index/md5."""
    w, h = int(ql["MaxWidth"]), int(ql["MaxHeight"])
    length_size = int(ql.get("NALUnitLengthField", "4"))
    samples = level_samples(d, stream, ql)
    es = bytearray(bytes.fromhex(ql["CodecPrivateData"]))
    keyframes = []
    for i, s in enumerate(samples):
        es += avcc_to_annexb(s["data"], length_size, s["path"])
        idr = 5 in nal_types(s["data"], length_size)
        if is_sync(s["flags"]) != idr:
            raise Fail(f"{s['path']}: sample {i} sync flag {is_sync(s['flags'])} but IDR {idr}")
        if idr:
            keyframes.append(i)
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1",
         "-f", "h264", "-i", "-", "-fps_mode", "passthrough", "-f", "rawvideo", "-"],
        input=bytes(es), stdout=subprocess.PIPE, check=True,
    ).stdout
    fsize = w * h * 3 // 2
    if len(raw) != fsize * len(samples):
        raise Fail(f"{d} level {ql['Bitrate']}: decoded {len(raw) / fsize} frames of {w}x{h}, expected {len(samples)}")
    pts = sorted(s["dts"] + s["cto"] for s in samples)
    first = pts[0]
    frames = []
    margin, perr = 255, 0
    for i, p in enumerate(pts):
        pic = raw[i * fsize : (i + 1) * fsize]
        y = pic[: w * h]
        idx = read_index(y, w, h)
        margin = min(margin, index_margin(y, w, h))
        perr = max(perr, patch_error(pic, w, h))
        if (p - first) % FRAME_TICKS or idx != (p - first) // FRAME_TICKS:
            raise Fail(f"{d} level {ql['Bitrate']}: frame at pts {p} shows index {idx}")
        fr = {"pts": p, "index": idx, "md5": hashlib.md5(pic).hexdigest()}
        if with_grid:
            fr["y_grid4"] = y_grid(y, w, h)
        frames.append(fr)
    if margin < 64:
        raise Fail(f"{d} level {ql['Bitrate']}: index blocks only {margin} from the threshold")
    return {
        "bitrate": int(ql["Bitrate"]),
        "width": w,
        "height": h,
        "frame_count": len(frames),
        "keyframes_decode_order": keyframes,
        "max_composition_offset": max(s["cto"] for s in samples),
        "min_composition_offset": min(s["cto"] for s in samples),
        "index_min_margin": margin,
        "patch_centre_max_error": perr,
        "frames": frames,
    }


def adts(au, aot, sfi, chans):
    """Wrap one raw AAC access unit in a 7-byte ADTS header so ffmpeg can decode it."""
    n = len(au) + 7
    hdr = bytes([
        0xFF, 0xF1,
        ((aot - 1) << 6) | (sfi << 2) | (chans >> 2),
        ((chans & 3) << 6) | (n >> 11),
        (n >> 3) & 0xFF,
        ((n & 7) << 5) | 0x1F,
        0xFC,
    ])
    return hdr + au


def measure_tone(pcm, rate):
    """Frequency (Hz) of the left channel over 1 s in the middle, by zero crossings."""
    left = [pcm[i] for i in range(0, len(pcm), 2)]
    mid = len(left) // 2
    seg = left[mid - rate // 2 : mid + rate // 2]
    ups = [i for i in range(1, len(seg)) if seg[i - 1] < 0 <= seg[i]]
    # Refine with linear interpolation between the first and last upward crossing.
    def cross(i):
        return i - 1 + (-seg[i - 1]) / (seg[i] - seg[i - 1])
    return (len(ups) - 1) * rate / (cross(ups[-1]) - cross(ups[0])), max(abs(v) for v in seg) / 32768


def audio_reference(d, stream, ql, tone):
    """Decode one audio level from its fragments with ffmpeg; counts and tone check."""
    asc = bytes.fromhex(ql["CodecPrivateData"])
    aot, sfi = asc[0] >> 3, ((asc[0] & 7) << 1) | (asc[1] >> 7)
    chans = (asc[1] >> 3) & 0xF
    rate = int(ql["SamplingRate"])
    samples = level_samples(d, stream, ql)
    es = b"".join(adts(s["data"], aot, sfi, chans) for s in samples)
    pcm_bytes = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1",
         "-f", "aac", "-i", "-", "-f", "s16le", "-acodec", "pcm_s16le", "-"],
        input=es, stdout=subprocess.PIPE, check=True,
    ).stdout
    pcm = struct.unpack(f"<{len(pcm_bytes) // 2}h", pcm_bytes)
    decoded = len(pcm) // chans
    if decoded != 1024 * len(samples):
        raise Fail(f"{d} {stream['attrs']['Name']}: decoded {decoded} samples from {len(samples)} AUs")
    hz, peak = measure_tone(pcm, rate)
    if abs(hz - tone) > 1.0:
        raise Fail(f"{d} {stream['attrs']['Name']}: tone measures {hz:.2f} Hz, expected {tone}")
    return {
        "bitrate": int(ql["Bitrate"]),
        "sample_rate": rate,
        "channels": chans,
        "audio_object_type": aot,
        "access_units": len(samples),
        "total_samples": decoded,
        "encoder_delay_samples": 1024,
        "tone_hz": int(tone) if tone == int(tone) else tone,
        "measured_tone_hz": round(hz, 2),
        "peak": round(peak, 3),
    }


FRAME_TICKS = TIMESCALE // 25


def cmd_reference(args):
    """Write DIR/reference.json."""
    d = args.dir
    tones = dict(x.split("=") for x in args.tone)
    root, streams = load_manifest(d)
    start = min(s["chunks"][0][0] for s in streams)
    out = {
        "schema": 1,
        "timescale": TIMESCALE,
        "presentation_start": start,
        "duration": int(root["Duration"]),
        "video_has_b_frames": args.b_frames,
        "frame_rate": 25,
        "frame_duration": FRAME_TICKS,
        "layout": layout(),
        "video": [],
        "audio": [],
    }
    for s in streams:
        a = s["attrs"]
        if a["Type"] == "text":
            continue  # sstool_captions writes its own reference
        for ql in sorted(s["levels"], key=lambda q: int(q["Bitrate"])):
            if a["Type"] == "video":
                lv = video_reference(d, s, ql, args.b_frames)
                lv = {"stream": a["Name"], **lv}
                out["video"].append(lv)
            else:
                lv = audio_reference(d, s, ql, float(tones[a["Name"]]))
                out["audio"].append({"stream": a["Name"], "language": a.get("Language"), **lv})
    write_reference(out, os.path.join(d, "reference.json"))
    print(f"reference {d}: " + ", ".join(f"{v['width']}x{v['height']} {v['frame_count']} frames" for v in out["video"])
          + "; " + ", ".join(f"{x['stream']} {x['total_samples']} samples {x['measured_tone_hz']} Hz" for x in out["audio"]))


def layout():
    """Where the machine-readable parts of the picture are, as fractions of the frame."""
    return {
        "index_blocks": {
            "count": INDEX_BITS,
            "order": "msb_first_left_to_right",
            "center_x": f"(i + 0.5) / {INDEX_BITS}",
            "center_y": INDEX_BAND_H / 2 / MASTER_H,
            "height": INDEX_BAND_H / MASTER_H,
            "one": "white (Y 235)",
            "zero": "black (Y 16)",
            "threshold_y": 128,
        },
        "patches": [
            {
                "name": name,
                "x": (PATCH_X + i * PATCH_SIZE) / MASTER_W,
                "y": PATCH_Y / MASTER_H,
                "w": PATCH_SIZE / MASTER_W,
                "h": PATCH_SIZE / MASTER_H,
                "ycbcr": list(ycc),
                "rgb": list(rgb),
            }
            for i, (name, ycc, rgb) in enumerate(PATCHES)
        ],
        "matrix": "bt709",
        "range": "limited",
    }


def write_reference(out, path):
    """JSON with one frame per line, so diffs stay readable."""
    text = json.dumps(out, indent=2)
    text = re.sub(r"\{\s+(\"pts\"[^{}]*?)\s+\}", lambda m: "{" + re.sub(r"\s+", " ", m.group(1)) + "}", text)
    text = re.sub(r"\[\s+([-0-9.,\s]+?)\s+\]", lambda m: "[" + re.sub(r"\s+", " ", m.group(1)) + "]", text)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text + "\n")


# ---------------------------------------------------------------- dump


def cmd_dump(args):
    """Print boxes and trun fields of fragment files (for humans)."""
    for path in args.files:
        f = parse_fragment(path)
        print(path)
        print(f"  top-level boxes: {f['boxes']}  traf children: {f['traf_children']}")
        print(f"  mfhd seq {f['sequence']}  tfhd flags 0x{f['tfhd_flags']:06x} {f['tfhd']} track {f['track_id']}")
        print(f"  trun v{f['trun_version']} flags 0x{f['trun_flags']:06x} samples {len(f['samples'])} data_offset {f['data_offset']}")
        print(f"  tfxd {f['tfxd']}  tfrf {f['tfrf']}  tfdt {f['tfdt']}  sdtp {f['sdtp']}")
        for i, s in enumerate(f["samples"][: args.samples]):
            print(f"    #{i} dur {s['duration']} size {s['size']} flags 0x{s['flags']:08x} cto {s['cto']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("manifest")
    m.add_argument("--out", required=True)
    m.add_argument("--stream", action="append", required=True, help="TYPE:NAME:LANG:SRC_MANIFEST")
    m.add_argument("--align", action="store_true", help="require all audio streams to share chunk times")
    c = sub.add_parser("check")
    c.add_argument("dir")
    r = sub.add_parser("reference")
    r.add_argument("dir")
    r.add_argument("--tone", action="append", default=[], help="STREAM_NAME=HZ")
    r.add_argument("--b-frames", action="store_true")
    du = sub.add_parser("dump")
    du.add_argument("files", nargs="+")
    du.add_argument("--samples", type=int, default=4)
    su = sub.add_parser("subset")
    su.add_argument("src")
    su.add_argument("out")
    su.add_argument("--stream", action="append", required=True, help="StreamIndex Name to keep")
    su.add_argument("--level", action="append", default=[], help="NAME=BITRATE: keep only these levels")
    su.add_argument("--chunks", type=int, required=True, help="keep the first N chunks")
    ti = sub.add_parser("tie")
    ti.add_argument("subset")
    ti.add_argument("full")
    pr = sub.add_parser("protection")
    pr.add_argument("dir")
    pr.add_argument("--scheme", required=True, choices=sorted(sstool_subset.SCHEMES))
    pr.add_argument("--kid", required=True)
    pr.add_argument("--key-seed", required=True, help="base64")
    pr.add_argument("--la-url", required=True)
    pr.add_argument("--clear", required=True, help="the clear copy, relative to DIR")
    ca = sub.add_parser("captions")
    ca.add_argument("dir")
    ca.add_argument("--name", default="captions")
    ca.add_argument("--lang", default="eng")
    args = ap.parse_args()
    commands = {
        "manifest": cmd_manifest,
        "check": cmd_check,
        "reference": cmd_reference,
        "dump": cmd_dump,
        "subset": lambda a: sstool_subset.cmd_subset(a, load_manifest, c_elements, chunk_url),
        "tie": sstool_subset.cmd_tie,
        "captions": lambda a: sstool_captions.cmd_captions(a, load_manifest, c_elements, write_reference),
        "protection": lambda a: sstool_subset.cmd_protection(a, write_reference),
    }
    try:
        commands[args.cmd](args)
    except (Fail, sstool_subset.SubsetError) as e:
        print(f"sstool {args.cmd}: FAILED: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
