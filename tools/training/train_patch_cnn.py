#!/usr/bin/env python3
"""Trains the small patch classifier of the RGB profile (PyTorch, CPU) and writes it in Spotter's format.

Training data (training frames only): the candidates of `spotter bench TRAIN --no-rerank --candidates-csv C.csv
--patches P` (32x32 RGB patches around each candidate, in CSV order) and the patches around every labelled person
(P-persons.u8). Positives: candidates whose box overlaps a person by IoU >= --tight-iou, and the person patches;
negatives: candidates that hit nobody; looser hits are left out. Validation: a quarter of the training frames, whole
source videos at a time (never the evaluation half of the split). Deterministic from --seed.

    .venv-train/bin/python tools/training/train_patch_cnn.py --candidates /tmp/cnn-train.csv --patches /tmp/cnn-train \
        --labels ../shared/datasets/tinyperson-coast-valid/labels.json --out Models/patch-cnn/rgb-coast-cnn \
        --version rgb-coast-cnn-1

Writes OUT.json (header: version, input, layers with shapes and offsets, SHA-256 of the weights, training command and
figures) and OUT.f32 (little-endian Float32 weights), and OUT-fixture.json (a few patches with PyTorch's outputs, which
a Swift test compares with its own inference).
"""
import argparse
import csv
import hashlib
import json
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from protocol import evaluate_frames, iou

CROP = 24  # network input side, cut from the 32-pixel patches


def group_of(name):
    m = re.match(r"([a-z]+_[A-Z]\d+)", name.split("/")[-1])
    return m.group(1) if m else name


