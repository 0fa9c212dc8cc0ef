#!/usr/bin/env python3
"""Fits a re-ranker (gradient-boosted trees) on candidate features from training frames only, and writes it as a
spotter-gbt-1 JSON model that Swift evaluates (Sources/SpotterDetection/BoostedTrees.swift).

Input: the candidates CSV of `spotter bench TRAIN_DATASET --no-rerank --candidates-csv FILE` (one row per
candidate: file, box, kind, score, label 1 = hits a person / 0 = not / -1 = only inside an ignore box, then the
features). Rows labelled -1 are left out. Validation is 3-fold GroupKFold on the training frames only, scored as a scan
with the profile's per-frame cap and score floor would rank them; the final model is fitted on all of them and does not
depend on the folds. Nothing from an evaluation set is read.

--group frame (the default, as the shipped re-rankers were validated) keeps each frame in one fold. Neighbouring frames
of one flight are near-duplicates, so this lets a flight be both trained on and validated on, and the figures describe
flights the model has seen. --group flight keeps whole flights in one fold and describes a new mission: thermal frames
by protocol.flight_of (HIT-UAV's scenario_altitude_pitch_0 key), RGB frames by their source video or photo batch
(make_split.group_of, the unit the tinyperson-coast-valid split keeps whole).

    python3 -m venv .venv-train && .venv-train/bin/pip install -r tools/training/requirements.txt
    .venv-train/bin/python tools/training/train_reranker.py --profile thermal \
        --candidates /tmp/train400.csv --labels ../shared/datasets/hit-uav-thermal-train400/labels.json \
        --out Models/rerankers/thermal-gbt.json --version thermal-gbt-N

Also writes FIXTURE (if given): a few feature rows with scikit-learn's probabilities, which a Swift test compares with
BoostedTrees' output.
"""
import argparse
import csv
import hashlib
import json
import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold

import protocol
from make_split import group_of
from protocol import evaluate_frames, flight_of

META_COLUMNS = ["file", "frame_width", "frame_height", "kind", "x", "y", "w", "h", "score", "label"]
PROFILES = {"thermal": "thermal", "rgb": "rgb-coast"}  # --profile: the detector profile (Models/profiles) it serves
FLIGHT_KEYS = {"thermal": flight_of, "rgb": lambda name: group_of(name.split("/")[-1])}


def load(paths):
    """Returns the features, labels, frame of each candidate, feature names, a digest, the ignore-only count, and the
    candidates' boxes (for the protocol-based validation)."""
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
    boxes = np.array([[float(r[4]), float(r[5]), float(r[6]), float(r[7])] for r in rows])[keep]
    return X, y, groups, features, digest.hexdigest(), int((~keep).sum()), boxes


