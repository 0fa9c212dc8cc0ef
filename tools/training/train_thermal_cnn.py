#!/usr/bin/env python3
"""Grouped cross-validation of the RGB patch-CNN recipe on thermal frames: does a small CNN on single-channel patches
around the candidates, added to the thermal re-ranker's trees, rank people better than the trees alone? With --final,
the thermal profile's model.

Training data (training frames only, hit-uav-thermal-train400): the candidates of `spotter bench TRAIN --no-rerank
--candidates-csv C.csv --patches P --patch-side 56` (56x56 8-bit patches around each candidate, in CSV order, cut as a
scan cuts them) and the patches around every labelled person (P-persons.u8).

    .build/release/spotter bench ../shared/datasets/hit-uav-thermal-train400 --no-rerank \
        --candidates-csv /tmp/th/c56.csv --patches /tmp/th/p56 --patch-side 56
    .venv-train/bin/python tools/training/train_thermal_cnn.py --candidates /tmp/th/c56.csv --patches /tmp/th/p56 \
        --labels ../shared/datasets/hit-uav-thermal-train400/labels.json

The network, its input (the centre 24x24 crop and the 48x48 surroundings at half resolution, per-patch
normalisation), augmentation and optimiser are train_patch_cnn.py's, with one input channel per view. Folds are
grouped as the thermal re-ranker's (train_reranker.py: GroupKFold(3) over frames, or with `--group flight` over the
flight keys of protocol.flight_of). The trees in each fold are the re-ranker's recipe (thermal-gbt-3: 900 trees, 31
leaves, learning rate 0.05, positives at IoU >= 0.1). Positives for the CNN: those same candidates and the person
patches; negatives: up to --negatives of the candidates that hit nobody, drawn at random per fold (with --hard-top K
only among each training frame's K best by nested out-of-fold trees). Scored with the evaluation protocol
(tools/training/protocol.py, 100 detections per frame as thermal's detections.max_per_frame, no score floor). Prints
the trees', the CNN's and the sums' figures, the sum also as the scan would compute it (the CNN only on a frame's best
--keep candidates by the trees), and AP fold by fold. --trees-cache keeps the out-of-fold trees (3 minutes on 2 idle
cores, 16 with other work on them) for the next run; --save-oof keeps all out-of-fold scores.

With --final (and --out, --version): no CV; one CNN on all frames, written in Spotter's format by
train_patch_cnn.export (OUT.json, OUT.f32, OUT-fixture.json; "channels": "gray"). thermal-cnn-1 is

    ../../.venv-train/bin/python train_thermal_cnn.py --candidates /tmp/th/c56.csv --patches /tmp/th/p56 \
        --labels ../../../shared/datasets/hit-uav-thermal-train400/labels.json --group flight --hard-top 250 \
        --epochs 32 --negatives 1000000 --final --out ../../Models/patch-cnn/thermal-cnn --version thermal-cnn-1

(about 9 minutes on 2 cores; Models/README.md, "The patch CNN on thermal frames").
"""
import argparse
import csv
import json
import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

import protocol
from protocol import as_scan, evaluate_frames, flight_of, iou, logit

protocol.use_profile("thermal")  # 100 detections per frame, no score floor
# PyTorch is imported after the trees are fitted: with it loaded first, scikit-learn's boosting took 661 s for a fold
# instead of 271 s on this machine (both runs sharing the cores with other work).
torch = F = rgb = None


def fit(args, X, Y, generator):
    """train_patch_cnn.fit with one input channel per view."""
    return rgb.fit(args, X, Y, tuple(int(w) for w in args.widths.split(",")), generator, channels=1)


def cnn_scores(model, patches):
    out = []
    with torch.no_grad():
        for i in range(0, len(patches), 8192):
            x = rgb.centre(rgb.normalise(np.ascontiguousarray(patches[i:i + 8192])[..., None]))
            out.append(torch.sigmoid(model(x)))
    return torch.cat(out).numpy()