class PatchNet(nn.Module):
    """Three strided 3x3 convolutions and one dense layer: about 0.14 M multiply-adds per patch."""

    def __init__(self, widths=(12, 16, 24)):
        super().__init__()
        a, b, c = widths
        self.conv1 = nn.Conv2d(3, a, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(a, b, 3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(b, c, 3, stride=2, padding=1)
        self.fc = nn.Linear(c * 3 * 3, 1)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.relu(self.conv3(x))
        return self.fc(torch.flatten(x, 1)).squeeze(1)


def augment(batch, generator):
    """Flips, 90-degree turns, slight scale, translation by cropping, brightness and contrast (nadir/oblique views)."""
    n = batch.shape[0]
    if torch.rand(1, generator=generator).item() < 0.5:
        batch = batch.flip(3)
    if torch.rand(1, generator=generator).item() < 0.5:
        batch = batch.flip(2)
    k = int(torch.randint(0, 4, (1,), generator=generator).item())
    batch = torch.rot90(batch, k, (2, 3))
    scale = 0.9 + 0.2 * torch.rand(1, generator=generator).item()
    side = int(round(32 * scale))
    if side != 32:
        batch = F.interpolate(batch, size=(side, side), mode="bilinear", align_corners=False)
    limit = side - CROP
    ox = int(torch.randint(max(0, limit // 2 - 3), min(limit, limit // 2 + 3) + 1, (1,), generator=generator).item())
    oy = int(torch.randint(max(0, limit // 2 - 3), min(limit, limit // 2 + 3) + 1, (1,), generator=generator).item())
    batch = batch[:, :, oy:oy + CROP, ox:ox + CROP]
    gain = 0.8 + 0.4 * torch.rand(n, 1, 1, 1, generator=generator)
    shift = 0.2 * (torch.rand(n, 1, 1, 1, generator=generator) - 0.5)
    mean = batch.mean(dim=(1, 2, 3), keepdim=True)
    return (batch - mean) * gain + mean + shift


def centre(batch):
    o = (32 - CROP) // 2
    return batch[:, :, o:o + CROP, o:o + CROP]


def fit(args, X, Y, widths, generator):
    model = PatchNet(widths)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = args.epochs * ((len(Y) + 255) // 256)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    positives = float(Y.sum())
    pos_weight = torch.tensor(((len(Y) - positives) / positives) ** 0.5)
    for _ in range(args.epochs):
        model.train()
        order = torch.randperm(len(Y), generator=generator)
        for i in range(0, len(Y), 256):
            idx = order[i:i + 256]
            loss = F.binary_cross_entropy_with_logits(model(augment(X[idx], generator)), Y[idx], pos_weight=pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return model.eval()


def normalise(x, patch_norm, mean=None, std=None):
    t = torch.from_numpy(x).float().div(255.0).permute(0, 3, 1, 2)
    if patch_norm:
        m = t.mean(dim=(2, 3), keepdim=True)
        s = t.std(dim=(1, 2, 3), keepdim=True).clamp_min(0.02)
        return (t - m) / s
    return (t - torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)) / torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)


def cross_validate(args, groups, rows, cand, pers, person_rows, files, boxes, use, y, flagged):
    """Every training frame scored by a CNN (and trees) fitted without its source video; pooled metrics."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    feats = np.array([[float(v) for v in r[10:]] for r in rows], dtype=np.float32)
    widths = tuple(int(w) for w in args.widths.split(","))
    cnn = np.zeros(len(rows))
    trees = np.zeros(len(rows))
    g = torch.Generator().manual_seed(args.seed)
    started = time.time()
    for k in range(args.folds):
        fold = set(groups[k::args.folds])
        va = np.array([group_of(f) in fold for f in files])
        pva = np.array([group_of(r[0]) in fold for r in person_rows])
        tx = np.concatenate([cand[use & ~va], pers[~pva]])
        ty = np.concatenate([y[use & ~va], np.ones((~pva).sum())])
        model = fit(args, normalise(tx, True), torch.from_numpy(ty).float(), widths, g)
        with torch.no_grad():
            vx = centre(normalise(cand[va], True))
            cnn[va] = torch.sigmoid(torch.cat([model(vx[i:i + 2048]) for i in range(0, len(vx), 2048)])).numpy()
        t = HistGradientBoostingClassifier(max_iter=250, max_leaf_nodes=31, learning_rate=0.1, min_samples_leaf=20,
                                           l2_regularization=1.0, early_stopping=False, random_state=args.seed)
        t.fit(feats[use & ~va], y[use & ~va])
        trees[va] = t.predict_proba(feats[va])[:, 1]
        print(f"fold {k + 1}/{args.folds} done ({time.time() - started:.0f} s)", file=sys.stderr)
    logit = lambda p: np.log(np.clip(p, 1e-6, 1 - 1e-6) / (1 - np.clip(p, 1e-6, 1 - 1e-6)))
    report("CNN", files, boxes, cnn, flagged, args.labels)
    report("trees", files, boxes, trees, flagged, args.labels)
    for w in (0.5, 1.0, 2.0):
        report(f"CNN x{w} + trees", files, boxes, 1 / (1 + np.exp(-(w * logit(cnn) + logit(trees)))), flagged, args.labels)


def report(name, frames, boxes, scores, flagged, labels):
    everything = evaluate_frames(labels, frames, boxes, scores)
    keep = np.array([f in flagged for f in frames])
    line = f"{name}: all val frames " + ", ".join(f"{k} {v:.3f}" for k, v in everything.items())
    if keep.any():
        sar = evaluate_frames(labels, frames[keep], boxes[keep], scores[keep])
        line += " | SAR-like " + ", ".join(f"{k} {v:.3f}" for k, v in sar.items())
    print(line, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", required=True)
    ap.add_argument("--patches", required=True, help="prefix given to spotter bench --patches")
    ap.add_argument("--labels", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--widths", default="12,16,24")
    ap.add_argument("--tight-iou", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--final", action="store_true", help="train on all training frames (no validation hold-out)")
    ap.add_argument("--patch-norm", action="store_true", help="normalise each patch by its own mean and spread")
    ap.add_argument("--folds", type=int, default=0,
                    help="pooled out-of-fold validation over this many groups of source videos (instead of one hold-out)")
    ap.add_argument("--val-meta", default="sar_like_le5_persons",
                    help="also report validation figures on the frames with this meta flag (the SAR case)")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    torch.set_num_threads(2)

    with open(args.labels) as f:
        images = json.load(f)["images"]
    people = {i["file"]: i["persons"] for i in images}
    flagged = {i["file"] for i in images if i.get("meta", {}).get(args.val_meta)}
    rows = list(csv.reader(open(args.candidates)))[1:]
    cand = np.fromfile(args.patches + "-candidates.u8", dtype=np.uint8).reshape(-1, 32, 32, 3)
    assert len(cand) == len(rows), (len(cand), len(rows))
    person_rows = list(csv.reader(open(args.patches + "-persons.csv")))[1:]
    pers = np.fromfile(args.patches + "-persons.u8", dtype=np.uint8).reshape(-1, 32, 32, 3)
    assert len(pers) == len(person_rows)
    files = np.array([r[0] for r in rows])
    boxes = np.array([[float(r[4]), float(r[5]), float(r[6]), float(r[7])] for r in rows])
    label = np.array([int(r[9]) for r in rows])
    tight = np.array([label[i] == 1 and max((iou(list(boxes[i]), p) for p in people[files[i]]), default=0) >= args.tight_iou
                      for i in range(len(rows))])
    use = (label == 0) | tight
    y = np.where(tight, 1.0, 0.0)

    groups = sorted({group_of(f) for f in files})
    rng.shuffle(groups)
    if args.folds > 1:
        cross_validate(args, groups, rows, cand, pers, person_rows, files, boxes, use, y, flagged)
        return
    val_groups = set() if args.final else set(groups[: max(1, len(groups) // 4)])
    is_val = np.array([group_of(f) in val_groups for f in files])
    person_val = np.array([group_of(r[0]) in val_groups for r in person_rows])

    train_x = np.concatenate([cand[use & ~is_val], pers[~person_val]])
    train_y = np.concatenate([y[use & ~is_val], np.ones((~person_val).sum())])
    mean = train_x.reshape(-1, 3).mean(axis=0) / 255.0
    std = train_x.reshape(-1, 3).std(axis=0) / 255.0

    def tensor(x):
        t = torch.from_numpy(x).float().div(255.0).permute(0, 3, 1, 2)
        if args.patch_norm:
            # Each patch relative to its own surroundings: minus its mean colour, over its overall spread.
            m = t.mean(dim=(2, 3), keepdim=True)
            s = t.std(dim=(1, 2, 3), keepdim=True).clamp_min(0.02)
            return (t - m) / s
        return (t - torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)) / torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)

    # Trees on the same frames, for a fair comparison on the validation frames.
    tree_scores = None
    if val_groups:
        from sklearn.ensemble import HistGradientBoostingClassifier
        feats = np.array([[float(v) for v in r[10:]] for r in rows], dtype=np.float32)
        tr = use & ~is_val
        trees = HistGradientBoostingClassifier(max_iter=250, max_leaf_nodes=31, learning_rate=0.1, min_samples_leaf=20,
                                               l2_regularization=1.0, early_stopping=False, random_state=args.seed)
        trees.fit(feats[tr], y[tr])
        tree_scores = trees.predict_proba(feats[is_val])[:, 1]
        report("trees alone", files[is_val], boxes[is_val], tree_scores, flagged, args.labels)

    X = tensor(train_x)
    Y = torch.from_numpy(train_y).float()
    positives = float(Y.sum())
    print(f"training on {len(Y)} patches ({int(positives)} positive), validating on {len(val_groups)} source groups",
          file=sys.stderr)
    widths = tuple(int(w) for w in args.widths.split(","))
    model = PatchNet(widths)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = args.epochs * ((len(Y) + 255) // 256)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    pos_weight = torch.tensor(((len(Y) - positives) / positives) ** 0.5)
    g = torch.Generator().manual_seed(args.seed)
    started = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(Y), generator=g)
        total = 0.0
        for i in range(0, len(Y), 256):
            idx = order[i:i + 256]
            xb = augment(X[idx], g)
            loss = F.binary_cross_entropy_with_logits(model(xb), Y[idx], pos_weight=pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        msg = f"epoch {epoch + 1}: loss {total / len(Y):.4f}"
        if val_groups:
            model.eval()
            with torch.no_grad():
                vx = centre(tensor(cand[is_val]))
                scores = torch.sigmoid(torch.cat([model(vx[i:i + 2048]) for i in range(0, len(vx), 2048)])).numpy()
            print(msg, file=sys.stderr)
            msg = ""
            report("  CNN", files[is_val], boxes[is_val], scores, flagged, args.labels)
            if tree_scores is not None:
                logit = lambda p: np.log(np.clip(p, 1e-6, 1 - 1e-6) / (1 - np.clip(p, 1e-6, 1 - 1e-6)))
                report("  CNN + trees", files[is_val], boxes[is_val], 1 / (1 + np.exp(-(logit(scores) + logit(tree_scores)))),
                       flagged, args.labels)
        if msg:
            print(msg, file=sys.stderr)
    seconds = time.time() - started
    if not args.final:
        print(f"trained in {seconds:.0f} s (validation run; use --final for the model to commit)", file=sys.stderr)
        return

    # Export: layers in order, weights as little-endian Float32 in one file.
    model.eval()
    blobs, layers, offset = [], [], 0
    def put(t):
        nonlocal offset
        a = t.detach().numpy().astype("<f4").ravel()
        blobs.append(a)
        start = offset
        offset += a.size
        return start
    side = CROP
    for name, conv in (("conv1", model.conv1), ("conv2", model.conv2), ("conv3", model.conv3)):
        out_side = (side + 2 * 1 - 3) // 2 + 1
        layers.append({"type": "conv2d", "name": name, "in_channels": conv.in_channels, "out_channels": conv.out_channels,
                       "kernel": 3, "stride": 2, "padding": 1, "activation": "relu", "in_side": side, "out_side": out_side,
                       "weight_offset": put(conv.weight), "weight_shape": list(conv.weight.shape),
                       "bias_offset": put(conv.bias)})
        side = out_side
    layers.append({"type": "dense", "name": "fc", "in_features": model.fc.in_features, "out_features": 1,
                   "activation": "none", "weight_offset": put(model.fc.weight), "weight_shape": list(model.fc.weight.shape),
                   "bias_offset": put(model.fc.bias)})
    weights = np.concatenate(blobs).astype("<f4").tobytes()
    with open(args.out + ".f32", "wb") as f:
        f.write(weights)
    macs = sum(l["out_side"] ** 2 * l["out_channels"] * l["in_channels"] * 9 for l in layers if l["type"] == "conv2d")
    macs += model.fc.in_features
    header = {
        "format": "spotter-cnn-1",
        "version": args.version,
        "profile": "rgb",
        "input": {"patch_side": 32, "crop_side": CROP, "channels": "RGB",
                  "normalisation": "patch" if args.patch_norm else "dataset",
                  "mean": [float(v) for v in mean], "std": [float(v) for v in std],
                  "layout": ("pixel / 255 over the 32x32 patch, minus the patch's mean per channel, divided by the "
                             "patch's overall standard deviation (n - 1, at least 0.02); then the centre crop, "
                             "channels first") if args.patch_norm else
                            "centre crop of the 32x32 patch, (pixel / 255 - mean) / std per channel, channels first"},
        "output": "logit of 'a person' (sigmoid gives the probability)",
        "layers": layers,
        "weights_file": args.out.split("/")[-1] + ".f32",
        "weights_count": int(len(weights) // 4),
        "weights_sha256": hashlib.sha256(weights).hexdigest(),
        "multiply_adds": int(macs),
        "training": {"command": "python3 " + " ".join(sys.argv), "epochs": args.epochs, "widths": list(widths),
                     "tight_iou": args.tight_iou, "seed": args.seed, "patches": int(len(Y)),
                     "positives": int(positives), "seconds": round(seconds, 1), "torch": torch.__version__},
    }
    with open(args.out + ".json", "w") as f:
        json.dump(header, f, indent=1)
        f.write("\n")
    # Fixture: a few centre-cropped, normalised patches with PyTorch's logits.
    pick = rng.choice(len(cand), size=16, replace=False)
    xs = centre(tensor(cand[pick]))
    with torch.no_grad():
        logits = model(xs).numpy()
    with open(args.out + "-fixture.json", "w") as f:
        json.dump({"patches_u8": [cand[i].ravel().tolist() for i in pick], "logits": [float(v) for v in logits]}, f)
        f.write("\n")
    print(f"wrote {args.out}.json/.f32: {header['weights_count']} weights, {macs} multiply-adds per patch, "
          f"{seconds:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
