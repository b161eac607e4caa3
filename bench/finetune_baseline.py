#!/usr/bin/env python3
"""PyTorch fine-tuning baseline for `bench/run.sh` (BENCH_ONLY=finetune): the protocol of SPEC section 10 written
the usual PyTorch way, so the harness can compare `byola finetune` with it on the same clips in the same run.

This is our own code written from SPEC.md, not the original BYOL-A implementation or its evaluation package.

    finetune_baseline.py WEIGHTS METADATA.csv AUDIO_DIR --unit-sec 0.95 --epochs 2 --batch 64 [--precision bf16]

Every clip is read once (centre-cropped or padded to the unit) and kept as a waveform tensor; the normalisation stats
are the training clips' log-mel mean and std; the scaler is fitted once on the starting encoder's training
embeddings. Per training batch, on the device: mixup of waveforms and one-hot targets (lambda ~ Beta(a, a) per clip,
partner a random permutation), log-mel, normalisation, SpecAugment (torchaudio's FrequencyMasking/TimeMasking with
one mask per clip), RandomResizeCrop per clip (virtual crop 1.0-1.5, scales 0.6-1.5, bicubic), encoder (train mode)
-> scaler -> linear head, loss -mean(targets * log_softmax), SGD momentum 0.9, linear warm-up then cosine per epoch.
After each epoch: validation accuracy (eval mode), the first best epoch's weights kept; the test accuracy at the end.
Prints the training steps' clips per second (validation not counted).
"""
import argparse
import copy
import csv
import math
import os
import random
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline import EPS, Encoder, fit_unit, melspec, read_wav  # noqa: E402

try:
    import torchaudio
except ImportError:
    torchaudio = None


def spec_augment(x, freq_mask, time_mask):
    if torchaudio is not None:
        if freq_mask > 0:
            x = torchaudio.transforms.FrequencyMasking(freq_mask, iid_masks=True)(x)
        if time_mask > 0:
            x = torchaudio.transforms.TimeMasking(time_mask, iid_masks=True)(x)
        return x
    # The same masks with torch ops: width uniform in [0, limit), start uniform, per clip.
    b, _, f, t = x.shape
    for limit, size, dim in ((freq_mask, f, 2), (time_mask, t, 3)):
        if limit <= 0:
            continue
        width = (torch.rand(b, device=x.device) * limit).long()
        start = (torch.rand(b, device=x.device) * (size - width)).long()
        idx = torch.arange(size, device=x.device)
        mask = (idx[None] >= start[:, None]) & (idx[None] < (start + width)[:, None])
        x = x.masked_fill(mask.view(b, 1, size, 1) if dim == 2 else mask.view(b, 1, 1, size), 0)
    return x