def final(args, rng, files, feats, label, tight, use, group, cand, pers, started):
    """One CNN on every frame: positives the tight candidates and every person patch; negatives drawn from each
    frame's --hard-top best candidates by trees that never saw the frame (150 trees, 2 folds grouped by --group, as
    the nested trees inside a CV fold), or from all negatives without --hard-top."""
    everything = np.arange(len(files))
    negatives = everything[label == 0]
    if args.hard_top > 0:
        inner = np.zeros(len(files))
        for a, b in GroupKFold(n_splits=2).split(everything, groups=group):
            a = a[use[a]]
            clf = HistGradientBoostingClassifier(max_iter=150, max_leaf_nodes=31, learning_rate=0.1, min_samples_leaf=20,
                                                 l2_regularization=1.0, early_stopping=False, random_state=args.seed)
            inner[b] = clf.fit(feats[a], tight[a].astype(int)).predict_proba(feats[b])[:, 1]
        order = np.lexsort((-inner, files))  # by frame, best first
        frame_of = files[order]
        starts = np.r_[0, np.nonzero(frame_of[1:] != frame_of[:-1])[0] + 1]
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        top = np.zeros(len(files), dtype=bool)
        top[order[rank < args.hard_top]] = True
        negatives = negatives[top[negatives]]
        print(f"hard negatives: {len(negatives)} ({time.time() - started:.0f} s)", file=sys.stderr)
    negatives = np.sort(rng.choice(negatives, size=min(args.negatives, len(negatives)), replace=False))
    positives = everything[tight]

    global torch, F, rgb
    import torch
    import torch.nn.functional as F
    import train_patch_cnn as rgb
    rgb.PATCH, rgb.VIEWS = args.patch_side, args.views
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    g = torch.Generator().manual_seed(args.seed)
    tx = np.concatenate([cand[np.concatenate([positives, negatives])], pers])
    ty = np.concatenate([np.ones(len(positives)), np.zeros(len(negatives)), np.ones(len(pers))])
    print(f"CNN on {len(ty)} patches ({int(ty.sum())} positive)", file=sys.stderr)
    trained = time.time()
    model = fit(args, rgb.normalise(tx[..., None]), torch.from_numpy(ty).float(), g)
    seconds = time.time() - trained
    rgb.export(model, args.out, args.version, "thermal", 1, rng,
               {"command": "python3 " + " ".join(sys.argv), "epochs": args.epochs, "widths": args.widths,
                "tight_iou": args.tight_iou, "hard_top": args.hard_top, "group": args.group, "seed": args.seed,
                "patches": int(len(ty)), "positives": int(ty.sum()), "seconds": round(seconds, 1),
                "torch": torch.__version__})
    print(f"{time.time() - started:.0f} s in all, {seconds:.0f} s of training", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", required=True)
    ap.add_argument("--patches", required=True, help="prefix given to spotter bench --patches")
    ap.add_argument("--patch-side", type=int, default=56, help="the --patch-side given to spotter bench")
    ap.add_argument("--labels", required=True)
    ap.add_argument("--views", type=int, default=2, choices=(1, 2))
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--widths", default="12,16,24")
    ap.add_argument("--negatives", type=int, default=60000, help="random negative patches per fold")
    ap.add_argument("--hard-top", type=int, default=0,
                    help="draw the negatives only from each training frame's K best candidates by trees that never saw "
                         "that frame (150 trees, 2 inner folds inside the training folds); 0: from all negatives")
    ap.add_argument("--tight-iou", type=float, default=0.1)
    ap.add_argument("--keep", type=int, default=250)
    ap.add_argument("--group", choices=("frame", "flight"), default="frame")
    ap.add_argument("--trees-cache", help="an .npz of out-of-fold tree scores to reuse (written when missing)")
    ap.add_argument("--save-oof", help="save the out-of-fold scores to this .npz")
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--final", action="store_true",
                    help="train one CNN on all frames (negatives by --hard-top from 2-fold out-of-fold trees grouped "
                         "by --group, as each CV fold's nested trees choose them) and write it to --out")
    ap.add_argument("--out", help="with --final: OUT.json, OUT.f32 and OUT-fixture.json")
    ap.add_argument("--version", help="with --final: the model's version string")
    args = ap.parse_args()
    if args.final and not (args.out and args.version):
        sys.exit("--final needs --out and --version")
    if args.patch_side < (56 if args.views == 2 else 32):
        sys.exit(f"--patch-side {args.patch_side} leaves no room for shifts around the network's input square")
    rng = np.random.default_rng(args.seed)

    with open(args.labels) as f:
        people = {i["file"]: i["persons"] for i in json.load(f)["images"]}
    with open(args.candidates, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header[:10] != ["file", "frame_width", "frame_height", "kind", "x", "y", "w", "h", "score", "label"]:
            sys.exit(f"{args.candidates}: not a spotter candidates CSV (header {header[:10]})")
        rows = [r for r in reader if r]
    files = np.array([r[0] for r in rows])
    boxes = np.array([[float(r[4]), float(r[5]), float(r[6]), float(r[7])] for r in rows])
    label = np.array([int(r[9]) for r in rows])
    feats = np.array([[float(v) for v in r[10:]] for r in rows], dtype=np.float32)
    del rows
    side = args.patch_side
    size = np.dtype(np.uint8).itemsize * side * side
    cand = np.memmap(args.patches + "-candidates.u8", dtype=np.uint8, mode="r")
    if cand.size != len(files) * size:
        sys.exit(f"{args.patches}-candidates.u8: {cand.size} bytes, expected {len(files)} patches of {side}x{side} "
                 "single-channel pixels (the --patch-side given to spotter bench, on thermal frames)")
    cand = cand.reshape(-1, side, side)
    with open(args.patches + "-persons.csv", newline="") as f:
        person_rows = list(csv.reader(f))[1:]
    pers = np.fromfile(args.patches + "-persons.u8", dtype=np.uint8)
    if pers.size != len(person_rows) * size:
        sys.exit(f"{args.patches}-persons.u8: {pers.size} bytes, expected {len(person_rows)} patches of {side}x{side}")
    pers = pers.reshape(-1, side, side)
    person_files = np.array([r[0] for r in person_rows])

    tight = np.array([label[i] == 1 and max((iou(list(boxes[i]), p) for p in people[files[i]]), default=0) >= args.tight_iou
                      for i in range(len(files))])
    use = (label == 0) | tight  # the re-ranker's training rows; -1 (ignore-only) and loose hits left out
    evaluated = label >= 0  # as train_reranker.py: ignore-only rows are not scored
    group = files if args.group == "frame" else np.array([flight_of(f) for f in files])
    folds = list(GroupKFold(n_splits=3).split(feats, label, group))
    print(f"{len(files)} candidates, {int(tight.sum())} positives at IoU >= {args.tight_iou}, {len(pers)} person patches; "
          f"3 folds grouped by {args.group}", file=sys.stderr)

    started = time.time()
    if args.final:
        final(args, rng, files, feats, label, tight, use, group, cand, pers, started)
        return
    trees = None
    if args.trees_cache:
        try:
            cached = np.load(args.trees_cache)
            if cached["group"] == args.group and len(cached["trees"]) == len(files):
                trees = cached["trees"]
                print(f"out-of-fold trees from {args.trees_cache}", file=sys.stderr)
        except FileNotFoundError:
            pass
    if trees is None:
        trees = np.zeros(len(files))
        for k, (tr, va) in enumerate(folds):
            tr = tr[use[tr]]
            clf = HistGradientBoostingClassifier(max_iter=900, max_leaf_nodes=31, learning_rate=0.05, min_samples_leaf=20,
                                                 l2_regularization=1.0, early_stopping=False, random_state=args.seed)
            trees[va] = clf.fit(feats[tr], tight[tr].astype(int)).predict_proba(feats[va])[:, 1]
            print(f"trees fold {k + 1}/3 ({time.time() - started:.0f} s)", file=sys.stderr)
        if args.trees_cache:
            np.savez(args.trees_cache, trees=trees, group=args.group)

    # --hard-top: inside each training fold, which negatives rank in their frame's best K by trees that did not see
    # the frame (nested, so no validation frame decides what the CNN trains on).
    hard = []
    for k, (tr, va) in enumerate(folds if args.hard_top > 0 else []):
        inner = np.zeros(len(files))
        for itr, iva in GroupKFold(n_splits=2).split(tr, groups=group[tr]):
            a, b = tr[itr], tr[iva]
            a = a[use[a]]
            clf = HistGradientBoostingClassifier(max_iter=150, max_leaf_nodes=31, learning_rate=0.1, min_samples_leaf=20,
                                                 l2_regularization=1.0, early_stopping=False, random_state=args.seed)
            inner[b] = clf.fit(feats[a], tight[a].astype(int)).predict_proba(feats[b])[:, 1]
        top = np.zeros(len(files), dtype=bool)
        order = tr[np.lexsort((-inner[tr], files[tr]))]  # by frame, best first
        frame_of = files[order]
        starts = np.r_[0, np.nonzero(frame_of[1:] != frame_of[:-1])[0] + 1]
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        top[order[rank < args.hard_top]] = True
        hard.append(top)
        print(f"hard negatives fold {k + 1}/3: {int((top & (label == 0)).sum())} ({time.time() - started:.0f} s)", file=sys.stderr)

    global torch, F, rgb
    import torch
    import torch.nn.functional as F
    import train_patch_cnn as rgb
    rgb.PATCH, rgb.VIEWS = args.patch_side, args.views
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    cnn = np.zeros(len(files))
    g = torch.Generator().manual_seed(args.seed)
    for k, (tr, va) in enumerate(folds):
        held = set(group[va])
        tr_pos = tr[tight[tr]]
        tr_neg = tr[label[tr] == 0]
        if args.hard_top > 0:
            tr_neg = tr_neg[hard[k][tr_neg]]
        tr_neg = np.sort(rng.choice(tr_neg, size=min(args.negatives, len(tr_neg)), replace=False))
        pva = np.array([(f if args.group == "frame" else flight_of(f)) in held for f in person_files])
        tx = np.concatenate([cand[np.concatenate([tr_pos, tr_neg])], pers[~pva]])
        ty = np.concatenate([np.ones(len(tr_pos)), np.zeros(len(tr_neg)), np.ones((~pva).sum())])
        print(f"fold {k + 1}: CNN on {len(ty)} patches ({int(ty.sum())} positive)", file=sys.stderr)
        model = fit(args, rgb.normalise(tx[..., None]), torch.from_numpy(ty).float(), g)
        del tx
        cnn[va] = cnn_scores(model, cand[va])
        print(f"fold {k + 1}/3 done ({time.time() - started:.0f} s)", file=sys.stderr)
    if args.save_oof:
        np.savez(args.save_oof, cnn=cnn, trees=trees, files=files, boxes=boxes, label=label)

    e = evaluated
    def line(name, scores):
        everything = evaluate_frames(args.labels, files[e], boxes[e], scores[e])
        per_fold = []
        for _, va in folds:
            m = np.zeros(len(files), dtype=bool)
            m[va] = True
            m &= e
            per_fold.append(evaluate_frames(args.labels, files[m], boxes[m], scores[m])["ap"])
        print(f"{name}: " + ", ".join(f"{k} {v:.3f}" for k, v in everything.items()) +
              " | AP per fold " + " ".join(f"{a:.3f}" for a in per_fold), file=sys.stderr)
    line("trees", trees)
    line("CNN", cnn)
    for w in (0.25, 0.5, 1.0, 2.0):
        line(f"CNN x{w} + trees", 1 / (1 + np.exp(-(w * logit(cnn) + logit(trees)))))
    for w in (0.25, 0.5, 1.0):
        line(f"CNN x{w} + trees, CNN on the best {args.keep}", as_scan(files, trees, cnn, args.keep, w))
    print(f"{time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
