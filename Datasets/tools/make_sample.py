#!/usr/bin/env python3
"""Rebuild (or check) the small redistributable sample datasets in Datasets/.

    python3 Datasets/tools/make_sample.py            # rebuild both samples from the full datasets
    python3 Datasets/tools/make_sample.py --check    # verify what is in Datasets/ (no writes)
    python3 Datasets/tools/make_sample.py --src /path/to/datasets [--check]

Source: the full datasets staged on the dev machine, by default <repo>/../shared/datasets
(override with --src or $SPOTTER_SHARED_DATASETS). Python 3 standard library only.

Only two source folders are ever read for images: hit-uav-thermal-test300 (CC BY 4.0) and
brighton-beach-frames (BSD-2-Clause). TinyPerson-derived and vendor radiometric images must
never be copied into the project; this script has no code path that touches them.

hit-uav-sample: 24 frames, seeded stratified pick (rule below, also in hit-uav-sample/SOURCE.md).
  strata   = scenario (day, night) x altitude band (< 100 m "low", >= 100 m "high"), 6 frames each;
  negative = a frame with no Person box but at least one Car or Bicycle box (the typical hot false alarm);
  1. for each stratum in the order day-low, day-high, night-low, night-high: draw 1 negative;
  2. draw 1 extra negative from the remaining negatives that contain a Bicycle box (any stratum);
  3. fill each stratum to 6 with positives (frames with >= 1 Person box): the stratum's positives are
     ordered by (camera_pitch_deg, altitude_m, file), cut into k contiguous near-equal bins
     (k = 6 - negatives already in that stratum) and one frame is drawn from each bin, which spreads
     the pick over camera pitch and altitude.
  All draws use one random.Random(SEED) in the order above, candidate lists sorted by file name.
  Images are copied byte-identical; labels.json entries are the source entries verbatim.

brighton-sample: a fixed list (BRIGHTON_FRAMES), byte-identical copies; labels.json is generated
  from the per-image lines of the source SOURCE.txt plus EXIF IFD0 (Software, Orientation); the person
  boxes (BRIGHTON_PERSONS) were drawn by hand by this project, the upstream repository has no labels.
"""
import argparse
import hashlib
import json
import math
import os
import random
import re
import shutil
import struct
import sys
from collections import Counter
from pathlib import Path

SEED = 20250601
FRAMES_PER_STRATUM = 6
STRATA = [("day", "low"), ("day", "high"), ("night", "low"), ("night", "high")]
HIGH_ALTITUDE_M = 100
DISTRACTOR_LABELS = {"Car", "Bicycle"}

BRIGHTON_FRAMES = ["DJI_0027.JPG", "DJI_0030.JPG", "DJI_0031.JPG"]
BRIGHTON_ROTATED = {"DJI_%04d.JPG" % n for n in range(24, 30)}  # re-saved, pixels rotated 180 deg
BRIGHTON_SCENE = {
    "DJI_0027.JPG": "woodland (left half), paved path junction, lawn, gravel parking with cars, gazebo; "
                    "two people with a bicycle in tree shadow on the path",
    "DJI_0030.JPG": "lawn, paths, gazebo, pebble beach, rocky Lake Superior shoreline and open water; "
                    "one person lying or sitting on the shoreline rocks",
    "DJI_0031.JPG": "lawn, path, gravel parking with 3 cars, gazebo, trees, rocky shoreline and open water; "
                    "three people, one with a bicycle, in tree shadow on the path",
}
# Hand-annotated by the Spotter project from the full-resolution pixels (the upstream repository has no labels,
# and the staging notes' "no clearly visible persons" is wrong for these frames). [x, y, w, h], about +-5 px.
BRIGHTON_PERSONS = {
    "DJI_0027.JPG": [[3147, 800, 54, 42],     # cyclist, yellow jersey, helmet, bicycle to the left
                     [3114, 843, 76, 38]],    # person in white, standing (leans away from the image centre)
    "DJI_0030.JPG": [[2714, 1751, 58, 56]],   # person in pink top lying/sitting on the rocks at the water's edge
    "DJI_0031.JPG": [[1868, 258, 46, 60],     # cyclist on the path, yellow-green jersey, with bicycle
                     [1858, 358, 36, 42],     # person in yellow-green jersey with helmet (probably the 0027 cyclist)
                     [1843, 388, 39, 58]],    # person in white next to them (probably the 0027 person in white)
}
BRIGHTON_WATER = {"DJI_0030.JPG", "DJI_0031.JPG"}

DATASETS = Path(__file__).resolve().parent.parent          # <repo>/Datasets
HIT_OUT = DATASETS / "hit-uav-sample"
BRIGHTON_OUT = DATASETS / "brighton-sample"


