#!/usr/bin/env python3
"""Fixed train/eval split of tinyperson-coast-valid, by source video or photo group (never by frame).

Frames of one TinyPerson video (bb_V0033_…, youtube_V0004_…) or one photo batch (baidu_P000_…) are near
duplicates, so a frame-level split would leak: the whole group goes to one side. Groups are dealt to the two halves
in a seeded order, each group to the half that has fewer SAR-like frames (meta.sar_like_le5_persons) so far, ties
to the half with fewer frames, so both halves get about as many SAR-like frames. Standard library only.

    python3 tools/training/make_split.py ../shared/datasets/tinyperson-coast-valid Models/splits/tinyperson-coast-valid.json
"""
import hashlib
import json
import re
import sys


def group_of(name: str) -> str:
    m = re.match(r"([a-z]+_[A-Z]\d+)", name)
    return m.group(1) if m else name


def main() -> None:
    dataset, out = sys.argv[1], sys.argv[2]
    with open(f"{dataset}/labels.json") as f:
        labels = json.load(f)
    groups: dict[str, list[dict]] = {}
    for image in labels["images"]:
        groups.setdefault(group_of(image["file"].split("/")[-1]), []).append(image)
    # Seeded order: by SHA-256 of the group name with a fixed salt.
    order = sorted(groups, key=lambda g: hashlib.sha256(("spotter-split-1:" + g).encode()).hexdigest())
    halves = {"train": [], "eval": []}
    sar = {"train": 0, "eval": 0}
    for g in order:
        images = groups[g]
        g_sar = sum(1 for i in images if i.get("meta", {}).get("sar_like_le5_persons"))
        if g_sar:
            side = min(("train", "eval"), key=lambda s: (sar[s], len(halves[s])))
        else:
            side = min(("train", "eval"), key=lambda s: len(halves[s]))
        halves[side] += images
        sar[side] += g_sar
    result = {
        "format": "spotter-split-1",
        "dataset": labels.get("dataset", "tinyperson-coast-valid"),
        "rule": "whole source groups (video or photo batch, from the file name) per half, dealt in SHA-256 order of "
                "'spotter-split-1:<group>'; groups with SAR-like frames to the half with fewer SAR-like frames, the "
                "others to the half with fewer frames",
        "command": "python3 tools/training/make_split.py ../shared/datasets/tinyperson-coast-valid "
                   "Models/splits/tinyperson-coast-valid.json",
        "use": "train: fitting RGB parameters, re-rankers and patch models; eval: benchmark only, never for "
               "training or early stopping",
    }
    for side in ("train", "eval"):
        imgs = sorted(halves[side], key=lambda i: i["file"])
        result[side] = {
            "frames": len(imgs),
            "sar_like_frames": sum(1 for i in imgs if i.get("meta", {}).get("sar_like_le5_persons")),
            "persons": sum(len(i["persons"]) for i in imgs),
            "groups": sorted({group_of(i["file"].split("/")[-1]) for i in imgs}),
            "files": [i["file"] for i in imgs],
        }
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    for side in ("train", "eval"):
        r = result[side]
        print(f"{side}: {r['frames']} frames, {r['sar_like_frames']} SAR-like, {r['persons']} persons, {len(r['groups'])} groups")


if __name__ == "__main__":
    main()
