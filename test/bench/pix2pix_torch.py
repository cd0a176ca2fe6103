#!/usr/bin/env python3
"""pix2pix in PyTorch, the network and training of genbench's reference `pix2pix`, exported as an ONNX translator.

The same model as reference-models/pix2pix.ts (translator-nets.ts, paired-gan.ts), written in NCHW:
- generator, U-Net: Conv 16 4/2, LReLU 0.2 -> Conv 32 4/2, LReLU -> Conv 32 3x3, ReLU (H/4) -> ConvT 16 4/2 on
  [bottleneck, e2], ReLU -> ConvT C 4/2 on [d1, e1], tanh;
- discriminator, conditional PatchGAN on [source, image]: Conv 16 4/2, LReLU -> Conv 32 4/2, LReLU -> Conv 1 3x3;
- loss_D = (BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)) / 2; loss_G = BCE(D(x, G(x)), 1) + 100 mean |G(x) - y|; one step
  runs G once, takes D's step on the detached output, then G's step through the updated D;
- Adam lr 1e-3, betas (0.5, 0.999), eps 1e-8 for both; Glorot-uniform kernels, zero biases; no normalisation;
- batch 16; epochs of a seeded shuffle, the last partial batch dropped; images in [-1, 1] (u8 / 127.5 - 1).
The seeds differ from genbench's (torch's generator, not genbench's Rng): same recipe, not the same numbers.

Input: an .npz with uint8 arrays `source` and `target`, [N, H, W] or [N, H, W, C] (the task's train pairs).
Output in OUT: translator.onnx (input `source`, output `translated`, NCHW, float32, [-1, 1], dynamic batch) and
genbench.json, a `kind: translator` manifest; the last stdout line is JSON {steps, train_seconds, ...}.

usage: pix2pix_torch.py PAIRS.npz OUT [--steps N] [--batch 16] [--seed 0] [--threads 1] [--task NAME]
needs only Debian's python3-torch and python3-numpy (torch.onnx.export writes the file without the onnx package).
"""
import argparse, hashlib, json, os, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LAMBDA = 100.0


def down(cin, cout, k=4, s=2):
    # TF 'same' padding: stride 2 kernel 4 pads 1 on each side at even sides; kernel 3 stride 1 pads 1.
    return nn.Conv2d(cin, cout, k, s, 1)


def up(cin, cout):
    return nn.ConvTranspose2d(cin, cout, 4, 2, 1)


class UNet(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.e1, self.e2, self.b = down(cin, 16), down(16, 32), down(32, 32, 3, 1)
        self.d1, self.d2 = up(64, 16), up(32, cout)

    def forward(self, x):
        e1 = F.leaky_relu(self.e1(x), 0.2)
        e2 = F.leaky_relu(self.e2(e1), 0.2)
        b = F.relu(self.b(e2))
        d1 = F.relu(self.d1(torch.cat([b, e2], 1)))
        return torch.tanh(self.d2(torch.cat([d1, e1], 1)))


class PatchGan(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.c1, self.c2, self.logits = down(cin, 16), down(16, 32), down(32, 1, 3, 1)

    def forward(self, x, y):
        h = F.leaky_relu(self.c1(torch.cat([x, y], 1)), 0.2)
        return self.logits(F.leaky_relu(self.c2(h), 0.2))


def glorot(net):
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


def nchw(u8):
    a = u8 if u8.ndim == 4 else u8[..., None]
    return torch.from_numpy(np.ascontiguousarray(a.transpose(0, 3, 1, 2))).float() / 127.5 - 1


def bce(logits, real):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, 1.0 if real else 0.0))


def train(src, dst, steps, batch, gen):
    g, d = UNet(src.shape[1], dst.shape[1]), PatchGan(src.shape[1] + dst.shape[1])
    glorot(g)
    glorot(d)
    opt_g = torch.optim.Adam(g.parameters(), 1e-3, betas=(0.5, 0.999), eps=1e-8)
    opt_d = torch.optim.Adam(d.parameters(), 1e-3, betas=(0.5, 0.999), eps=1e-8)
    per_epoch = src.shape[0] // batch
    last = {}
    for step in range(steps):
        if step % per_epoch == 0:
            order = torch.randperm(src.shape[0], generator=gen)
        rows = order[(step % per_epoch) * batch:(step % per_epoch + 1) * batch]
        x, y = src[rows], dst[rows]
        fake = g(x)
        loss_d = (bce(d(x, y), True) + bce(d(x, fake.detach()), False)) / 2
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        adv, l1 = bce(d(x, fake), True), (fake - y).abs().mean()
        loss_g = adv + LAMBDA * l1
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        last = {'d_loss': loss_d.item(), 'g_adv': adv.item(), 'g_l1': l1.item(), 'g_loss': loss_g.item()}
    return g, last


def export(g, out, shape_in, shape_out, task, record):
    onnx_path = os.path.join(out, 'translator.onnx')
    g.eval()
    with torch.no_grad():
        torch.onnx.export(g, torch.zeros(1, *shape_in), onnx_path, input_names=['source'], output_names=['translated'],
                          dynamic_axes={'source': {0: 'n'}, 'translated': {0: 'n'}}, opset_version=13)
    with open(onnx_path, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    manifest = {
        'name': 'pix2pix-torch', 'kind': 'translator', 'format': 'onnx', 'file': 'translator.onnx', 'sha256': sha,
        **({'task': task} if task else {}), 'input': 'source', 'output': 'translated', 'layout': 'NCHW',
        'input_shape': list(shape_in), 'output_shape': list(shape_out), 'input_range': '[-1,1]', 'output_range': '[-1,1]',
        'license': 'Apache-2.0', 'training': record,
    }
    tmp = os.path.join(out, 'genbench.json.tmp')
    with open(tmp, 'w') as f:
        json.dump(manifest, f, indent=2)
    os.replace(tmp, os.path.join(out, 'genbench.json'))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('pairs')
    p.add_argument('out')
    p.add_argument('--steps', type=int, default=800)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--task', default='')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    with np.load(a.pairs) as z:
        src, dst = nchw(z['source']), nchw(z['target'])
    if src.shape[0] < a.batch or src.shape[2] % 4 or src.shape[3] % 4:
        raise SystemExit(f'{a.pairs}: needs at least {a.batch} pairs with sides divisible by 4, got {tuple(src.shape)}')
    os.makedirs(a.out, exist_ok=True)
    t0 = time.perf_counter()
    g, last = train(src, dst, a.steps, a.batch, torch.Generator().manual_seed(a.seed))
    seconds = time.perf_counter() - t0
    record = {'framework': f'torch {torch.__version__}', 'steps': a.steps, 'batch': a.batch, 'seed': a.seed,
              'threads': torch.get_num_threads(), 'train_seconds': seconds, 'epochs': a.steps * a.batch / src.shape[0],
              'lambda': LAMBDA, 'last_losses': last}
    export(g, a.out, tuple(src.shape[1:]), tuple(dst.shape[1:]), a.task, record)
    print(json.dumps(record))


if __name__ == '__main__':
    main()
