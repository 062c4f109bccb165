"""Times training steps of the pytorch/examples DCGAN (dcgan/main.py) at a given size, for `pnpm bench`.

The networks and the step are the example's: G from z (1x1) through 4x4 stride-2 transposed convolutions with
batch norm and ReLU to tanh; D mirrors it with LeakyReLU 0.2, batch norm on all but the first layer, and a 4x4
valid convolution to one sigmoid score; BCELoss; Adam(lr 2e-4, betas (0.5, 0.999)); per step, D on the real
batch and on G(z).detach(), then G through the updated D on the same fakes. Only the depth follows the image
size (the example is written for 64px; a 32px model has one block fewer), as in @dcgan/core.

usage: python3 dcgan_step.py IMAGE_SIZE BASE_WIDTH BATCH THREADS STEPS WARMUP
prints one JSON line: {"torch": version, "threads": n, "seconds": [per-step wall seconds]}
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn


def generator(depth, nz, ngf, nc):
    width = ngf * 2 ** (depth - 2)
    layers = [nn.ConvTranspose2d(nz, width, 4, 1, 0, bias=False), nn.BatchNorm2d(width), nn.ReLU(True)]
    for _ in range(depth - 2):
        layers += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width // 2), nn.ReLU(True)]
        width //= 2
    layers += [nn.ConvTranspose2d(width, nc, 4, 2, 1, bias=False), nn.Tanh()]
    return nn.Sequential(*layers)


def discriminator(depth, ndf, nc):
    layers = [nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
    width = ndf
    for _ in range(depth - 2):
        layers += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 2), nn.LeakyReLU(0.2, inplace=True)]
        width *= 2
    layers += [nn.Conv2d(width, 1, 4, 1, 0, bias=False), nn.Sigmoid()]
    return nn.Sequential(*layers)


def init_weights(module):
    name = module.__class__.__name__
    if name.find('Conv') != -1:
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif name.find('BatchNorm') != -1:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def main():
    image_size, base_width, batch, threads, steps, warmup = (int(value) for value in sys.argv[1:7])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    depth = int(math.log2(image_size)) - 1  # layers per network: 5 at 64px, 4 at 32px
    nz, nc = 100, 3
    net_g = generator(depth, nz, base_width, nc)
    net_d = discriminator(depth, base_width, nc)
    net_g.apply(init_weights)
    net_d.apply(init_weights)
    criterion = nn.BCELoss()
    optimizer_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(batch, nc, image_size, image_size) * 2 - 1
    seconds = []
    for step in range(warmup + steps):
        began = time.perf_counter()
        net_d.zero_grad()
        label = torch.full((batch,), 1.0)
        error_real = criterion(net_d(real).view(-1), label)
        error_real.backward()
        noise = torch.randn(batch, nz, 1, 1)
        fake = net_g(noise)
        label.fill_(0.0)
        error_fake = criterion(net_d(fake.detach()).view(-1), label)
        error_fake.backward()
        optimizer_d.step()
        net_g.zero_grad()
        label.fill_(1.0)
        error_g = criterion(net_d(fake).view(-1), label)
        error_g.backward()
        optimizer_g.step()
        error_g.item()
        if step >= warmup:
            seconds.append(time.perf_counter() - began)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'seconds': seconds}))


if __name__ == '__main__':
    main()