def export(clf):
    """The fitted trees as spotter-gbt-1 arrays (scikit-learn's HistGradientBoosting predictor nodes; leaf values
    already include the learning rate)."""
    trees = []
    for (predictor,) in clf._predictors:
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        trees.append({
            "feature": [int(-1 if l else f) for f, l in zip(nodes["feature_idx"], leaf)],
            "threshold": [float(t) if not l else 0.0 for t, l in zip(nodes["num_threshold"], leaf)],
            "left": [int(v) if not l else -1 for v, l in zip(nodes["left"], leaf)],
            "right": [int(v) if not l else -1 for v, l in zip(nodes["right"], leaf)],
            "value": [float(v) if l else 0.0 for v, l in zip(nodes["value"], leaf)],
        })
    return {"initial": float(np.ravel(clf._baseline_prediction)[0]), "trees": trees}


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
    ap.add_argument("--out")
    ap.add_argument("--version")
    ap.add_argument("--fixture")
    ap.add_argument("--trees", type=int, default=300)
    ap.add_argument("--leaves", type=int, default=15)
    ap.add_argument("--learning-rate", type=float, default=0.08)
    ap.add_argument("--negative-fraction", type=float, default=1.0,
                    help="keep this fraction of negatives (weighted up to compensate) to train faster")
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--cv-only", action="store_true", help="validate and write no model")
    ap.add_argument("--cv-at", default="",
                    help="also score the folds after the first N,N,... trees (staged predictions of the same fits)")
    ap.add_argument("--group", choices=["frame", "flight"], default="frame",
                    help="validation folds keep whole frames (default) or whole flights (RGB: source videos) together")
    ap.add_argument("--labels", help="the training dataset's labels.json, for protocol metrics in cross-validation")
    ap.add_argument("--tight-iou", type=float, default=0.0,
                    help="train on positives whose box overlaps a person by at least this IoU; looser hits (a big "
                         "blob around a person) are left out of training (they still count in validation)")
    ap.add_argument("--seed", type=int, default=20261129)
    args = ap.parse_args()
    if args.cv_only and args.no_cv:
        ap.error("--cv-only and --no-cv exclude each other")
    if not args.cv_only and not (args.out and args.version):
        ap.error("--out and --version are needed unless --cv-only")
    cv_at = sorted({int(n) for n in args.cv_at.split(",") if n})
    if any(not 0 < n < args.trees for n in cv_at):
        ap.error(f"--cv-at: tree counts between 1 and {args.trees - 1}")

    X, y, groups, features, digest, ignored, boxes = load(args.candidates)
    protocol.use_profile(PROFILES[args.profile])
    rng = np.random.default_rng(args.seed)
    train_mask = np.ones(len(y), dtype=bool)
    if args.tight_iou > 0:
        if not args.labels:
            sys.exit("--tight-iou needs --labels")
        with open(args.labels) as f:
            people = {i["file"]: i["persons"] for i in json.load(f)["images"]}
        from protocol import iou
        for i in np.nonzero(y == 1)[0]:
            if max((iou(list(boxes[i]), p) for p in people[groups[i]]), default=0) < args.tight_iou:
                train_mask[i] = False
        print(f"{int((~train_mask).sum())} loose hits left out of training", file=sys.stderr)
    keep = (y == 1) | (rng.random(len(y)) < args.negative_fraction)
    weights = np.where(y == 1, 1.0, 1.0 / args.negative_fraction)[keep]
    Xk, yk, gk, bk = X[keep], y[keep], groups[keep], boxes[keep]
    tight = train_mask[keep]
    print(f"{len(y)} candidates ({int(y.sum())} persons, {ignored} ignore-only left out); "
          f"training on {len(yk)} after keeping {args.negative_fraction:.0%} of negatives", file=sys.stderr)

    def make():
        return HistGradientBoostingClassifier(
            max_iter=args.trees, max_leaf_nodes=args.leaves, learning_rate=args.learning_rate, min_samples_leaf=20,
            l2_regularization=1.0, early_stopping=False, random_state=args.seed)

    # Grouped 3-fold validation on the training frames: AUC, and the bench metrics of the evaluation protocol on
    # the held-out frames (same suppression, per-frame cap and score floor as the scan), pooled and fold by fold, to
    # report how well the model ranks frames (or, with --group flight, flights) it never saw.
    aucs, cv, cv_folds = [], None, []
    scores = np.zeros(len(yk))
    staged = {n: np.zeros(len(yk)) for n in cv_at}
    if not args.no_cv:
        folds = list(GroupKFold(n_splits=3).split(Xk, yk, gk if args.group == "frame" else
                                                   np.array([FLIGHT_KEYS[args.profile](g) for g in gk])))
        for fold, (tr, va) in enumerate(folds):
            tr = tr[tight[tr]]
            clf = make().fit(Xk[tr], yk[tr], sample_weight=weights[tr])
            scores[va] = clf.predict_proba(Xk[va])[:, 1]
            for n, p in enumerate(clf.staged_predict_proba(Xk[va]) if cv_at else (), start=1):
                if n in staged:
                    staged[n][va] = p[:, 1]
            aucs.append(roc_auc_score(yk[va], scores[va], sample_weight=weights[va]))
            print(f"fold {fold}: AUC {aucs[-1]:.4f}", file=sys.stderr)
        if args.labels:
            cv = evaluate_frames(args.labels, gk, bk, scores)
            cv_folds = [evaluate_frames(args.labels, gk[va], bk[va], scores[va]) for _, va in folds]
            print(f"CV grouped by {args.group} on training frames: " + ", ".join(f"{k} {v:.3f}" for k, v in cv.items()),
                  file=sys.stderr)
            for fold, m in enumerate(cv_folds):
                print(f"  fold {fold} ({len(set(gk[folds[fold][1]]))} frames): " +
                      ", ".join(f"{k} {v:.3f}" for k, v in m.items()), file=sys.stderr)
            for n, s in staged.items():
                m = evaluate_frames(args.labels, gk, bk, s)
                print(f"  after {n} trees: " + ", ".join(f"{k} {v:.3f}" for k, v in m.items()) + " | AP per fold " +
                      " ".join(f"{evaluate_frames(args.labels, gk[va], bk[va], s[va])['ap']:.3f}" for _, va in folds),
                      file=sys.stderr)
    if args.cv_only:
        return

    started = time.time()
    clf = make().fit(Xk[tight], yk[tight], sample_weight=weights[tight])
    seconds = time.time() - started
    model = export(clf)
    sample = Xk[rng.choice(len(Xk), size=min(400, len(Xk)), replace=False)]
    ours = predict_like_swift(model, sample)
    theirs = clf.predict_proba(sample)[:, 1]
    worst = float(np.max(np.abs(ours - theirs)))
    if worst > 1e-9:
        sys.exit(f"exported trees disagree with scikit-learn by {worst}")
    # Split gain per feature, as importance (HistGradientBoosting has no feature_importances_).
    gain = np.zeros(len(features))
    for (predictor,) in clf._predictors:
        for node in predictor.nodes:
            if not node["is_leaf"]:
                gain[node["feature_idx"]] += node["gain"]
    importances = sorted(zip(features, gain / max(gain.sum(), 1e-12)), key=lambda p: -p[1])
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
            "rows_used": int(tight.sum()),
            "tight_iou": args.tight_iou,
            "negative_fraction": args.negative_fraction,
            "trees": args.trees, "max_leaf_nodes": args.leaves, "learning_rate": args.learning_rate,
            "min_samples_leaf": 20, "l2_regularization": 1.0, "seed": args.seed,
            "library": "scikit-learn HistGradientBoostingClassifier",
            "grouped_cv_by": args.group,
            "grouped_cv_auc": [round(a, 4) for a in aucs],
            "grouped_cv_metrics": {k: round(v, 4) for k, v in (cv or {}).items()},
            "grouped_cv_fold_metrics": [{k: round(v, 4) for k, v in m.items()} for m in cv_folds],
            "fit_seconds": round(seconds, 1),
            "feature_importance": {k: round(float(v), 4) for k, v in importances},
        },
        "trees": model["trees"],
    }
    with open(args.out, "w") as f:
        json.dump(document, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {args.out}: {args.trees} trees, CV AUC {np.mean(aucs) if aucs else float('nan'):.4f}, fit {seconds:.0f} s; top features: "
          + ", ".join(f"{k} {v:.3f}" for k, v in importances[:6]), file=sys.stderr)
    if args.fixture:
        rows = sample[:12]
        with open(args.fixture, "w") as f:
            json.dump({"model": args.out, "features": rows.astype(float).tolist(),
                       "probabilities": clf.predict_proba(rows)[:, 1].tolist()}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
