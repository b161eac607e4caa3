#!/usr/bin/env python3
"""PyTorch/torchaudio baseline for `bench/run.sh`: the same work as the byola verbs, written the usual
PyTorch way (Dataset + DataLoader, torchaudio transforms), so the harness can report speed ratios.

This is our own code written from SPEC.md, not the original BYOL-A implementation.

    baseline.py logmel  --seconds 600
    baseline.py embed   WEIGHTS DIR --batch 64 --stats MEAN,STD --out FILE.npy
    baseline.py train   DIR --bs 64 --epochs 1 --d 2048 [--device cuda --workers 8]
    baseline.py convert FROM TO --jobs 2
"""
import argparse
import math
import multiprocessing as mp
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import wave

try:
    import torchaudio
except ImportError:  # a bare PyTorch install (e.g. a GPU box): the front end below is then written with torch ops
    torchaudio = None

EPS = float(torch.finfo(torch.float).eps)
CFG = dict(sample_rate=16000, n_fft=1024, win_length=1024, hop_length=160, n_mels=64, f_min=60, f_max=7800)


def melspec():
    if torchaudio is not None:
        return torchaudio.transforms.MelSpectrogram(**CFG)
    return TorchMel()


class TorchMel(nn.Module):
    """torchaudio's MelSpectrogram defaults (Hann window, centre/reflect padding, power 2, HTK mel, no norm)."""

    def __init__(self):
        super().__init__()
        c = CFG
        n_freqs = c["n_fft"] // 2 + 1
        hz = lambda m: 700.0 * (10 ** (m / 2595.0) - 1)
        mel = lambda f: 2595.0 * math.log10(1.0 + f / 700.0)
        pts = hz(torch.linspace(mel(c["f_min"]), mel(c["f_max"]), c["n_mels"] + 2))
        freqs = torch.linspace(0, c["sample_rate"] // 2, n_freqs)
        slopes = pts.unsqueeze(0) - freqs.unsqueeze(1)
        diff = pts[1:] - pts[:-1]
        down = -slopes[:, :-2] / diff[:-1]
        up = slopes[:, 2:] / diff[1:]
        self.register_buffer("fb", torch.clamp(torch.min(down, up), min=0))
        self.register_buffer("window", torch.hann_window(c["win_length"]))

    def forward(self, wav):
        spec = torch.stft(wav, CFG["n_fft"], CFG["hop_length"], CFG["win_length"], self.window, center=True,
                          pad_mode="reflect", return_complex=True).abs() ** 2
        return (spec.transpose(-1, -2) @ self.fb).transpose(-1, -2)


def read_wav(path):
    """(channels, samples) float32 in [-1, 1) from a PCM 16-bit WAV, with the standard library: torchaudio 2.9 and
    later load audio through TorchCodec, which a bare GPU box may lack."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM is read here")
        ch, n = w.getnchannels(), w.getnframes()
        data = np.frombuffer(w.readframes(n), dtype="<i2").astype(np.float32) / 32768.0
    return torch.from_numpy(data.reshape(-1, ch).T.copy()), w.getframerate()


def fit_unit(wav, unit, rng=None):
    n = wav.shape[-1]
    if n < unit:
        left = (unit - n) // 2
        return F.pad(wav, (left, unit - n - left))
    start = rng.randint(0, n - unit) if rng else (n - unit) // 2
    return wav[..., start:start + unit]


class Encoder(nn.Module):
    """AudioNTT2020: 3 conv blocks, permute to (B, T, F*C), fc, pooled max+mean over time."""

    def __init__(self, n_mels=64, d=512):
        super().__init__()
        layers = []
        for i in range(3):
            layers += [nn.Conv2d(1 if i == 0 else 64, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2)]
        self.features = nn.Sequential(*layers)
        self.fc = nn.Sequential(nn.Linear(64 * (n_mels // 8), d), nn.ReLU(), nn.Dropout(0.3), nn.Linear(d, d), nn.ReLU())

    def forward(self, x):
        x = self.features(x)
        x = x.permute(0, 3, 2, 1)
        x = x.reshape(x.shape[0], x.shape[1], -1)
        x = self.fc(x)
        return x.max(1)[0] + x.mean(1)


def mlp(i, h, o):
    return nn.Sequential(nn.Linear(i, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Linear(h, o))


def wav_files(d):
    return sorted(str(p) for p in Path(d).rglob("*.wav"))


# ---------------------------------------------------------------- logmel
def cmd_logmel(a):
    torch.manual_seed(0)
    mel = melspec()
    wav = torch.randn(a.batch, 16000) * 0.1
    frames = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < a.seconds:
        with torch.no_grad():
            lms = (mel(wav) + EPS).log()
        frames += lms.shape[0] * lms.shape[-1]
    dt = time.perf_counter() - t0
    print(f"logmel frames/s {frames / dt:.1f}")


# ---------------------------------------------------------------- embed
class ClipSet(torch.utils.data.Dataset):
    def __init__(self, files, unit, mean, std):
        self.files, self.unit, self.mean, self.std = files, unit, mean, std
        self.mel = melspec()

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        wav, sr = read_wav(self.files[i])
        wav = fit_unit(wav.mean(0), self.unit)
        lms = (self.mel(wav) + EPS).log()
        return ((lms - self.mean) / self.std).unsqueeze(0)


def cmd_embed(a):
    mean, std = (float(v) for v in a.stats.split(","))
    files = wav_files(a.dir)
    model = Encoder(d=a.d)
    state = torch.load(a.weights, map_location="cpu")
    model.load_state_dict({k: v for k, v in state.items() if k.startswith(("features.", "fc."))})
    dev = torch.device(a.device)
    model.to(dev).eval()
    loader = torch.utils.data.DataLoader(ClipSet(files, int(a.unit_sec * 16000), mean, std),
                                         batch_size=a.batch, num_workers=a.workers, pin_memory=dev.type == "cuda")
    out = []
    with torch.no_grad():
        for x in loader:
            out.append(model(x.to(dev, non_blocking=True)))
    emb = torch.cat(out).cpu().numpy().astype(np.float32)
    np.save(a.out, emb)
    print(f"embed clips {len(files)} dim {emb.shape[1]}")


# ---------------------------------------------------------------- train
class Mixup:
    def __init__(self, ratio=0.4, size=2048):
        self.ratio, self.size, self.memory = ratio, size, []

    def __call__(self, x):
        alpha = self.ratio * random.random()
        out = x
        if self.memory:
            z = self.memory[random.randrange(len(self.memory))]
            out = ((1 - alpha) * x.exp() + alpha * z.exp() + EPS).log()
        self.memory = (self.memory + [x])[-self.size:]
        return out


def rrc(x, crop=(1.0, 1.5), fs=(0.6, 1.5), ts=(0.6, 1.5)):
    _, f, t = x.shape
    cf, ct = int(f * crop[0]), int(t * crop[1])
    canvas = torch.zeros(1, cf, ct)
    i0, j0 = (cf - f) // 2, (ct - t) // 2
    canvas[:, i0:i0 + f, j0:j0 + t] = x
    h = min(max(int(random.uniform(*fs) * f), 1), cf)
    w = min(max(int(random.uniform(*ts) * t), 1), ct)
    i = random.randint(0, cf - h) if cf > h else 0
    j = random.randint(0, ct - w) if ct > w else 0
    crop_ = canvas[:, i:i + h, j:j + w]
    return F.interpolate(crop_.unsqueeze(0), size=(f, t), mode="bicubic", align_corners=True).squeeze(0)


class RunningNorm:
    def __init__(self, max_updates):
        self.n, self.max, self.mean, self.var = 0, max_updates, 0.0, 0.0

    def __call__(self, x):
        if self.n < self.max:
            self.n += 1
            self.mean += (x.mean().item() - self.mean) / self.n
            self.var += (((x - self.mean) ** 2).mean().item() - self.var) / self.n
        std = min(max(math.sqrt(self.var), EPS), 1e10)
        return (x - self.mean) / std


class TrainSet(torch.utils.data.Dataset):
    def __init__(self, files, unit):
        self.files, self.unit, self.mel = files, unit, melspec()
        self.norm = RunningNorm(len(files) * 2 * 10)
        self.mix = Mixup()

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        wav, sr = read_wav(self.files[i])
        wav = fit_unit(wav.mean(0), self.unit, random)
        lms = self.norm((self.mel(wav) + EPS).log().unsqueeze(0))
        return rrc(self.mix(lms)), rrc(self.mix(lms))


def normalize_batch(x):
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    std = x.std(dim=(0, 2, 3), keepdim=True).clamp(min=EPS)
    return (x - mean) / std


def byol_loss(p, z):
    return 2 - 2 * F.cosine_similarity(p, z.detach(), dim=-1)


def cmd_train(a):
    torch.manual_seed(42)
    random.seed(42)
    dev = torch.device(a.device)
    files = wav_files(a.dir)
    enc = Encoder(d=a.d)
    proj = mlp(a.d, a.proj_dim, a.proj_size)
    pred = mlp(a.proj_size, a.proj_dim, a.proj_size)
    online = nn.Sequential(enc, proj)
    with torch.no_grad():
        online(torch.randn(2, 1, 64, 96))
    import copy
    target = copy.deepcopy(online)
    for p in target.parameters():
        p.requires_grad_(False)
    online.to(dev); pred.to(dev); target.to(dev)
    opt = torch.optim.Adam(list(online.parameters()) + list(pred.parameters()), lr=a.lr)
    loader = torch.utils.data.DataLoader(TrainSet(files, int(0.95 * 16000)), batch_size=a.bs, shuffle=True,
                                         num_workers=a.workers, drop_last=True, pin_memory=dev.type == "cuda")
    online.train(); pred.train(); target.train()
    seen = 0
    started = time.perf_counter()
    for epoch in range(a.epochs):
        epoch_started, epoch_seen = time.perf_counter(), seen
        for v1, v2 in loader:
            v1, v2 = v1.to(dev, non_blocking=True), v2.to(dev, non_blocking=True)
            b = v1.shape[0]
            both = normalize_batch(torch.cat([v1, v2]))
            v1, v2 = both[:b], both[b:]
            # --precision bf16: torch.autocast around forward and loss, as mixed-precision training recipes do (no
            # GradScaler: bfloat16 has FP32's range); fp32 leaves autocast off.
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.precision == "bf16"):
                p1, p2 = pred(online(v1)), pred(online(v2))
                with torch.no_grad():
                    z1, z2 = target(v1), target(v2)
                loss = (byol_loss(p1.float(), z2.float()) + byol_loss(p2.float(), z1.float())).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                for t, o in zip(target.parameters(), online.parameters()):
                    t.mul_(a.ema).add_(o, alpha=1 - a.ema)
            seen += b
        # one device sync an epoch: the rate of the last epoch is the steady one (no start-up, no autotuning)
        epoch_loss = loss.item()
        print(f"epoch {epoch + 1} loss {epoch_loss:.4f} epoch_samples_per_s {(seen - epoch_seen) / (time.perf_counter() - epoch_started):.1f}",
              flush=True)
    loss = loss.item()   # waits for the device, so the time below includes its work
    peak = f" peak_gpu_mb {torch.cuda.max_memory_allocated(dev) / 2**20:.0f}" if dev.type == "cuda" else ""
    print(f"train samples {seen} loss {loss:.4f} loop_samples_per_s {seen / (time.perf_counter() - started):.1f}{peak}")


# ---------------------------------------------------------------- convert
_resamplers = {}


def convert_one(job):
    src, dst = job
    wav, sr = torchaudio.load(src)
    wav = wav.mean(0, keepdim=True)
    if sr != 16000:
        if sr not in _resamplers:
            _resamplers[sr] = torchaudio.transforms.Resample(sr, 16000)
        wav = _resamplers[sr](wav)
    pcm = (wav.clamp(-1, 32767 / 32768) * 32767).to(torch.int16)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    torchaudio.save(dst, pcm, 16000, encoding="PCM_S", bits_per_sample=16)


def cmd_convert(a):
    torch.set_num_threads(1)
    src = Path(a.src)
    jobs = [(f, str(Path(a.dst) / Path(f).relative_to(src))) for f in wav_files(src)]
    with mp.Pool(a.jobs) as pool:
        for _ in pool.imap_unordered(convert_one, jobs, chunksize=4):
            pass
    print(f"convert files {len(jobs)}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("logmel"); s.add_argument("--seconds", type=float, default=5); s.add_argument("--batch", type=int, default=64)
    s = sub.add_parser("embed"); s.add_argument("weights"); s.add_argument("dir"); s.add_argument("--batch", type=int, default=64)
    s.add_argument("--stats", required=True); s.add_argument("--out", required=True); s.add_argument("--d", type=int, default=512)
    s.add_argument("--unit-sec", type=float, default=0.95); s.add_argument("--workers", type=int, default=0)
    s.add_argument("--device", default="cpu")
    s = sub.add_parser("train"); s.add_argument("dir"); s.add_argument("--bs", type=int, default=64); s.add_argument("--epochs", type=int, default=1)
    s.add_argument("--d", type=int, default=2048); s.add_argument("--proj-dim", type=int, default=4096); s.add_argument("--proj-size", type=int, default=256)
    s.add_argument("--lr", type=float, default=3e-4); s.add_argument("--ema", type=float, default=0.99); s.add_argument("--workers", type=int, default=0)
    s.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    s.add_argument("--precision", default="fp32", choices=["fp32", "bf16"], help="bf16: torch.autocast(dtype=bfloat16) mixed precision")
    s = sub.add_parser("convert"); s.add_argument("src"); s.add_argument("dst"); s.add_argument("--jobs", type=int, default=os.cpu_count())
    a = p.parse_args()
    # Same thread count as byola's default (all cores); Debian's torch otherwise starts with one thread here.
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", os.cpu_count())))
    {"logmel": cmd_logmel, "embed": cmd_embed, "train": cmd_train, "convert": cmd_convert}[a.cmd](a)


if __name__ == "__main__":
    main()