def random_resize_crop(x, crop=(1.0, 1.5), fs=(0.6, 1.5), ts=(0.6, 1.5)):
    b, _, f, t = x.shape
    cf, ct = int(f * crop[0]), int(t * crop[1])
    i0, j0 = (cf - f) // 2, (ct - t) // 2
    canvas = x.new_zeros(b, 1, cf, ct)
    canvas[:, :, i0:i0 + f, j0:j0 + t] = x
    out = []
    for k in range(b):
        h = min(max(int(random.uniform(*fs) * f), 1), cf)
        w = min(max(int(random.uniform(*ts) * t), 1), ct)
        i = random.randint(0, cf - h) if cf > h else 0
        j = random.randint(0, ct - w) if ct > w else 0
        out.append(F.interpolate(canvas[k:k + 1, :, i:i + h, j:j + w], size=(f, t), mode="bicubic", align_corners=True))
    return torch.cat(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("weights"); p.add_argument("metadata"); p.add_argument("audio_dir")
    p.add_argument("--unit-sec", type=float, default=0.95); p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=64); p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--warmup", type=int, default=5); p.add_argument("--mixup", type=float, default=0.5)
    p.add_argument("--freq-mask", type=int, default=30); p.add_argument("--time-mask", type=int, default=100)
    p.add_argument("--d", type=int, default=512); p.add_argument("--device", default="cpu")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"]); p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", os.cpu_count())))
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    dev = torch.device(a.device)
    rows = list(csv.DictReader(open(a.metadata)))
    classes = sorted({r["label"] for r in rows})
    unit = int(a.unit_sec * 16000)
    waves = torch.stack([fit_unit(read_wav(os.path.join(a.audio_dir, r["file_name"]))[0].mean(0), unit) for r in rows]).to(dev)
    labels = torch.tensor([classes.index(r["label"]) for r in rows], device=dev)
    split = {s: torch.tensor([i for i, r in enumerate(rows) if r["split"] == s], device=dev) for s in ("train", "valid", "test")}
    mel = melspec().to(dev)

    def log_mel(w):
        return (mel(w) + EPS).log()

    with torch.no_grad():
        train_lms = log_mel(waves[split["train"]])
        mean, std = train_lms.mean().item(), train_lms.std().item()

    def to_input(w):
        return ((log_mel(w) - mean) / std).unsqueeze(1)

    enc = Encoder(d=a.d)
    state = torch.load(a.weights, map_location="cpu")
    enc.load_state_dict({k: v for k, v in state.items() if k.startswith(("features.", "fc."))})
    enc.to(dev)
    autocast = lambda: torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.precision == "bf16")

    def embed(w):
        with torch.no_grad(), autocast():
            return torch.cat([enc(to_input(w[s:s + 64])).float() for s in range(0, w.shape[0], 64)])

    enc.eval()
    # scikit-learn's StandardScaler, as the probe's: float64 statistics, population std, scale 1 for a constant feature
    z = embed(waves[split["train"]]).double()
    z_std = z.std(0, unbiased=False)
    s_mean, s_std = z.mean(0).float(), torch.where(z_std == 0, torch.ones_like(z_std), z_std).float()
    head = torch.nn.Linear(a.d, len(classes)).to(dev)
    params = list(enc.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=a.lr, momentum=0.9)

    def factor(epoch):
        if epoch < a.warmup:
            return epoch / a.warmup
        progress = (epoch - a.warmup) / max(a.epochs - a.warmup, 1)
        return (1e-7 + (a.lr - 1e-7) * 0.5 * (1 + math.cos(math.pi * progress))) / a.lr

    def accuracy(rows_):
        enc.eval(); head.eval()
        with torch.no_grad(), autocast():
            logits = head((embed(waves[rows_]) - s_mean) / s_std).float()
        return (logits.argmax(1) == labels[rows_]).double().mean().item()

    onehot = F.one_hot(labels, len(classes)).float()
    train = split["train"]
    n = train.shape[0]
    beta = torch.distributions.Beta(torch.tensor(a.mixup), torch.tensor(a.mixup)) if a.mixup > 0 else None
    best, best_state, seen, loop_seconds = -1.0, None, 0, 0.0
    for epoch in range(a.epochs):
        for g in opt.param_groups:
            g["lr"] = a.lr * factor(epoch)
        enc.train(); head.train()
        started = time.perf_counter()
        total = torch.zeros((), device=dev)
        order = train[torch.randperm(n, device=dev)]
        for s in range(0, n, a.batch):
            idx = order[s:s + a.batch]
            x, y = waves[idx], onehot[idx]
            b = x.shape[0]
            if beta is not None:
                lam = beta.sample((b,)).to(dev)
                perm = torch.randperm(b, device=dev)
                x = lam[:, None] * x + (1 - lam[:, None]) * x[perm]
                y = lam[:, None] * y + (1 - lam[:, None]) * y[perm]
            m = random_resize_crop(spec_augment(to_input(x), a.freq_mask, a.time_mask))
            with autocast():
                logits = head((enc(m) - s_mean) / s_std).float()
            loss = -(y * F.log_softmax(logits, 1)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.detach()
            seen += b
        epoch_loss = total.item() / math.ceil(n / a.batch)   # waits for the device: the time below includes its work
        loop_seconds += time.perf_counter() - started
        valid = accuracy(split["valid"])
        if valid > best:
            best, best_state = valid, (copy.deepcopy(enc.state_dict()), copy.deepcopy(head.state_dict()))
        print(f"epoch {epoch + 1} loss {epoch_loss:.4f} valid {valid * 100:.2f}", flush=True)
    enc.load_state_dict(best_state[0]); head.load_state_dict(best_state[1])
    print(f"finetune samples {seen} test_accuracy {accuracy(split['test']) * 100:.2f} loop_samples_per_s {seen / loop_seconds:.1f}")


if __name__ == "__main__":
    main()
