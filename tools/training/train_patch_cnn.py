#!/usr/bin/env python3
"""Trains the small patch classifier of the RGB profile (PyTorch, CPU) and writes it in Spotter's format.

Training data (training frames only): the candidates of `spotter bench TRAIN --no-rerank --candidates-csv C.csv
--patches P --patch-side S` (SxS RGB patches around each candidate, in CSV order, cut exactly as a scan cuts them) and
the patches around every labelled person (P-persons.u8). Positives: candidates whose box overlaps a person by IoU >=
--tight-iou, and the person patches; negatives: candidates that hit nobody; looser hits are left out.

Without --final: grouped cross-validation (--folds groups of whole source videos; never the evaluation half of the
split), CNN, trees and their sums scored with the evaluation protocol on all and on SAR-like training frames. With
--final: one model on all training frames, written out. Deterministic from --seed.

    .venv-train/bin/python tools/training/train_patch_cnn.py --candidates /tmp/cnn56.csv --patches /tmp/cnn56 \
        --patch-side 56 --views 2 --labels ../shared/datasets/tinyperson-coast-valid/labels.json \
        --out Models/patch-cnn/rgb-coast-cnn --version rgb-coast-cnn-2 --final

Writes OUT.json (header: version, input, layers with shapes and offsets, SHA-256 of the weights, training command and
figures) and OUT.f32 (little-endian Float32 weights), and OUT-fixture.json (synthetic patches with PyTorch's outputs,
which a Swift test compares with its own inference).
"""
import argparse
import csv
import hashlib
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import make_split
from protocol import as_scan, evaluate_frames, iou, logit

CROP = 24  # network input side
PATCH = 32  # side of the patches in the files (set from --patch-side)
VIEWS = 1  # 1: the native centre crop; 2: also the 2x2-averaged 48x48 surroundings (6 input channels)


def group_of(name):
    """The source video (or photo batch) of a frame's path, the unit the split and the CV folds keep whole."""
    return make_split.group_of(name.split("/")[-1])


def need():
    """Side of the square the network's input is made from (the patch the scanner must cut)."""
    return CROP * VIEWS if VIEWS == 2 else 32


class PatchNet(nn.Module):
    """Strided 3x3 convolutions (ReLU, padding 1) of the given widths, then one dense layer."""

    def __init__(self, widths=(12, 16, 24), inputs=3):
        super().__init__()
        self.convs = []
        side, previous = CROP, inputs
        for i, w in enumerate(widths):
            conv = nn.Conv2d(previous, w, 3, stride=2, padding=1)
            setattr(self, f"conv{i + 1}", conv)
            self.convs.append(conv)
            side, previous = (side - 1) // 2 + 1, w
        self.fc = nn.Linear(previous * side * side, 1)

    def forward(self, x):
        for conv in self.convs:
            x = F.relu(conv(x))
        return self.fc(torch.flatten(x, 1)).squeeze(1)


