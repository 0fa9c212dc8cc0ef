#!/usr/bin/env python3
"""How far a `spotter bench` figure can be trusted: intervals by resampling whole source groups.

A bench figure on a few dozen frames is one draw. Frames of one video (or one flight) look alike, so they are resampled
together: each of --resamples draws takes as many groups as there are, with replacement, pools their frames'
outcomes and recomputes recall at 1/5/10 false alarms per frame and AP with the evaluation protocol
(`protocol.py`, the same as `spotter bench`). Prints each figure with the 5th and 95th percentiles of the draws.

With --against, both runs are drawn on the same groups and the difference (second minus first) gets its own interval,
with the share of draws in which the second is higher: whether a change is more than the frames it was measured on.

    spotter bench DATASET --split Models/splits/tinyperson-coast-valid.json --part eval --candidates-csv /tmp/a.csv
    spotter bench DATASET --split Models/splits/tinyperson-coast-valid.json --part eval --patch-cnn --candidates-csv /tmp/b.csv
    .venv-train/bin/python tools/training/bootstrap_eval.py --labels DATASET/labels.json --candidates /tmp/a.csv \\
        --against /tmp/b.csv --meta-flag sar_like_le5_persons

The candidates CSV holds every candidate with the score the run ranked it by; the scan's suppression, per-frame cap
and score floor are applied here as in the scan (`--profile`, default the RGB coast profile).
"""
import argparse
import csv
import json
import sys

import numpy as np

import make_split
import protocol

FIGURES = ("recall_at_1fppi", "recall_at_5fppi", "recall_at_10fppi", "ap")


def group_key(kind):
    if kind == "video":
        return lambda name: make_split.group_of(name.split("/")[-1])
    if kind == "flight":
        return protocol.flight_of
    return lambda name: name


def outcomes(path, images, flag):
    """Per frame (by its labels.json name): its (score, found) outcomes and person count, for the frames of the CSV
    (those with meta FLAG true when given)."""
    by_frame = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            name = next((k for k in suffixes(r["file"]) if k in images), None)
            if name is None:
                sys.exit(f"{path}: frame {r['file']} is not in the labels")
            by_frame.setdefault(name, []).append(([float(r[c]) for c in "xywh"], float(r["score"])))
    result = {}
    for name, rows in by_frame.items():
        if flag and not images[name].get("meta", {}).get(flag):
            continue
        result[name] = protocol.frame_outcomes(images[name], [b for b, _ in rows], [s for _, s in rows])
    return result


def suffixes(path):
    """The CSV names frames by the path given to bench; labels.json by their path inside the dataset folder."""
    parts = path.split("/")
    return ["/".join(parts[i:]) for i in range(len(parts))]


def pooled(per_frame, frames):
    pairs, persons = [], 0
    for name in frames:
        p, n = per_frame[name]
        pairs += p
        persons += n
    return protocol.pooled_metrics(pairs, persons, len(frames))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", required=True)
    ap.add_argument("--candidates", required=True, help="a `spotter bench --candidates-csv` file")
    ap.add_argument("--against", help="a second run's candidates CSV over the same frames, to compare with")
    ap.add_argument("--meta-flag", help="only frames whose meta.NAME is true (e.g. sar_like_le5_persons)")
    ap.add_argument("--groups", choices=("video", "flight", "frame"), default="video",
                    help="what is resampled whole: TinyPerson source videos, HIT-UAV flights, or single frames")
    ap.add_argument("--profile", default="rgb-coast", help="the detector profile whose cap and score floor apply")
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20261129)
    args = ap.parse_args()
    protocol.use_profile(args.profile)
    with open(args.labels) as f:
        images = {i["file"]: i for i in json.load(f)["images"]}
    runs = [outcomes(args.candidates, images, args.meta_flag)]
    if args.against:
        runs.append(outcomes(args.against, images, args.meta_flag))
        if set(runs[1]) != set(runs[0]):
            sys.exit(f"{args.against}: not the same frames as {args.candidates}")
    key = group_key(args.groups)
    groups = {}
    for name in sorted(runs[0]):
        groups.setdefault(key(name), []).append(name)
    names = sorted(groups)
    rng = np.random.default_rng(args.seed)
    draws = [[] for _ in runs]
    for _ in range(args.resamples):
        frames = [f for g in rng.integers(len(names), size=len(names)) for f in groups[names[g]]]
        for run, out in zip(runs, draws):
            out.append(pooled(run, frames))
    print(f"{len(runs[0])} frames in {len(names)} {args.groups} groups, {args.resamples} draws; "
          f"figure [5th, 95th percentile]")
    whole = [pooled(run, sorted(run)) for run in runs]
    for label, run_whole, out in zip(("first", "second"), whole, draws):
        line = ", ".join(f"{k} {run_whole[k]:.3f} [{np.percentile([d[k] for d in out], 5):.3f}, "
                         f"{np.percentile([d[k] for d in out], 95):.3f}]" for k in FIGURES)
        print(f"{label}: {line}")
    if args.against:
        parts = []
        for k in FIGURES:
            diff = np.array([b[k] - a[k] for a, b in zip(*draws)])
            parts.append(f"{k} {whole[1][k] - whole[0][k]:+.3f} [{np.percentile(diff, 5):+.3f}, "
                         f"{np.percentile(diff, 95):+.3f}] higher in {np.mean(diff > 0):.0%}")
        print("second - first: " + ", ".join(parts))


if __name__ == "__main__":
    main()
