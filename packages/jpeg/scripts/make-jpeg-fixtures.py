#!/usr/bin/python3
"""Writes the JPEG decoder's fixtures with libjpeg-turbo's own command-line tools (independent of our decoder).

For each variant, cjpeg encodes a seeded photo-like picture, and djpeg decodes it at every DCT scale (1/8, 1/4,
1/2, 1/1) to PNM files: the reference the tests compare the decoder (src/decoder/) with. Variants cover chroma
subsampling (4:2:0, 4:2:2, 4:4:0, 4:4:4), gray, restart intervals, optimised Huffman tables, sizes that are not a
multiple of the MCU, a sequential JPEG with one scan per component, and progressive JPEGs (with restart markers,
gray, 4:4:4). Arithmetic-coded and RGB JPEGs are written without references: the decoder must decline them (sharp
decodes those).

Needs Debian's libjpeg-turbo-progs, python3-numpy and python3-pil:
  apt-get install -y libjpeg-turbo-progs python3-numpy python3-pil
  /usr/bin/python3 packages/jpeg/scripts/make-jpeg-fixtures.py
"""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent / 'test' / 'fixtures'


def picture(seed, width, height):
    """Smooth gradients, a disc, a sharp bar and mild noise: the coefficients of a photo, not of flat colour."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    base = rng.uniform(40, 215, size=3)
    slope = rng.uniform(-2, 2, size=(3, 2)) * 64 / max(width, height)
    image = np.stack([base[c] + slope[c, 0] * x + slope[c, 1] * y for c in range(3)], axis=-1)
    cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    radius = rng.uniform(0.15, 0.3) * min(width, height)
    image[(x - cx) ** 2 + (y - cy) ** 2 < radius ** 2] = rng.uniform(0, 255, size=3)
    top = int(rng.uniform(0.1, 0.8) * height)
    image[top:top + max(1, height // 10), :, :] = rng.uniform(0, 255, size=3)
    image += rng.normal(0, 6, size=image.shape)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


# name: (width, height, cjpeg options, decodable by our decoder)
VARIANTS = {
    'baseline-420': (200, 136, ['-quality', '85'], True),
    'baseline-444': (75, 53, ['-quality', '90', '-sample', '1x1'], True),
    'baseline-422': (75, 53, ['-quality', '80', '-sample', '2x1'], True),
    'baseline-440': (75, 53, ['-quality', '80', '-sample', '1x2'], True),
    'odd-size-420': (77, 51, ['-quality', '75'], True),
    'gray': (75, 53, ['-quality', '90', '-grayscale'], True),
    'restart-rows': (120, 90, ['-quality', '85', '-restart', '1'], True),
    'restart-blocks': (120, 90, ['-quality', '85', '-restart', '5B'], True),
    'optimized': (120, 90, ['-quality', '95', '-optimize'], True),
    'multiscan': (64, 48, ['-quality', '85', '-scans', 'SCANS'], True),
    'progressive': (64, 48, ['-quality', '85', '-progressive'], True),
    'arithmetic': (64, 48, ['-quality', '85', '-arithmetic'], False),
    'rgb': (64, 48, ['-quality', '85', '-rgb'], False),
    'sampling-3x1': (75, 53, ['-quality', '85', '-sample', '3x1'], True),
    'progressive-large': (200, 136, ['-quality', '92', '-progressive'], True),
    'progressive-gray': (75, 53, ['-quality', '90', '-progressive', '-grayscale'], True),
    'progressive-restart': (120, 90, ['-quality', '85', '-progressive', '-restart', '1'], True),
    'progressive-444-odd': (77, 51, ['-quality', '80', '-progressive', '-sample', '1x1'], True),
    # Embedded ICC profiles (cjpeg -icc): lcms's sRGB (sharp's output is the same as without it: decoded) and an
    # XYZ profile (sharp converts: declined). lcms stamps profiles with the time, so these two files differ per run.
    'icc-srgb': (64, 48, ['-quality', '85', '-icc', 'SRGB'], True),
    'icc-xyz': (64, 48, ['-quality', '85', '-icc', 'XYZ'], False),
}


def main():
    if ROOT.exists():
        shutil.rmtree(ROOT)
    ROOT.mkdir(parents=True)
    from PIL import ImageCms
    profiles = {}
    for key, name in (('SRGB', 'sRGB'), ('XYZ', 'XYZ')):
        profiles[key] = ROOT / f'{name}.icc'
        profiles[key].write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile(name)).tobytes())
    scans = ROOT / 'sequential-scans.txt'
    # One full-spectrum scan per component: a sequential (not progressive) JPEG with non-interleaved scans.
    scans.write_text('0: 0 63 0 0;\n1: 0 63 0 0;\n2: 0 63 0 0;\n')
    manifest = {}
    for index, (name, (width, height, options, decodable)) in enumerate(VARIANTS.items()):
        gray = '-grayscale' in options
        pixels = picture(index + 1, width, height)
        source = ROOT / f'{name}.source.ppm'
        Image.fromarray(pixels).save(source)
        recorded = [scans.name if option == 'SCANS' else profiles[option].name if option in profiles else option for option in options]
        options = [str(scans) if option == 'SCANS' else str(profiles[option]) if option in profiles else option for option in options]
        jpeg = ROOT / f'{name}.jpg'
        subprocess.run(['cjpeg', *options, '-outfile', str(jpeg), str(source)], check=True)
        source.unlink()
        entry = {'width': width, 'height': height, 'channels': 1 if gray else 3, 'decodable': decodable, 'cjpeg': recorded, 'references': {}}
        if decodable and ('2x1' in options or '1x2' in options):
            # libjpeg-turbo's scaled decode of non-square subsampling upsamples chroma with its triangle filter; our
            # decoder scales chroma exactly in the IDCT. Reference: the full decode with chroma replicated (-nosmooth)
            # averaged over 8/scale-pixel boxes, which is what an exact scaled decode computes.
            full = ROOT / f'{name}.full.ppm'
            subprocess.run(['djpeg', '-nosmooth', '-pnm', '-outfile', str(full), str(jpeg)], check=True)
            decoded = np.asarray(Image.open(full), dtype=np.float64)
            full.unlink()
            for denominator in (8, 4, 2):
                rows, columns = height // denominator, width // denominator
                boxes = decoded[:rows * denominator, :columns * denominator].reshape(rows, denominator, columns, denominator, 3)
                reference = ROOT / f'{name}.box-1-{denominator}.ppm'
                Image.fromarray(np.clip(np.round(boxes.mean(axis=(1, 3))), 0, 255).astype(np.uint8)).save(reference)
                entry['references'][str(8 // denominator)] = reference.name
            entry['reference'] = 'box average of djpeg -nosmooth (whole boxes only)'
        elif decodable and '3x1' in options:
            # Chroma blocks 3 pixels wide at 1/8..1/2 scale: the decoder declines those scales; at full scale it
            # replicates chroma 3x, as djpeg -nosmooth.
            entry['reference'] = 'djpeg -nosmooth at 1/1; reduced scales declined'
            reference = ROOT / f'{name}.scale-1-1.ppm'
            subprocess.run(['djpeg', '-nosmooth', '-pnm', '-outfile', str(reference), str(jpeg)], check=True)
            entry['references']['8'] = reference.name
            entry['declinedScales'] = [1, 2, 4]
        elif decodable:
            entry['reference'] = 'djpeg -scale 1/N (-nosmooth at 1/1)'
            for denominator in (8, 4, 2, 1):
                extension = 'pgm' if gray else 'ppm'
                reference = ROOT / f'{name}.scale-1-{denominator}.{extension}'
                command = ['djpeg', '-scale', f'1/{denominator}', '-pnm', '-outfile', str(reference), str(jpeg)]
                if denominator == 1:
                    # Full scale upsamples chroma; our decoder replicates (libjpeg's -nosmooth), not its triangle filter.
                    command.insert(1, '-nosmooth')
                subprocess.run(command, check=True)
                entry['references'][str(8 // denominator)] = reference.name
        manifest[name] = entry
    scans.unlink()
    for path in profiles.values():
        path.unlink()

    # Resampling: Pillow's antialiased BILINEAR (the algorithm of src/resample.ts) on a lossless source.
    resample = {}
    source = picture(100, 61, 45)
    Image.fromarray(source).save(ROOT / 'resample-source.png')
    for width, height in ((23, 17), (40, 30), (61, 20), (90, 70), (7, 45)):
        name = f'resample-{width}x{height}.png'
        Image.fromarray(source).resize((width, height), Image.BILINEAR).save(ROOT / name)
        resample[f'{width}x{height}'] = name

    # Resampling a box of the source (Pillow's box argument: fractional, as a crop placed on a scaled decode).
    resample_boxes = {}
    for width, height, box in ((20, 15, (5.5, 3.25, 45.5, 33.25)), (31, 31, (0, 0, 30.5, 30.5)), (12, 40, (40.0, 2.0, 61.0, 45.0))):
        name = f'resample-box-{width}x{height}.png'
        Image.fromarray(source).resize((width, height), Image.BILINEAR, box=box).save(ROOT / name)
        resample_boxes[name] = {'width': width, 'height': height, 'box': list(box)}

    # A face-style crop region (exact box, full-resolution pixels) then resize to a square: PIL's draft() at the
    # scale where the box still covers the target, the box scaled to it, BILINEAR with that box.
    crops = {}
    for name, box, size in (('baseline-420', (37, 21, 90, 80), 24), ('progressive-large', (120, 10, 64, 64), 16), ('gray', (3, 4, 60, 40), 20)):
        image = Image.open(ROOT / f'{name}.jpg')
        width, height = image.size
        left, top, box_width, box_height = box
        # Our rule: the largest reduction 1/d whose output, ceil(side / d), still covers the box at the target size.
        # (PIL's own draft() rule floors instead, so ask it for exactly that d.)
        need_width, need_height = -(-size * width // box_width), -(-size * height // box_height)
        d = next(d for d in (8, 4, 2, 1) if -(-width // d) >= need_width and -(-height // d) >= need_height)
        image.draft(image.mode, (width // d, height // d))
        assert image.size == (-(-width // d), -(-height // d)), (name, image.size, d)
        factor = 1 / d  # exactly: a scaled pixel covers d x d full-size pixels (the last one may overhang)
        scaled = (left * factor, top * factor, (left + box_width) * factor, (top + box_height) * factor)
        reference = f'{name}.crop-{size}.png'
        image.convert('RGB').resize((size, size), Image.BILINEAR, box=scaled).save(ROOT / reference)
        crops[reference] = {'jpeg': f'{name}.jpg', 'box': list(box), 'size': size, 'draftSize': list(image.size)}

    # The whole fast path (LSUN recipe): PIL's draft() (libjpeg DCT scaling to the smallest scale covering the
    # size), BILINEAR to the shorter side, centre crop.
    pipeline = {}
    for name, size in (('baseline-420', 32), ('baseline-420', 64), ('odd-size-420', 16), ('gray', 24), ('restart-rows', 30), ('progressive-large', 48)):
        image = Image.open(ROOT / f'{name}.jpg')
        width, height = image.size
        if width < height:
            target = (size, round(height * size / width))
        else:
            target = (round(width * size / height), size)
        image.draft(image.mode, target)
        drafted = list(image.size)
        resized = image.resize(target, Image.BILINEAR)
        left, top = (target[0] - size) // 2, (target[1] - size) // 2
        reference = f'{name}.lsun-{size}.png'
        resized.crop((left, top, left + size, top + size)).save(ROOT / reference)
        pipeline[f'{name}/{size}'] = {'jpeg': f'{name}.jpg', 'size': size, 'reference': reference, 'draftSize': drafted}
    version = subprocess.run(['djpeg', '-version'], capture_output=True, text=True).stderr.strip()
    (ROOT / 'manifest.json').write_text(json.dumps({'tool': version, 'variants': manifest, 'resample': resample, 'resampleBoxes': resample_boxes, 'pipeline': pipeline, 'crops': crops}, indent=2) + '\n')


main()