def views(batch):
    """The network input from a need() x need() square: its centre CROP x CROP, and with two views also the whole
    square averaged over 2x2 blocks (the surroundings at half resolution) as three more channels."""
    side = batch.shape[-1]
    o = (side - CROP) // 2
    centre = batch[:, :, o:o + CROP, o:o + CROP]
    if VIEWS == 1:
        return centre
    return torch.cat([centre, F.avg_pool2d(batch, 2)], dim=1)


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
    side = int(round(PATCH * scale))
    if side != PATCH:
        batch = F.interpolate(batch, size=(side, side), mode="bilinear", align_corners=False)
    want = need() if VIEWS == 2 else CROP
    limit = side - want
    ox = int(torch.randint(max(0, limit // 2 - 3), min(limit, limit // 2 + 3) + 1, (1,), generator=generator).item())
    oy = int(torch.randint(max(0, limit // 2 - 3), min(limit, limit // 2 + 3) + 1, (1,), generator=generator).item())
    batch = batch[:, :, oy:oy + want, ox:ox + want]
    gain = 0.8 + 0.4 * torch.rand(n, 1, 1, 1, generator=generator)
    shift = 0.2 * (torch.rand(n, 1, 1, 1, generator=generator) - 0.5)
    mean = batch.mean(dim=(1, 2, 3), keepdim=True)
    return views((batch - mean) * gain + mean + shift)


def predict(model, batch, tta=False):
    """Logits of normalised squares; with tta, the mean over the 8 flips and quarter turns of each square."""
    if not tta:
        return model(centre(batch))
    out = 0
    for flip in (False, True):
        b = batch.flip(3) if flip else batch
        for k in range(4):
            out = out + model(centre(torch.rot90(b, k, (2, 3))))
    return out / 8


def centre(batch):
    o = (batch.shape[-1] - need()) // 2
    return views(batch[:, :, o:o + need(), o:o + need()])


def fit(args, X, Y, widths, generator, W=None, channels=3):
    """A PatchNet over `channels` per view (3 for RGB, 1 for thermal), trained with AdamW and one-cycle learning rates
    on augmented batches of 256; optional per-sample loss weights W."""
    model = PatchNet(widths, channels * VIEWS)
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
            loss = F.binary_cross_entropy_with_logits(model(augment(X[idx], generator)), Y[idx], pos_weight=pos_weight,
                                                      weight=None if W is None else W[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return model.eval()


STD_FLOOR = 0.02


def normalise(x):
    """Pixel / 255 minus the mean per channel, over the overall standard deviation (n - 1, at least STD_FLOOR), with
    the statistics taken over the central need() x need() square the scanner cuts."""
    t = torch.from_numpy(x).float().div(255.0).permute(0, 3, 1, 2)
    o = (t.shape[-1] - need()) // 2
    core = t[:, :, o:o + need(), o:o + need()]
    m = core.mean(dim=(2, 3), keepdim=True)
    s = core.std(dim=(1, 2, 3), keepdim=True).clamp_min(STD_FLOOR)
    return (t - m) / s


def pasted_people(person_rows, pers, backgrounds, n, rng):
    """n synthetic positives: a labelled person's pixels pasted onto the centre of a background patch (a negative
    candidate of a SAR-like training frame: open water, sand, rocks, seaweed). The person's pixels are those of its box
    that differ from the median of a 2-pixel ring around the box by more than max(12, 3 x the ring's median absolute
    deviation) levels, with a half-weight fringe one pixel wide; people whose box leaves no ring in the patch or whose
    mask is empty are skipped. Nearly all labelled people stand in crowds on beaches, while the SAR case is one person
    in open water or on rocks: this shows the network people against the SAR-like frames' own clutter."""
    side = pers.shape[1]
    out = []
    tries = 0
    while len(out) < n and tries < 20 * n:
        tries += 1
        i = int(rng.integers(len(pers)))
        r = person_rows[i]
        x, y, w, h = (float(v) for v in r[1:5])
        ox, oy = int(x + w / 2) - side // 2, int(y + h / 2) - side // 2
        x0, y0 = int(np.floor(x - ox)), int(np.floor(y - oy))
        x1, y1 = int(np.ceil(x + w - ox)), int(np.ceil(y + h - oy))
        if x0 < 2 or y0 < 2 or x1 > side - 2 or y1 > side - 2 or x1 - x0 < 1 or y1 - y0 < 2:
            continue
        p = pers[i].astype(np.float32)
        grown = p[y0 - 2:y1 + 2, x0 - 2:x1 + 2].reshape(-1, 3)
        inner = np.zeros((y1 - y0 + 4, x1 - x0 + 4), dtype=bool)
        inner[2:-2, 2:-2] = True
        ring = grown[~inner.ravel()]
        med = np.median(ring, axis=0)
        mad = np.median(np.abs(ring - med))
        d = np.abs(p[y0:y1, x0:x1] - med).max(axis=2)
        m = np.zeros((side, side), np.float32)
        m[y0:y1, x0:x1] = d > max(12.0, 3.0 * mad)
        if m.sum() == 0:
            continue
        fringe = np.zeros_like(m)
        fringe[1:, :] = np.maximum(fringe[1:, :], m[:-1, :]); fringe[:-1, :] = np.maximum(fringe[:-1, :], m[1:, :])
        fringe[:, 1:] = np.maximum(fringe[:, 1:], m[:, :-1]); fringe[:, :-1] = np.maximum(fringe[:, :-1], m[:, 1:])
        a = np.maximum(m, 0.5 * fringe)[..., None]
        b = backgrounds[int(rng.integers(len(backgrounds)))].astype(np.float32)
        out.append(np.clip(np.rint(b * (1 - a) + p * a), 0, 255).astype(np.uint8))
    return np.stack(out) if out else np.zeros((0, side, side, 3), np.uint8)


def fit_trees(args, X, Y):
    from sklearn.ensemble import HistGradientBoostingClassifier
    t = HistGradientBoostingClassifier(max_iter=250, max_leaf_nodes=31, learning_rate=0.1, min_samples_leaf=20,
                                       l2_regularization=1.0, early_stopping=False, random_state=args.seed)
    return t.fit(X, Y)


def hard_negatives(args, feats, files, use, y, within):
    """With --hard-top K: the candidates worth training the CNN on, among the frames in `within`: every positive, and
    the negatives ranked in the K best of their frame by trees that never saw that frame's source video (grouped
    folds inside `within`). The scan only asks the CNN about a frame's best candidates by the trees, so those are the
    negatives it must learn to tell from people; the thousands of easy ones the trees already rank low are left out."""
    if args.hard_top <= 0:
        return use & within
    groups = sorted({group_of(f) for f in files[within]})
    oof = np.zeros(len(files))
    for k in range(3):
        fold = set(groups[k::3])
        va = within & np.array([group_of(f) in fold for f in files])
        oof[va] = fit_trees(args, feats[use & within & ~va], y[use & within & ~va]).predict_proba(feats[va])[:, 1]
    keep = np.zeros(len(files), dtype=bool)
    for f in np.unique(files[within]):
        idx = np.where(files == f)[0]
        keep[idx[np.argsort(-oof[idx], kind="stable")[:args.hard_top]]] = True
    return use & within & (keep | (y == 1))


def cross_validate(args, groups, rows, cand, pers, person_rows, files, boxes, use, y, flagged, weights, person_weights):
    """Every training frame scored by a CNN (and trees) fitted without its source video; pooled metrics."""
    feats = np.array([[float(v) for v in r[10:]] for r in rows], dtype=np.float32)
    widths = tuple(int(w) for w in args.widths.split(","))
    cnn = np.zeros(len(rows))
    trees = np.zeros(len(rows))
    g = torch.Generator().manual_seed(args.seed)
    started = time.time()
    for k in range(args.folds):
        fold = set(groups[k::args.folds])
        va = np.array([group_of(f) in fold for f in files])
        chosen = [g for g in groups if g not in fold]
        if args.train_fraction < 1:
            picked = np.random.default_rng(args.seed + 100 + k).permutation(len(chosen))
            chosen = [chosen[i] for i in sorted(picked[:max(1, round(args.train_fraction * len(chosen)))])]
        chosen = set(chosen)
        tr = np.array([group_of(f) in chosen for f in files])
        ptr = np.array([group_of(r[0]) in chosen for r in person_rows])
        sel = hard_negatives(args, feats, files, use, y, tr)
        bg = cand[sel & (y == 0) & np.array([f in flagged for f in files])]
        pasted = pasted_people([r for r, t in zip(person_rows, ptr) if t], pers[ptr], bg, args.paste,
                               np.random.default_rng(args.seed + k))
        tx = np.concatenate([cand[sel], pers[ptr], pasted])
        ty = np.concatenate([y[sel], np.ones(ptr.sum() + len(pasted))])
        tw = np.concatenate([weights[sel], person_weights[ptr], np.full(len(pasted), args.paste_weight, np.float32)])
        print(f"fold {k + 1}: CNN on {len(ty)} patches ({int(ty.sum())} positive) from {len(chosen)} groups, "
              f"{len(np.unique(files[tr]))} frames", file=sys.stderr)
        model = fit(args, normalise(tx), torch.from_numpy(ty).float(), widths, g, torch.from_numpy(tw).float())
        with torch.no_grad():
            vx = normalise(cand[va])
            cnn[va] = torch.sigmoid(torch.cat([predict(model, vx[i:i + 2048], args.tta) for i in range(0, len(vx), 2048)])).numpy()
        trees[va] = fit_trees(args, feats[use & tr], y[use & tr]).predict_proba(feats[va])[:, 1]
        print(f"fold {k + 1}/{args.folds} done ({time.time() - started:.0f} s)", file=sys.stderr)
    if args.save_oof:
        np.savez(args.save_oof, cnn=cnn, trees=trees, files=files, boxes=boxes, label=np.array([int(r[9]) for r in rows]))
    report("CNN", files, boxes, cnn, flagged, args.labels)
    report("trees", files, boxes, trees, flagged, args.labels)
    for w in (0.5, 1.0, 2.0):
        report(f"CNN x{w} + trees", files, boxes, 1 / (1 + np.exp(-(w * logit(cnn) + logit(trees)))), flagged, args.labels)
    report(f"CNN + trees, CNN on the best {args.keep}", files, boxes, as_scan(files, trees, cnn, args.keep), flagged,
           args.labels)


def report(name, frames, boxes, scores, flagged, labels):
    everything = evaluate_frames(labels, frames, boxes, scores)
    keep = np.array([f in flagged for f in frames])
    line = f"{name}: all val frames " + ", ".join(f"{k} {v:.3f}" for k, v in everything.items())
    if keep.any():
        sar = evaluate_frames(labels, frames[keep], boxes[keep], scores[keep])
        line += " | SAR-like " + ", ".join(f"{k} {v:.3f}" for k, v in sar.items())
    print(line, file=sys.stderr)


def export(model, out, version, profile, channels, rng, training):
    """Writes OUT.f32 (the weights, little-endian Float32, layer by layer), OUT.json (the header: version, input,
    layers with shapes and offsets, SHA-256 of the weights, `training`) and OUT-fixture.json: synthetic patches of the
    need() x need() square the scanner cuts (never pixels of a dataset, whose images may not all be committed) with
    PyTorch's logits, for the Swift test. `channels`: 3 (RGB patches) or 1 (single-channel, 8-bit thermal)."""
    blobs, layers, offset = [], [], 0

    def put(t):
        nonlocal offset
        a = t.detach().numpy().astype("<f4").ravel()
        blobs.append(a)
        start = offset
        offset += a.size
        return start

    side = CROP
    for i, conv in enumerate(model.convs):
        stride = conv.stride[0]
        out_side = (side + 2 * 1 - 3) // stride + 1
        layers.append({"type": "conv2d", "name": f"conv{i + 1}", "in_channels": conv.in_channels,
                       "out_channels": conv.out_channels, "kernel": 3, "stride": stride, "padding": 1,
                       "activation": "relu", "in_side": side, "out_side": out_side,
                       "weight_offset": put(conv.weight), "weight_shape": list(conv.weight.shape),
                       "bias_offset": put(conv.bias)})
        side = out_side
    layers.append({"type": "dense", "name": "fc", "in_features": model.fc.in_features, "out_features": 1,
                   "activation": "none", "weight_offset": put(model.fc.weight), "weight_shape": list(model.fc.weight.shape),
                   "bias_offset": put(model.fc.bias)})
    weights_bytes = np.concatenate(blobs).astype("<f4").tobytes()
    with open(out + ".f32", "wb") as f:
        f.write(weights_bytes)
    macs = sum(l["out_side"] ** 2 * l["out_channels"] * l["in_channels"] * 9 for l in layers if l["type"] == "conv2d")
    macs += model.fc.in_features
    per_channel = "per channel" if channels == 3 else "(one channel)"
    header = {
        "format": "spotter-cnn-1",
        "version": version,
        "profile": profile,
        "input": {"patch_side": need(), "crop_side": CROP, "channels": "RGB" if channels == 3 else "gray",
                  "normalisation": "patch", "std_floor": STD_FLOOR, "views": VIEWS,
                  "layout": (f"pixel / 255 over the {need()}x{need()} patch, minus the patch's mean {per_channel}, "
                             f"divided by the patch's overall standard deviation (n - 1, at least {STD_FLOOR}); channels "
                             f"first: the centre {CROP}x{CROP} crop" +
                             (f", then the whole patch averaged over 2x2 blocks ({CROP}x{CROP})" if VIEWS == 2 else ""))},
        "output": "logit of 'a person' (sigmoid gives the probability)",
        "layers": layers,
        "weights_file": out.split("/")[-1] + ".f32",
        "weights_count": int(len(weights_bytes) // 4),
        "weights_sha256": hashlib.sha256(weights_bytes).hexdigest(),
        "multiply_adds": int(macs),
        "training": training,
    }
    with open(out + ".json", "w") as f:
        json.dump(header, f, indent=1)
        f.write("\n")
    # Fixture: gradients with noise and a small blob of another level (sea or warm ground and a person), a flat
    # patch (the spread floor) and one of extremes.
    side = need()
    yy, xx = np.mgrid[0:side, 0:side]
    square = []
    for k in range(16):
        base = rng.uniform(30, 200, size=channels)
        tilt = rng.uniform(-1.5, 1.5, size=(2, channels))
        img = base + yy[..., None] * tilt[0] + xx[..., None] * tilt[1] + rng.normal(0, rng.uniform(1, 12), (side, side, channels))
        h, w = int(rng.integers(3, 16)), int(rng.integers(1, 6))
        cy, cx = side // 2 + int(rng.integers(-3, 4)), side // 2 + int(rng.integers(-3, 4))
        img[cy - h // 2:cy - h // 2 + h, cx - w // 2:cx - w // 2 + w] = rng.uniform(0, 255, size=channels)
        square.append(np.clip(np.rint(img), 0, 255).astype(np.uint8))
    square[1] = np.full((side, side, channels), 117, np.uint8)
    square[2] = ((np.arange(side * side * channels) % 7 == 0) * 255).astype(np.uint8).reshape(side, side, channels)
    square = np.stack(square)
    with torch.no_grad():
        logits = model(centre(normalise(np.ascontiguousarray(square)))).numpy()
    with open(out + "-fixture.json", "w") as f:
        json.dump({"patches_u8": [p.ravel().tolist() for p in square], "logits": [float(v) for v in logits]}, f)
        f.write("\n")
    print(f"wrote {out}.json/.f32: {header['weights_count']} weights, {macs} multiply-adds per patch", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", required=True)
    ap.add_argument("--patches", required=True, help="prefix given to spotter bench --patches")
    ap.add_argument("--patch-side", type=int, default=32, help="the --patch-side given to spotter bench")
    ap.add_argument("--views", type=int, default=1, choices=(1, 2),
                    help="1: the 24x24 centre crop; 2: also the surrounding 48x48 at half resolution (patch side >= 56)")
    ap.add_argument("--labels", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--widths", default="12,16,24",
                    help="output channels of each stride-2 3x3 convolution (any number of them)")
    ap.add_argument("--tight-iou", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--std-floor", type=float, default=0.02, help="least spread in per-patch normalisation")
    ap.add_argument("--sar-weight", type=float, default=1.0, help="loss weight of patches from SAR-like frames")
    ap.add_argument("--frame-balance", action="store_true",
                    help="weigh each positive by 1/sqrt(persons in its frame)")
    ap.add_argument("--hard-top", type=int, default=0,
                    help="train on the positives and the K best negatives of each frame by out-of-fold trees (0: all)")
    ap.add_argument("--paste", type=int, default=0,
                    help="add this many synthetic positives: people pasted onto SAR-like frames' negative patches")
    ap.add_argument("--paste-weight", type=float, default=1.0, help="loss weight of each pasted positive")
    ap.add_argument("--train-fraction", type=float, default=1.0,
                    help="in CV, train each fold on this share of its training groups (a learning curve)")
    ap.add_argument("--tta", action="store_true", help="in CV, average the CNN's logits over 8 flips and turns")
    ap.add_argument("--keep", type=int, default=250, help="in CV, also score as the scan does: the CNN on the K best")
    ap.add_argument("--save-oof", help="with --folds: save the out-of-fold scores to this .npz")
    ap.add_argument("--folds", type=int, default=4,
                    help="grouped cross-validation over this many groups of source videos (without --final)")
    ap.add_argument("--final", action="store_true", help="train on all training frames and write the model")
    ap.add_argument("--val-meta", default="sar_like_le5_persons",
                    help="also report validation figures on the frames with this meta flag (the SAR case)")
    args = ap.parse_args()
    global STD_FLOOR, PATCH, VIEWS
    STD_FLOOR, PATCH, VIEWS = args.std_floor, args.patch_side, args.views
    if PATCH < need() + (8 if VIEWS == 2 else 0):
        sys.exit(f"--patch-side {PATCH} leaves no room for shifts around the {need()}-pixel input square")
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    torch.set_num_threads(2)

    with open(args.labels) as f:
        images = json.load(f)["images"]
    people = {i["file"]: i["persons"] for i in images}
    flagged = {i["file"] for i in images if i.get("meta", {}).get(args.val_meta)}
    rows = list(csv.reader(open(args.candidates)))[1:]
    cand = np.fromfile(args.patches + "-candidates.u8", dtype=np.uint8).reshape(-1, PATCH, PATCH, 3)
    assert len(cand) == len(rows), (len(cand), len(rows))
    person_rows = list(csv.reader(open(args.patches + "-persons.csv")))[1:]
    pers = np.fromfile(args.patches + "-persons.u8", dtype=np.uint8).reshape(-1, PATCH, PATCH, 3)
    assert len(pers) == len(person_rows)
    files = np.array([r[0] for r in rows])
    boxes = np.array([[float(r[4]), float(r[5]), float(r[6]), float(r[7])] for r in rows])
    label = np.array([int(r[9]) for r in rows])
    tight = np.array([label[i] == 1 and max((iou(list(boxes[i]), p) for p in people[files[i]]), default=0) >= args.tight_iou
                      for i in range(len(rows))])
    use = (label == 0) | tight
    y = np.where(tight, 1.0, 0.0)

    # Sample weights: --sar-weight for every patch of a SAR-like frame; --frame-balance divides each positive by the
    # square root of its frame's person count (a crowd of 500 weighs like ~22 lone swimmers, not 500).
    count = {f: max(1, len(p)) for f, p in people.items()}
    def weight_of(f, positive):
        w = args.sar_weight if f in flagged else 1.0
        if positive and args.frame_balance:
            w /= count[f] ** 0.5
        return w
    weights = np.array([weight_of(f, t) for f, t in zip(files, tight)], dtype=np.float32)
    person_weights = np.array([weight_of(r[0], True) for r in person_rows], dtype=np.float32)
    if args.frame_balance:
        # Keep the positives' total weight where it was, so pos_weight still means what it did.
        pos = np.concatenate([weights[tight], person_weights])
        scale = len(pos) / pos.sum()
        weights = np.where(tight, weights * scale, weights).astype(np.float32)
        person_weights = (person_weights * scale).astype(np.float32)

    groups = sorted({group_of(f) for f in files})
    rng.shuffle(groups)
    if not args.final:
        cross_validate(args, groups, rows, cand, pers, person_rows, files, boxes, use, y, flagged, weights, person_weights)
        return

    feats = np.array([[float(v) for v in r[10:]] for r in rows], dtype=np.float32)
    sel = hard_negatives(args, feats, files, use, y, np.ones(len(rows), dtype=bool))
    bg = cand[sel & (y == 0) & np.array([f in flagged for f in files])]
    pasted = pasted_people(person_rows, pers, bg, args.paste, np.random.default_rng(args.seed))
    train_x = np.concatenate([cand[sel], pers, pasted])
    train_y = np.concatenate([y[sel], np.ones(len(pers) + len(pasted))])
    train_w = np.concatenate([weights[sel], person_weights, np.full(len(pasted), args.paste_weight, np.float32)])
    widths = tuple(int(w) for w in args.widths.split(","))
    print(f"training on {len(train_y)} patches ({int(train_y.sum())} positive)", file=sys.stderr)
    started = time.time()
    g = torch.Generator().manual_seed(args.seed)
    model = fit(args, normalise(train_x), torch.from_numpy(train_y).float(), widths, g, torch.from_numpy(train_w).float())
    seconds = time.time() - started

    export(model, args.out, args.version, "rgb", 3, rng,
           {"command": "python3 " + " ".join(sys.argv), "epochs": args.epochs, "widths": list(widths),
            "tight_iou": args.tight_iou, "seed": args.seed, "patches": int(len(train_y)),
            "positives": int(train_y.sum()), "seconds": round(seconds, 1), "torch": torch.__version__})
    print(f"{seconds:.0f} s of training", file=sys.stderr)

if __name__ == "__main__":
    main()
