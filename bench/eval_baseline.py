#!/usr/bin/env python3
"""PyTorch implementation of the linear-evaluation protocol (SPEC.md §6) for the quality benchmark:
compare its accuracy with `byola evaluate` on the same task and weights. Our own code, from SPEC.md.

    eval_baseline.py WEIGHTS METADATA.csv AUDIO_DIR [--unit-sec 1.0] [--seed 42] [--repeat 1]
"""
import argparse
import csv
import os
import random
import sys

import numpy as np
import torch
import torch.nn as nn
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from baseline import EPS, Encoder, fit_unit, melspec  # noqa: E402


def load(path, unit, rng):
    wav, sr = torchaudio.load(path)
    assert sr == 16000, path
    return fit_unit(wav.mean(0), unit, rng)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("weights"); p.add_argument("metadata"); p.add_argument("audio_dir")
    p.add_argument("--unit-sec", type=float, default=1.0); p.add_argument("--seed", type=int, default=42)
    p.add_argument("--repeat", type=int, default=1); p.add_argument("--d", type=int, default=512)
    a = p.parse_args()
    torch.set_num_threads(os.cpu_count())
    rows = list(csv.DictReader(open(a.metadata)))
    unit = int(a.unit_sec * 16000)
    rng = random.Random(a.seed)
    mel = melspec()
    files = [os.path.join(a.audio_dir, r["file_name"]) for r in rows]
    labels = sorted({r["label"] for r in rows})
    y_all = np.array([labels.index(r["label"]) for r in rows])
    split = np.array([{"val": "valid"}.get(r["split"], r["split"]) for r in rows])

    with torch.no_grad():
        lms = [(mel(load(f, unit, rng)) + EPS).log() for f in files]
    train_idx = [i for i in range(len(rows)) if split[i] == "train"]
    stats_idx = rng.sample(train_idx, min(10000, len(train_idx)))
    x = torch.stack([lms[i] for i in stats_idx])
    mean, std = x.mean().item(), x.std(unbiased=False).item()

    model = Encoder(d=a.d)
    state = torch.load(a.weights, map_location="cpu")
    model.load_state_dict({k: v for k, v in state.items() if k.startswith(("features.", "fc."))})
    model.eval()
    with torch.no_grad():
        emb = torch.cat([model(((torch.stack(lms[i:i + 64]) - mean) / std).unsqueeze(1)) for i in range(0, len(lms), 64)]).numpy()

    scores = []
    for run in range(a.repeat):
        torch.manual_seed(a.seed + run)
        np.random.seed(a.seed + run)
        tr, va, te = (np.where(split == s)[0] for s in ("train", "valid", "test"))
        mu, sd = emb[tr].mean(0), emb[tr].std(0)
        sd[sd == 0] = 1
        X = torch.tensor((emb - mu) / sd, dtype=torch.float32)
        Y = torch.tensor(y_all)
        clf = nn.Linear(X.shape[1], len(labels))
        opt = torch.optim.Adam(clf.parameters(), lr=1e-3, weight_decay=1e-8)
        best, best_state, wait = -1.0, None, 0
        bs = min(200, len(tr))
        for epoch in range(200):
            clf.train()
            perm = tr[np.random.permutation(len(tr))]
            for i in range(0, len(perm), bs):
                idx = perm[i:i + bs]
                loss = nn.functional.cross_entropy(clf(X[idx]), Y[idx])
                opt.zero_grad(); loss.backward(); opt.step()
            clf.eval()
            with torch.no_grad():
                acc = (clf(X[va]).argmax(1) == Y[va]).float().mean().item()
            if acc >= best:
                best, best_state, wait = acc, {k: v.clone() for k, v in clf.state_dict().items()}, 0
            else:
                wait += 1
                if wait >= 10:
                    break
        clf.load_state_dict(best_state)
        with torch.no_grad():
            scores.append((clf(X[te]).argmax(1) == Y[te]).float().mean().item() * 100)
    print(f"pytorch linear eval: mean {np.mean(scores):.2f} std {np.std(scores):.2f} runs {' '.join(f'{s:.2f}' for s in scores)}")


if __name__ == "__main__":
    main()
