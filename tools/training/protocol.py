"""The evaluation protocol of the project's design, in Python, for validation inside training (never on evaluation
data). Mirrors Sources/SpotterEval: a detection finds a person at IoU >= 0.1 or with its centre inside the person's box
grown by max(8, half its longer side); greedy one-to-one by score; repeat hits and unmatched detections centred in an
ignore box are not counted; recall at 1/5/10 false alarms per frame and AP (all-point interpolated). Before matching,
each frame's detections go through the scan's suppression (IoU 0.3), per-frame cap (CAP, 1,000) and score floor
(FLOOR 0.01 past the best FLOOR_AFTER 300): the RGB profile's, unless use_profile sets another profile's.

Also the flight key of HIT-UAV frame names (flight_of), by which thermal validation folds are grouped."""
import json
import os
import re

import numpy as np


def iou(a, b):
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def hits(d, p):
    if iou(d, p) >= 0.1:
        return True
    g = max(8.0, max(p[2], p[3]) / 2)
    cx, cy = d[0] + d[2] / 2, d[1] + d[3] / 2
    return p[0] - g <= cx <= p[0] + p[2] + g and p[1] - g <= cy <= p[1] + p[3] + g


def centre_distance_squared(a, b):
    return (a[0] + a[2] / 2 - b[0] - b[2] / 2) ** 2 + (a[1] + a[3] / 2 - b[1] - b[3] / 2) ** 2


CAP = 1000  # the RGB profile's detections.max_per_frame
FLOOR, FLOOR_AFTER = 0.01, 300  # its detections.score_floor and detections.floor_after (scores are probabilities)


def use_profile(name):
    """Scores as a scan with the detector profile NAME (Models/profiles/NAME.json) does: its detections.max_per_frame,
    and its detections.score_floor past detections.floor_after, or no floor when it has none (ScanOptions' defaults)."""
    global CAP, FLOOR, FLOOR_AFTER
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../Models/profiles", name + ".json")) as f:
        parameters = json.load(f)["parameters"]
    CAP = int(parameters["detections.max_per_frame"])
    FLOOR = float(parameters.get("detections.score_floor", -np.inf))
    FLOOR_AFTER = int(parameters.get("detections.floor_after", CAP))


def flight_of(name):
    """The flight key of a HIT-UAV frame: its file name before the frame number (scenario_altitude_pitch_0 of
    images/scenario_altitude_pitch_0_frame.jpg). Frames that share it come from one flight, neighbours nearly
    identical (a key may also hold more than one flight flown with the same settings); other names are their own key."""
    m = re.match(r"(\d+_\d+_\d+_\d+)_\d+\.", name.split("/")[-1])
    return m.group(1) if m else name


def suppress(boxes, scores, iou_limit=0.3, cap=None):
    cap = CAP if cap is None else cap
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], boxes[i][1], boxes[i][0]))
    kept = []
    for i in order:
        if len(kept) >= cap or (len(kept) >= FLOOR_AFTER and scores[i] < FLOOR):
            break
        if all(iou(boxes[i], boxes[k]) < iou_limit for k in kept):
            kept.append(i)
    return kept


def logit(p):
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def as_scan(files, trees, cnn, keep, weight=1.0):
    """The scan's combination of trees and patch CNN (FrameScanner.applyPatchClassifier): the CNN sees each frame's
    `keep` best candidates by the trees, scored by the sum of weight x its logit and the trees' logit; the rest rank
    below all of them, in the trees' order. Returns probabilities, as the scan does, so the score floor applies alike."""
    z = np.zeros(len(files))
    for f in np.unique(files):
        idx = np.where(files == f)[0]
        o = idx[np.argsort(-trees[idx], kind="stable")]
        seen, rest = o[:keep], o[keep:]
        z[seen] = weight * logit(cnn[seen]) + logit(trees[seen])
        z[rest] = z[seen].min() - 1 - (1 - trees[rest])
    return 1 / (1 + np.exp(-z))


def frame_outcomes(image, boxes, scores):
    """One frame's detections after the scan's suppression, matched to its people: [(score, 1 found / 0 false
    alarm)], repeat hits and unmatched detections centred in an ignore box left out, and the frame's person count.
    Frames are independent until their outcomes are pooled."""
    kept = suppress(boxes, scores)
    people = image["persons"]
    found = [False] * len(people)
    pairs = []
    for k in kept:
        d = boxes[k]
        best, best_key = None, None
        for j, p in enumerate(people):
            if not found[j] and hits(d, p):
                # The highest IoU; at equal IoU (often 0, a hit by centre) the nearest centre, as Evaluation.match.
                key = (iou(d, p), -centre_distance_squared(d, p))
                if best_key is None or key > best_key:
                    best, best_key = j, key
        if best is not None:
            found[best] = True
            pairs.append((scores[k], 1))
        elif any(hits(d, p) for p in people):
            continue  # a repeat hit: not counted
        elif any(g[0] <= d[0] + d[2] / 2 <= g[0] + g[2] and g[1] <= d[1] + d[3] / 2 <= g[1] + g[3]
                 for g in image.get("ignore", [])):
            continue
        else:
            pairs.append((scores[k], 0))
    return pairs, len(people)


def pooled_metrics(pooled, persons, frames_n):
    """Recall at 1/5/10 false alarms per frame and all-point interpolated AP of pooled (score, found) outcomes."""
    pooled = sorted(pooled, key=lambda t: -t[0])
    tp = fp = 0
    curve = []
    i = 0
    while i < len(pooled):
        j = i
        while j < len(pooled) and pooled[j][0] == pooled[i][0]:
            tp += pooled[j][1]
            fp += 1 - pooled[j][1]
            j += 1
        curve.append((tp / max(persons, 1), tp / max(tp + fp, 1), fp / frames_n))
        i = j
    def recall_at(k):
        return max([r for r, _, f in curve if f <= k] + [0.0])
    ap, prev_r = 0.0, 0.0
    best_after = [0.0] * (len(curve) + 1)
    for n in range(len(curve) - 1, -1, -1):
        best_after[n] = max(best_after[n + 1], curve[n][1])
    for n, (r, _, _) in enumerate(curve):
        ap += (r - prev_r) * best_after[n]
        prev_r = r
    return {"recall_at_1fppi": recall_at(1), "recall_at_5fppi": recall_at(5), "recall_at_10fppi": recall_at(10),
            "ap": ap}


def evaluate_frames(labels_path, frames, boxes, scores):
    with open(labels_path) as f:
        labels = {i["file"]: i for i in json.load(f)["images"]}
    by_frame = {}
    for i, name in enumerate(frames):
        by_frame.setdefault(name, []).append(i)
    pooled, persons = [], 0
    for name in sorted(by_frame):
        idx = by_frame[name]
        pairs, n = frame_outcomes(labels[name], [list(boxes[i]) for i in idx], [float(scores[i]) for i in idx])
        pooled += pairs
        persons += n
    return pooled_metrics(pooled, persons, len(by_frame))