# ---------------------------------------------------------------- helpers

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def jpeg_size(path):
    """(width, height) from the first SOFn marker of a JPEG file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"\xff\xd8":
        raise ValueError("%s: not a JPEG" % path)
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise ValueError("%s: bad marker at %d" % (path, i))
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    raise ValueError("%s: no SOF marker" % path)


def write_json(path, obj):
    # indent=1 is the layout of the source labels.json, so copied entries stay byte-identical
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=1, ensure_ascii=False) + "\n")


def copy_exact(src, dst):
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    if sha256(src) != sha256(dst):
        raise SystemExit("copy of %s is not byte-identical" % src)


# ---------------------------------------------------------------- HIT-UAV selection

def stratum(entry):
    m = entry["meta"]
    return (m["scenario"], "high" if m["altitude_m"] >= HIGH_ALTITUDE_M else "low")


def is_negative(entry):
    return (not entry["has_person"]) and any(o["label"] in DISTRACTOR_LABELS for o in entry["other_objects"])


def has_bicycle(entry):
    return any(o["label"] == "Bicycle" for o in entry["other_objects"])


def select_hit_uav(images):
    """Returns the chosen file names (sorted) for the source labels.json 'images' list."""
    rng = random.Random(SEED)
    by_file = sorted(images, key=lambda e: e["file"])
    chosen = []

    negatives = {s: [e for e in by_file if stratum(e) == s and is_negative(e)] for s in STRATA}
    for s in STRATA:                                                          # step 1
        chosen.append(rng.choice(negatives[s]))
    extra = [e for e in by_file if is_negative(e) and has_bicycle(e) and e not in chosen]
    chosen.append(rng.choice(extra))                                          # step 2

    for s in STRATA:                                                          # step 3
        k = FRAMES_PER_STRATUM - sum(1 for e in chosen if stratum(e) == s)
        pos = [e for e in by_file if stratum(e) == s and e["has_person"]]
        pos.sort(key=lambda e: (e["meta"]["camera_pitch_deg"], e["meta"]["altitude_m"], e["file"]))
        for b in range(k):
            lo, hi = (b * len(pos)) // k, ((b + 1) * len(pos)) // k
            chosen.append(pos[lo + rng.randrange(hi - lo)])

    files = sorted(e["file"] for e in chosen)
    assert len(set(files)) == len(files) == FRAMES_PER_STRATUM * len(STRATA)
    return files


def hit_uav_labels(src_labels, files):
    wanted = set(files)
    out = {k: v for k, v in src_labels.items() if k != "images"}
    out["dataset"] = "HIT-UAV (24-frame sample of the test split)"
    out["license"] = "CC BY 4.0 (LICENSE-CC-BY-4.0.txt); attribution in SOURCE.md"
    out["selection"] = ("seeded stratified pick (seed %d) over day/night x altitude (<%d m, >=%d m), "
                        "see SOURCE.md and Datasets/tools/make_sample.py" % (SEED, HIGH_ALTITUDE_M, HIGH_ALTITUDE_M))
    out["images"] = [e for e in src_labels["images"] if e["file"] in wanted]   # verbatim, source order
    return out


def build_hit_uav(src_root):
    src = src_root / "hit-uav-thermal-test300"
    src_labels = json.loads((src / "labels.json").read_text(encoding="utf-8"))
    files = select_hit_uav(src_labels["images"])
    if HIT_OUT.exists():
        shutil.rmtree(HIT_OUT / "images", ignore_errors=True)
    for f in files:
        copy_exact(src / f, HIT_OUT / f)
    copy_exact(src / "LICENSE-CC-BY-4.0.txt", HIT_OUT / "LICENSE-CC-BY-4.0.txt")
    write_json(HIT_OUT / "labels.json", hit_uav_labels(src_labels, files))
    return files


# ---------------------------------------------------------------- Brighton

def brighton_source_lines(src):
    """name -> (bytes, sha256 prefix, {key: value}) from the PER-IMAGE lines of SOURCE.txt."""
    out = {}
    for line in (src / "SOURCE.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(DJI_\d{4}\.JPG) \| (\d+) B \| (\d+)x(\d+) \| sha256:([0-9a-f]+)\S* \| (.*?) \| segments:", line)
        if m:
            kv = dict(re.findall(r"(\w+)=(\d{4}:\d\d:\d\d \d\d:\d\d:\d\d|\S+)", m.group(6)))
            out[m.group(1)] = {"bytes": int(m.group(2)), "size": (int(m.group(3)), int(m.group(4))),
                               "sha256_prefix": m.group(5), "kv": kv, "line": line}
    return out


def exif_ifd0(path):
    """{"software": str or None, "orientation": int or None} from EXIF IFD0 (tags 0x0131, 0x0112)."""
    out = {"software": None, "orientation": None}
    data = open(path, "rb").read(1 << 18)
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker == 0xE1 and data[i + 4:i + 10] == b"Exif\0\0":
            t = data[i + 10:i + 2 + length]
            e = "<" if t[:2] == b"II" else ">"
            ifd = struct.unpack(e + "I", t[4:8])[0]
            for k in range(struct.unpack(e + "H", t[ifd:ifd + 2])[0]):
                tag, typ, cnt, val = struct.unpack(e + "HHI4s", t[ifd + 2 + 12 * k:ifd + 14 + 12 * k])
                if tag == 0x0131 and typ == 2:
                    raw = t[struct.unpack(e + "I", val)[0]:][:cnt] if cnt > 4 else val[:cnt]
                    out["software"] = raw.rstrip(b"\0").decode("latin-1")
                elif tag == 0x0112 and typ == 3:
                    out["orientation"] = struct.unpack(e + "H", val[:2])[0]
            return out
        if marker == 0xDA:
            break
        i += 2 + length
    return out


def num(s):
    return float(s.lstrip("+"))


def build_brighton(src_root):
    src = src_root / "brighton-beach-frames"
    lines = brighton_source_lines(src)
    images = []
    for name in BRIGHTON_FRAMES:
        info = lines[name]
        path = src / name
        if os.path.getsize(path) != info["bytes"] or not sha256(path).startswith(info["sha256_prefix"]):
            raise SystemExit("%s does not match SOURCE.txt" % path)
        copy_exact(path, BRIGHTON_OUT / "images" / name)
        w, h = jpeg_size(path)
        assert (w, h) == info["size"]
        kv = info["kv"]
        exif = exif_ifd0(path)
        meta = {
            "camera": "DJI Phantom 3 Professional (FC300S)",
            "date_time_original": kv["DateTimeOriginal"],
            "gps_latitude": num(kv["GPSLatitude"]),
            "gps_longitude": num(kv["GPSLongitude"]),
            "absolute_altitude_m": num(kv["AbsoluteAltitude"]),
            "relative_altitude_m": num(kv["RelativeAltitude"]),
            "gimbal_pitch_deg": num(kv["GimbalPitchDegree"]),
            "gimbal_yaw_deg": num(kv["GimbalYawDegree"]),
            "gimbal_roll_deg": num(kv["GimbalRollDegree"]),
            "flight_yaw_deg": num(kv["FlightYawDegree"]),
            "flight_pitch_deg": num(kv["FlightPitchDegree"]),
            "flight_roll_deg": num(kv["FlightRollDegree"]),
            "focal_length_mm": num(kv["FocalLength"]),
            "focal_length_35mm_mm": num(kv["FocalLengthIn35mmFormat"]),
            "exif_software": exif["software"],
            "exif_orientation": exif["orientation"],
            "resaved_rotated_180": name in BRIGHTON_ROTATED,
            "water_visible": name in BRIGHTON_WATER,
            "scene": BRIGHTON_SCENE[name],
            "label_source": "persons hand-annotated by the Spotter project from full-resolution pixels "
                            "(no upstream labels); approximate (+-5 px), may miss people hidden under tree canopy",
            "bytes": info["bytes"],
            "sha256": sha256(path),
        }
        if meta["resaved_rotated_180"]:
            meta["rotation_note"] = ("pixels rotated 180 deg by a desktop photo viewer while GimbalYaw/FlightYaw "
                                     "stayed as flown and Orientation=1: metadata disagrees with the pixels")
        persons = BRIGHTON_PERSONS.get(name, [])
        images.append({"file": "images/" + name, "width": w, "height": h, "has_person": bool(persons),
                       "persons": persons, "ignore": [], "other_objects": [], "meta": meta})
    labels = {
        "dataset": "Brighton Beach, Duluth MN (pierotofy/drone_dataset_brighton_beach), 3-frame sample",
        "modality": "RGB 8-bit JPEG, nadir, ~40 m AGL",
        "bbox_format": "[x_min, y_min, width, height] in pixels",
        "person_label": "persons",
        "notes": "Persons are hand-annotated by the Spotter project (upstream has no labels): 6 people in 3 frames, "
                 "boxes approximate (+-5 px), not guaranteed exhaustive under tree canopy. Cars and bicycles are "
                 "visible but NOT annotated (other_objects is empty, not exhaustive). DJI_0027 pixels are rotated "
                 "180 deg relative to its yaw tags (re-saved by a photo viewer); DJI_0027 and DJI_0031 overlap "
                 "(same parking lot, gazebo and group of cyclists).",
        "license": "BSD-2-Clause, Copyright (c) 2017, Piero Toffanin (LICENSE)",
        "source_commit": "9506a9bf09c9678b7d0b80b014af5b606c8a7255",
        "images": images,
    }
    copy_exact(src / "LICENSE", BRIGHTON_OUT / "LICENSE")
    write_json(BRIGHTON_OUT / "labels.json", labels)


# ---------------------------------------------------------------- check

def check(src_root):
    ok = True
    total_bytes = 0
    for folder in (HIT_OUT, BRIGHTON_OUT):
        labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
        frames = with_persons = persons = 0
        for e in labels["images"]:
            path = folder / e["file"]
            if not path.is_file():
                print("MISSING", path); ok = False; continue
            w, h = jpeg_size(path)
            if (w, h) != (e["width"], e["height"]):
                print("SIZE MISMATCH", path, (w, h), (e["width"], e["height"])); ok = False
            if e["has_person"] != bool(e["persons"]):
                print("has_person disagrees with persons", path); ok = False
            for b in e["persons"] + e["ignore"] + [o["bbox"] for o in e["other_objects"]]:
                x, y, bw, bh = b
                if bw <= 0 or bh <= 0 or x < 0 or y < 0 or x + bw > w or y + bh > h:
                    print("box outside frame", path, b); ok = False
            frames += 1
            with_persons += bool(e["persons"])
            persons += len(e["persons"])
        named = {folder / e["file"] for e in labels["images"]}
        on_disk = {p for p in (folder / "images").iterdir() if not p.name.startswith(".")}
        if named != on_disk:
            print("images/ and labels.json disagree:", sorted(map(str, named ^ on_disk))); ok = False
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        total_bytes += size
        print("%-16s frames=%d with_persons=%d persons=%d  bytes=%d" % (folder.name, frames, with_persons, persons, size))

    if src_root is not None and (src_root / "hit-uav-thermal-test300" / "labels.json").is_file():
        src = src_root / "hit-uav-thermal-test300"
        src_labels = json.loads((src / "labels.json").read_text(encoding="utf-8"))
        files = select_hit_uav(src_labels["images"])
        mine = json.loads((HIT_OUT / "labels.json").read_text(encoding="utf-8"))
        if [e["file"] for e in mine["images"]] != [e["file"] for e in src_labels["images"] if e["file"] in set(files)]:
            print("hit-uav-sample selection differs from the rule's output"); ok = False
        src_by_file = {e["file"]: e for e in src_labels["images"]}
        for e in mine["images"]:
            if e != src_by_file[e["file"]]:
                print("labels entry differs from source", e["file"]); ok = False
            if sha256(HIT_OUT / e["file"]) != sha256(src / e["file"]):
                print("image differs from source", e["file"]); ok = False
        bsrc = src_root / "brighton-beach-frames"
        for name in BRIGHTON_FRAMES:
            if sha256(BRIGHTON_OUT / "images" / name) != sha256(bsrc / name):
                print("image differs from source", name); ok = False
        print("source comparison: done (%s)" % src_root)
    else:
        print("source comparison: skipped (full datasets not found)")

    strata = Counter()
    hit = json.loads((HIT_OUT / "labels.json").read_text(encoding="utf-8"))
    for e in hit["images"]:
        strata[stratum(e) + ("person" if e["has_person"] else "negative",)] += 1
    for k in sorted(strata):
        print("  hit-uav %-5s %-4s %-8s %d" % (k + (strata[k],)))
    print("total Datasets/ size (samples only): %d bytes (%.1f MB)" % (total_bytes, total_bytes / 1e6))
    print("OK" if ok else "FAILED")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", help="folder holding the full datasets (default: $SPOTTER_SHARED_DATASETS "
                                  "or <repo>/../shared/datasets)")
    ap.add_argument("--check", action="store_true", help="verify Datasets/ only, write nothing")
    args = ap.parse_args()
    src = Path(args.src or os.environ.get("SPOTTER_SHARED_DATASETS") or DATASETS.parent.parent / "shared" / "datasets")
    src = src.resolve()
    if not args.check:
        if not (src / "hit-uav-thermal-test300").is_dir():
            raise SystemExit("full datasets not found at %s (use --src)" % src)
        files = build_hit_uav(src)
        build_brighton(src)
        print("hit-uav-sample (%d frames):" % len(files))
        for f in files:
            print("  " + f)
    sys.exit(0 if check(src if src.is_dir() else None) else 1)


if __name__ == "__main__":
    main()
