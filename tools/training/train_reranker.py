#!/usr/bin/env python3
"""Fits a re-ranker (gradient-boosted trees) on candidate features from training frames only, and writes it as a
spotter-gbt-1 JSON model that Swift evaluates (Sources/SpotterDetection/BoostedTrees.swift).

Input: the candidates CSV of `spotter bench TRAIN_DATASET --no-rerank --candidates-csv FILE` (one row per
candidate: file, box, kind, score, label 1 = hits a person / 0 = not / -1 = only inside an ignore box, then the
features). Rows labelled -1 are left out. Validation is grouped by frame (GroupKFold), on the training frames only;
the final model is fitted on all of them. Nothing from an evaluation set is read.

    python3 -m venv .venv-train && .venv-train/bin/pip install -r tools/training/requirements.txt
    .venv-train/bin/python tools/training/train_reranker.py --profile thermal \
        --candidates /tmp/train400.csv --out Models/rerankers/thermal-gbt.json --version thermal-gbt-1

Also writes FIXTURE (if given): a few feature rows with scikit-learn's probabilities, which a Swift test compares with
BoostedTrees' output.
"""
import argparse
import csv
import hashlib
import json
import math
import sys
import time

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold

META_COLUMNS = ["file", "frame_width", "frame_height", "kind", "x", "y", "w", "h", "score", "label"]


def load(paths):
    rows, features = [], None
    digest = hashlib.sha256()
    for path in paths:
        with open(path, newline="") as f:
            data = f.read()
        digest.update(data.encode())
        reader = csv.reader(data.splitlines())
        header = next(reader)
        if header[: len(META_COLUMNS)] != META_COLUMNS:
            sys.exit(f"{path}: not a spotter candidates CSV (header {header[:10]})")
        names = header[len(META_COLUMNS):]
        if features is None:
            features = names
        elif names != features:
            sys.exit(f"{path}: features differ from the first file's")
        rows += [r for r in reader if r]
    labels = np.array([int(r[9]) for r in rows])
    keep = labels >= 0
    X = np.array([[float(v) for v in r[len(META_COLUMNS):]] for r in rows], dtype=np.float32)[keep]
    y = labels[keep]
    groups = np.array([r[0] for r in rows])[keep]
    return X, y, groups, features, digest.hexdigest(), int((~keep).sum())


def export(clf, features, init):
    trees = []
    for est in clf.estimators_[:, 0]:
        t = est.tree_
        leaf = t.children_left == -1
        trees.append({
            "feature": [int(-1 if l else f) for f, l in zip(t.feature, leaf)],
            "threshold": [float(v) if not l else 0.0 for v, l in zip(t.threshold, leaf)],
            "left": [int(v) for v in t.children_left],
            "right": [int(v) for v in t.children_right],
            "value": [float(clf.learning_rate * v[0][0]) if l else 0.0 for v, l in zip(t.value, leaf)],
        })
    return {"initial": init, "trees": trees}


def predict_like_swift(model, X):
    """The Swift evaluation, in Python: float32 features compared with float64 thresholds."""
    out = np.full(len(X), model["initial"], dtype=np.float64)
    for tree in model["trees"]:
        f, th, left, right, value = tree["feature"], tree["threshold"], tree["left"], tree["right"], tree["value"]
        for i, x in enumerate(X):
            node = 0
            while f[node] >= 0:
                node = left[node] if float(x[f[node]]) <= th[node] else right[node]
            out[i] += value[node]
    return 1 / (1 + np.exp(-out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", required=True, choices=["thermal", "rgb"])
    ap.add_argument("--candidates", required=True, nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--fixture")
    ap.add_argument("--trees", type=int, default=300)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--learning-rate", type=float, default=0.08)
    ap.add_argument("--negative-fraction", type=float, default=0.25,
                    help="keep this fraction of negatives (weighted up to compensate) to train faster")
    ap.add_argument("--seed", type=int, default=20261129)
    args = ap.parse_args()

    X, y, groups, features, digest, ignored = load(args.candidates)
    rng = np.random.default_rng(args.seed)
    keep = (y == 1) | (rng.random(len(y)) < args.negative_fraction)
    weights = np.where(y == 1, 1.0, 1.0 / args.negative_fraction)[keep]
    Xk, yk, gk = X[keep], y[keep], groups[keep]
    print(f"{len(y)} candidates ({int(y.sum())} persons, {ignored} ignore-only left out); "
          f"training on {len(yk)} after keeping {args.negative_fraction:.0%} of negatives", file=sys.stderr)

    def make():
        return GradientBoostingClassifier(
            n_estimators=args.trees, max_depth=args.depth, learning_rate=args.learning_rate, subsample=0.8,
            min_samples_leaf=20, random_state=args.seed)

    # Grouped 3-fold validation on the training frames, to report how well the model ranks unseen frames.
    aucs = []
    for fold, (tr, va) in enumerate(GroupKFold(n_splits=3).split(Xk, yk, gk)):
        clf = make().fit(Xk[tr], yk[tr], sample_weight=weights[tr])
        aucs.append(roc_auc_score(yk[va], clf.predict_proba(Xk[va])[:, 1], sample_weight=weights[va]))
        print(f"fold {fold}: AUC {aucs[-1]:.4f}", file=sys.stderr)

    started = time.time()
    clf = make().fit(Xk, yk, sample_weight=weights)
    seconds = time.time() - started
    prior = float(np.average(yk, weights=weights))
    init = math.log(prior / (1 - prior))
    model = export(clf, features, init)
    sample = Xk[rng.choice(len(Xk), size=min(400, len(Xk)), replace=False)]
    ours = predict_like_swift(model, sample)
    theirs = clf.predict_proba(sample)[:, 1]
    worst = float(np.max(np.abs(ours - theirs)))
    if worst > 1e-9:
        sys.exit(f"exported trees disagree with scikit-learn by {worst}")
    importances = sorted(zip(features, clf.feature_importances_), key=lambda p: -p[1])
    document = {
        "format": "spotter-gbt-1",
        "version": args.version,
        "profile": args.profile,
        "features": features,
        "initial": model["initial"],
        "training": {
            "command": "python3 " + " ".join(sys.argv),
            "candidates_sha256": digest,
            "candidates": int(len(y)),
            "persons": int(y.sum()),
            "rows_used": int(len(yk)),
            "negative_fraction": args.negative_fraction,
            "trees": args.trees, "depth": args.depth, "learning_rate": args.learning_rate, "subsample": 0.8,
            "min_samples_leaf": 20, "seed": args.seed,
            "library": "scikit-learn GradientBoostingClassifier",
            "grouped_cv_auc": [round(a, 4) for a in aucs],
            "fit_seconds": round(seconds, 1),
            "feature_importance": {k: round(float(v), 4) for k, v in importances},
        },
        "trees": model["trees"],
    }
    with open(args.out, "w") as f:
        json.dump(document, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {args.out}: {args.trees} trees, CV AUC {np.mean(aucs):.4f}, fit {seconds:.0f} s; top features: "
          + ", ".join(f"{k} {v:.3f}" for k, v in importances[:6]), file=sys.stderr)
    if args.fixture:
        rows = sample[:12]
        with open(args.fixture, "w") as f:
            json.dump({"model": args.out, "features": rows.astype(float).tolist(),
                       "probabilities": clf.predict_proba(rows)[:, 1].tolist()}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
