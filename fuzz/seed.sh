#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the presentations in assets/ and the manifest fixtures:
# manifests, fragments (clear and protected, .ismv files), PlayReady headers, TTML documents,
# URL templates, and decryption cases with the published test keys. The corpus directories
# are not committed (the fuzzer grows them); run this once before `cargo fuzz run`.
set -euo pipefail
cd "$(dirname "$0")"
root=..
corpus=corpus
mkdir -p "$corpus"/{manifest,fragment,decrypt,playready,ttml,url_template,session}

python3 - "$root" "$corpus" <<'EOF'
import base64, hashlib, os, re, struct, sys
from pathlib import Path

root, corpus = Path(sys.argv[1]), Path(sys.argv[2])
assets = root / "assets"

def put(target, data):
    name = hashlib.sha1(data).hexdigest()
    (corpus / target / name).write_bytes(data)

manifests = sorted(p for p in assets.rglob("*") if p.name.lower() == "manifest")
manifests += sorted((root / "player-core/tests/fixtures/manifests").glob("*.ismc"))
for m in manifests:
    text = m.read_bytes()
    put("manifest", text)
    s = text.decode("utf-8", "replace")
    for tpl in set(re.findall(r'Url="([^"]*)"', s)):
        tpl = tpl.replace("&amp;", "&")
        numbers = struct.pack("<QQ", 300000, 20000000)
        put("url_template", numbers + f"{tpl}\nhttp://origin.test/p.ism/Manifest?t=1\nid=7".encode())
    for header in re.findall(r"<ProtectionHeader[^>]*>([^<]*)</ProtectionHeader>", s):
        try:
            obj = base64.b64decode("".join(header.split()))
        except Exception:
            continue
        put("playready", obj)
        if len(obj) > 10:
            put("playready", obj[10:])  # the bare UTF-16LE WRMHEADER record

fragments = sorted(p for p in assets.rglob("Fragments(*") if p.is_file())
for f in fragments:
    data = f.read_bytes()
    put("fragment", data)
    if "captions" in f.name:
        at = data.find(b"<?xml")
        if at < 0:
            at = data.find(b"<tt")
        if at >= 0:
            put("ttml", data[at:])
for ismv in sorted((root / "player-core/tests/fixtures").glob("*.ismv")):
    put("fragment", ismv.read_bytes())

# Decryption cases: key, flags (1: CBC, 2: whole fragment), IV length + IV, subsample
# count + (clear u16 BE, encrypted u32 BE) pairs, data.
keys = {
    "piff-ctr": (bytes.fromhex("3a2a1b68dd2bd9b2eeb25e84c4776668"), 0),
    "piff-cbc": (bytes.fromhex("07e4d653cfb45c66158d93ffce422907"), 1),
}
for scheme, (key, cbc) in keys.items():
    for f in sorted((assets / "protected" / scheme).rglob("Fragments(*"))[:4]:
        put("decrypt", key + bytes([2 | cbc, 0, 0]) + f.read_bytes())
iv = bytes(range(8))
sample = bytes(range(256)) * 2
put("decrypt", bytes(16) + bytes([0, 8]) + iv + bytes([2]) + struct.pack(">HI", 5, 100)
    + struct.pack(">HI", 7, 400) + sample)
put("decrypt", bytes(16) + bytes([1, 16]) + bytes(16) + bytes([1]) + struct.pack(">HI", 16, 496)
    + sample)
EOF
for t in manifest fragment decrypt playready ttml url_template session; do
  printf '%-13s %4d seeds\n' "$t" "$(find "$corpus/$t" -type f | wc -l)"
done
