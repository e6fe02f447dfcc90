"""`sstool captions DIR`: add a TTML caption stream to a presentation (standard library only).

One caption fragment per video chunk (same times), each a moof (mfhd, traf: tfhd, trun,
tfxd) and an mdat holding one TTML document: a cue per second, "Caption N" over
"t = N s", timed on the media timeline (ISO/IEC 14496-30). The manifest gains
`<StreamIndex Type="text" Subtype="CAPT">` and reference.json a "captions" list, so tests
can check what is on screen when.
"""

import json
import os
import re
import struct

TFXD = bytes.fromhex("6d1d9b0542d544e680e2141daff757b2")
BITRATE = 1000
TRACK_ID = 3


def box(typ, payload):
    return struct.pack(">I", 8 + len(payload)) + typ + payload


def full_box(typ, version, flags, payload):
    return box(typ, bytes([version]) + flags.to_bytes(3, "big") + payload)


def clock(ticks, timescale):
    ms = ticks * 1000 // timescale
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def cues_for(t, d, timescale):
    """The cues of chunk [t, t+d): one per whole second starting inside it."""
    out = []
    first = -(-t // timescale)  # ceil
    n = first
    while n * timescale < t + d:
        start, end = n * timescale, min((n + 1) * timescale, t + d)
        out.append((start, end, n))
        n += 1
    return out


def ttml(cues, timescale):
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling" xml:lang="en">',
        "  <head><styling><style xml:id=\"s\" tts:color=\"white\" tts:textAlign=\"center\"/></styling></head>",
        "  <body style=\"s\"><div>",
    ]
    for start, end, n in cues:
        lines.append(
            f'    <p begin="{clock(start, timescale)}" end="{clock(end, timescale)}">'
            f"Caption {n}<br/>t = {n} s</p>"
        )
    lines += ["  </div></body>", "</tt>", ""]
    return "\n".join(lines).encode("utf-8")


def fragment(seq, t, d, doc):
    mfhd = full_box(b"mfhd", 0, 0, struct.pack(">I", seq))
    tfhd = full_box(b"tfhd", 0, 0, struct.pack(">I", TRACK_ID))
    tfxd = box(b"uuid", TFXD + bytes([1, 0, 0, 0]) + struct.pack(">QQ", t, d))

    def moof(data_offset):
        trun = full_box(b"trun", 0, 0x301, struct.pack(">IiII", 1, data_offset, d, len(doc)))
        return box(b"moof", mfhd + box(b"traf", tfhd + trun + tfxd))

    size = len(moof(0))
    return moof(size + 8) + box(b"mdat", doc)


def cmd_captions(args, load_manifest, c_elements, write_reference):
    d = args.dir
    root, streams = load_manifest(d)
    timescale = int(root.get("TimeScale", "10000000"))
    video = next(s for s in streams if s["attrs"]["Type"] == "video")
    name, lang = args.name, args.lang
    folder = os.path.join(d, f"QualityLevels({BITRATE})")
    os.makedirs(folder, exist_ok=True)
    reference = []
    for i, (t, dur) in enumerate(video["chunks"]):
        cues = cues_for(t, dur, timescale)
        with open(os.path.join(folder, f"Fragments({name}={t})"), "wb") as f:
            f.write(fragment(i + 1, t, dur, ttml(cues, timescale)))
        reference += [
            {"start": s, "end": e, "text": f"Caption {n}\nt = {n} s"} for s, e, n in cues
        ]
    path = os.path.join(d, "Manifest")
    text = open(path, encoding="utf-8").read()
    text = re.sub(r'  <StreamIndex Type="text".*?</StreamIndex>\n', "", text, flags=re.S)
    stream = [
        f'  <StreamIndex Type="text" Subtype="CAPT" Name="{name}" Language="{lang}" '
        f'QualityLevels="1" Chunks="{len(video["chunks"])}" '
        f'Url="QualityLevels({{bitrate}})/Fragments({name}={{start time}})">',
        f'    <QualityLevel Index="0" Bitrate="{BITRATE}" FourCC="TTML" CodecPrivateData="" />',
        *c_elements(video["chunks"]),
        "  </StreamIndex>",
    ]
    text = text.replace("</SmoothStreamingMedia>", "\n".join(stream) + "\n</SmoothStreamingMedia>")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    ref_path = os.path.join(d, "reference.json")
    ref = json.load(open(ref_path, encoding="utf-8"))
    ref["captions"] = {"stream": name, "language": lang, "cues": reference}
    write_reference(ref, ref_path)
    print(f"captions {d}: {len(video['chunks'])} fragments, {len(reference)} cues")
