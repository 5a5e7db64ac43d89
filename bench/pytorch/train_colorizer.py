"""PyTorch twin of medcolor's colorizer U-Net (src/models/unet.ts), trained on the very batches
medcolor's trainer made (bench/train-real.ts writes them to a file), for the --real training
benchmark. Same layers, same loss (MSE), same optimizer (Adam 0.9/0.999/1e-8), the learning rate
of every step as medcolor's schedule gave it. Prints one JSON line."""
import argparse, json, resource, statistics, time
import numpy as np, torch, torch.nn as nn


def block(cin, cout, stride, batch_norm):
    """3x3 conv (pad 1) -> BatchNorm -> ReLU, or conv with bias -> ReLU (medcolor's convBlock)."""
    if batch_norm:
        # medcolor's BatchNormalization: epsilon 1e-5, ONNX momentum 0.9 (PyTorch's 0.1).
        return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1), nn.ReLU(inplace=True))
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.ReLU(inplace=True))


class Colorizer(nn.Module):
    def __init__(self, cin, base, depth, global_context, batch_norm):
        super().__init__()
        ch = [base * 2 ** i for i in range(depth + 1)]
        self.enc = nn.ModuleList([block(cin, ch[0], 1, batch_norm)] + [block(ch[i - 1], ch[i], 2, batch_norm) for i in range(1, depth + 1)])
        cb = ch[depth]
        self.global_context = global_context
        if global_context:
            self.fc1, self.fc2 = nn.Linear(cb, cb), nn.Linear(cb, cb)
            self.fusion = nn.Conv2d(2 * cb, cb, 1)
        self.up = nn.ModuleList([nn.ConvTranspose2d(ch[i + 1], ch[i], 4, 2, 1) for i in range(depth)])
        self.dec = nn.ModuleList([block(2 * ch[i], ch[i], 1, batch_norm) for i in range(depth)])
        self.head = nn.Conv2d(base, 2, 1)

    def forward(self, x):
        enc = []
        h = x
        for e in self.enc:
            h = e(h)
            enc.append(h)
        if self.global_context:
            g = torch.relu(self.fc2(torch.relu(self.fc1(h.mean((2, 3))))))
            h = torch.relu(self.fusion(torch.cat([h, g[:, :, None, None].expand(-1, -1, h.shape[2], h.shape[3])], 1)))
        for i in reversed(range(len(self.up))):
            h = self.dec[i](torch.cat([self.up[i](h), enc[i]], 1))
        return torch.tanh(self.head(h))


p = argparse.ArgumentParser()
p.add_argument('--batches', required=True, help='float32 file: per step L [N,1,S,S] then ab [N,2,S,S]')
p.add_argument('--meta', required=True, help='JSON: base, depth, globalContext, batchNorm, batch, crop, lrs, warmup')
p.add_argument('--threads', type=int, default=2)
a = p.parse_args()
meta = json.load(open(a.meta))
torch.set_num_threads(a.threads)
torch.manual_seed(0)
n, s, lrs = meta['batch'], meta['crop'], meta['lrs']
m = Colorizer(1, meta['base'], meta['depth'], meta['globalContext'], meta['batchNorm'])
opt = torch.optim.Adam(m.parameters(), lr=lrs[0], betas=(0.9, 0.999), eps=1e-8)
data = np.memmap(a.batches, dtype='<f4', mode='r')
per = n * s * s * 3
if data.size != per * len(lrs):
    raise SystemExit(f'{a.batches}: expected {len(lrs)} batches of {per} floats, found {data.size} floats')
steps, ends, losses = [], [], []
t_all = time.perf_counter()
for k, lr in enumerate(lrs):
    t0 = time.perf_counter()
    chunk = torch.from_numpy(np.array(data[k * per:(k + 1) * per]))
    x = chunk[:n * s * s].view(n, 1, s, s)
    y = chunk[n * s * s:].view(n, 2, s, s)
    t1 = time.perf_counter()
    for group in opt.param_groups:
        group['lr'] = lr
    opt.zero_grad()
    loss = ((m(x) - y) ** 2).mean()
    loss.backward()
    opt.step()
    losses.append(loss.item())
    t2 = time.perf_counter()
    steps.append(t2 - t1)
    ends.append(t2 - t0)
w = meta['warmup']
print(json.dumps({
    'engine': f'pytorch {torch.__version__}', 'threads': a.threads,
    'params': sum(q.numel() for q in m.parameters()),
    'step_ms': round(statistics.median(steps[w:]) * 1000, 1),
    'end_to_end_ms': round(statistics.median(ends[w:]) * 1000, 1),
    'timed_seconds': round(sum(ends[w:]), 3),
    'first_loss': losses[0], 'last_loss': losses[-1],
    'peak_rss_mib': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
}))
