#!/usr/bin/env python3
"""Reference PDQ hashes for harrier-detect's port (crates/detect/src/hash/pdq.rs).

What: draws a handful of small test images with Pillow (deterministic: fixed
sizes, shapes and a seeded noise generator), writes them under
crates/detect/testdata/pdq/, hashes each twice with Meta's C++ reference
from ThreatExchange (pdq/cpp) and writes expected.toml:
- `hash`, `quality`: from the PyPI package `pdqhash`, a Cython binding that
  compiles Meta's C++ but computes luma itself (see below);
- `cpp_hash`, `cpp_quality`: from a ten-line C++ driver compiled here with
  g++ against the same C++ sources, luma by Meta's fillFloatLumaFromRGB,
  exactly what `pdq_from_image_bytes` ports;
- `rgb_sha256`: SHA-256 of the RGB pixels Pillow decoded, so the Rust test
  can tell a decoder difference from a port difference.
Hashes are 64 hex digits, the way ThreatExchange prints them.

Why: the Rust port must give the same bits as Meta's code; the test
crates/detect/tests/pdq_reference.rs reads expected.toml.

What not: it does not run in CI (it needs pip and a C++ compiler). Run it by
hand when the images or the port change:

    python3 -m venv /tmp/pdq-venv
    /tmp/pdq-venv/bin/pip install pdqhash==0.2.8 pillow numpy wheel cython setuptools
    # The C++ sources ship in pdqhash's sdist:
    /tmp/pdq-venv/bin/pip download --no-deps --no-build-isolation \
        --no-binary pdqhash pdqhash==0.2.8 -d /tmp/pdq-sdist
    tar xzf /tmp/pdq-sdist/pdqhash-0.2.8.tar.gz -C /tmp/pdq-sdist
    /tmp/pdq-venv/bin/python scripts/pdq-reference.py \
        --cpp-source /tmp/pdq-sdist/pdqhash-0.2.8/ThreatExchange

Two things to know about the wrapper, both handled in the Rust test:
- `pdqhash.compute` computes luma in float64 and rounds it to float32, where
  the C++ reference (fillFloatLumaFromRGB) computes it in float32; the two
  can differ in the last bit of a pixel's luma.
- it needs three channels, so greyscale images are given as R=G=B; the
  float64 luma of a grey pixel is then exactly its value, as in the C++
  (fillFloatLumaFromGrey).
JPEG files are hashed from Pillow's decoding (libjpeg-turbo); the Rust side
decodes with zune-jpeg, whose pixels may differ slightly.
"""

import argparse
import hashlib
import io
import pathlib
import random
import subprocess
import tempfile

import numpy as np
import pdqhash
from PIL import Image, ImageDraw, ImageFont

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "crates" / "detect" / "testdata" / "pdq"


def gradient():
    """A diagonal colour gradient: smooth, few strong edges."""
    w, h = 128, 96
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 // (w - 1)).astype(np.uint8)
    g = (y * 255 // (h - 1)).astype(np.uint8)
    b = ((x + y) * 255 // (w + h - 2)).astype(np.uint8)
    return Image.fromarray(np.dstack([r, g, b]), "RGB")


def shapes():
    """Filled shapes on a light background: the 'photo' the copies derive from."""
    im = Image.new("RGB", (160, 120), (235, 230, 220))
    d = ImageDraw.Draw(im)
    d.rectangle([10, 10, 70, 60], fill=(200, 30, 30))
    d.ellipse([80, 20, 150, 90], fill=(30, 60, 190))
    d.polygon([(20, 110), (60, 70), (100, 110)], fill=(20, 150, 60))
    d.line([(0, 119), (159, 0)], fill=(10, 10, 10), width=3)
    d.rectangle([110, 95, 150, 115], outline=(90, 40, 120), width=4)
    return im


def noise():
    """Seeded grey noise, 64x64: exercises the reference's no-blur path for
    64x64 input and the greyscale path."""
    rng = random.Random(20261124)
    data = bytes(rng.randrange(256) for _ in range(64 * 64))
    return Image.frombytes("L", (64, 64), data)


def text():
    """Black text on white: high-frequency content."""
    im = Image.new("RGB", (200, 80), (255, 255, 255))
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default()
    d.text((8, 10), "Harrier PDQ test", fill=(0, 0, 0), font=font)
    d.text((8, 40), "0123456789 abcdefg", fill=(40, 40, 40), font=font)
    return im


def jpeg_bytes(im, quality):
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def png_bytes(im):
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def images():
    """(file name, bytes, relation to shapes.png or None) for every test image."""
    base = shapes()
    out = [
        ("gradient.png", png_bytes(gradient()), None),
        ("shapes.png", png_bytes(base), None),
        ("noise.png", png_bytes(noise()), None),
        ("text.png", png_bytes(text()), None),
        # Copies of shapes.png that PDQ should still match (distance <= 31).
        ("shapes-resized.png", png_bytes(base.resize((96, 72), Image.BILINEAR)), "copy_of"),
        ("shapes.jpg", jpeg_bytes(base, 85), "copy_of"),
        ("shapes-low.jpg", jpeg_bytes(base.resize((120, 90), Image.BILINEAR), 40), "copy_of"),
        # Larger sizes give the box filter wider windows: 800x600 has odd
        # windows (7, 5), 1024x512 even ones (8, 4). Nearest-neighbour keeps
        # the colours flat, so the PNGs stay a few KiB.
        ("shapes-large.png", png_bytes(base.resize((800, 600), Image.NEAREST)), "copy_of"),
        ("text-large.png", png_bytes(text().resize((1024, 512), Image.NEAREST)), None),
        # PDQ is not made for rotation (beyond its dihedral variants): a
        # 4-degree turn lands well past 31. Kept to pin that limit.
        ("shapes-rotated.png",
         png_bytes(base.rotate(4, resample=Image.BILINEAR, fillcolor=(235, 230, 220))),
         "rotated_from"),
        # Flat and low quality (< 50): its bits are unstable under JPEG, so it
        # is no copy test, only a port check.
        ("gradient.jpg", jpeg_bytes(gradient(), 90), None),
    ]
    return out


def pdq_of(data):
    """Hash as the Python world does it: decode with Pillow, hand RGB to
    Meta's C++ through pdqhash."""
    im = Image.open(io.BytesIO(data))
    im.load()
    rgb = np.ascontiguousarray(np.asarray(im.convert("RGB")))
    bits, quality = pdqhash.compute(rgb)
    # The wrapper lists bit 255 first, which is the first hex digit's top bit
    # in ThreatExchange's text form: packbits (big-endian) gives that form.
    hex_hash = np.packbits(bits.astype(np.uint8)).tobytes().hex()
    return hex_hash, int(quality), im.size, im.mode


# Reads "W H\n" and W*H*3 bytes of RGB; prints Meta's hash and quality.
DRIVER = r"""
#include <pdq/cpp/downscaling/downscaling.h>
#include <pdq/cpp/hashing/pdqhashing.h>
#include <cstdio>
#include <vector>
using namespace facebook::pdq;
int main() {
  int w, h;
  if (scanf("%d %d", &w, &h) != 2 || getchar() != '\n') return 1;
  std::vector<uint8_t> rgb(size_t(w) * h * 3);
  if (fread(rgb.data(), 1, rgb.size(), stdin) != rgb.size()) return 2;
  std::vector<float> luma(size_t(w) * h), scratch(size_t(w) * h);
  downscaling::fillFloatLumaFromRGB(
      &rgb[0], &rgb[1], &rgb[2], h, w, w * 3, 3, luma.data());
  float a[64][64], t[16][64], b[16][16];
  hashing::Hash256 hash;
  int quality;
  hashing::pdqHash256FromFloatLuma(
      luma.data(), scratch.data(), h, w, a, t, b, hash, quality);
  printf("%s %d\n", hash.format().c_str(), quality);
}
"""


def build_driver(source, workdir):
    """Compiles DRIVER against Meta's pdq/cpp under `source`."""
    cpp = pathlib.Path(source) / "pdq" / "cpp"
    driver = pathlib.Path(workdir) / "driver.cpp"
    driver.write_text(DRIVER)
    binary = pathlib.Path(workdir) / "pdq-driver"
    units = ["hashing/pdqhashing.cpp", "downscaling/downscaling.cpp", "hashing/torben.cpp",
             "common/pdqhashtypes.cpp", "common/pdqhamming.cpp"]
    subprocess.run(["g++", "-O2", "-std=c++14", f"-I{source}", str(driver)]
                   + [str(cpp / u) for u in units] + ["-o", str(binary)], check=True)
    return binary


def cpp_pdq_of(binary, data):
    """Meta's C++ on Pillow's RGB pixels, luma computed by the C++."""
    im = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = im.size
    out = subprocess.run([str(binary)], input=f"{w} {h}\n".encode() + im.tobytes(),
                         capture_output=True, check=True).stdout.decode().split()
    return out[0], int(out[1]), hashlib.sha256(im.tobytes()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    parser.add_argument("--cpp-source", required=True,
                        help="directory holding pdq/cpp (ThreatExchange or pdqhash's sdist)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="pdq-reference-")
    binary = build_driver(args.cpp_source, workdir)

    lines = [
        "# Reference PDQ hashes, written by scripts/pdq-reference.py: do not edit.",
        f"# pdqhash {pdqhash.__version__} (Meta's C++ reference), Pillow {Image.__version__},"
        f" numpy {np.__version__}.",
        "# hash, quality: pdqhash's binding (its own float64 luma); cpp_hash,",
        "# cpp_quality: Meta's C++ with its own float32 luma; rgb_sha256: Pillow's",
        "# decoded RGB pixels. Hashes are 64 hex digits as ThreatExchange prints them.",
        "# copy_of: the original this file was resized and/or recompressed from;",
        "# PDQ should keep it within distance 31. rotated_from: turned by 4 degrees,",
        "# which PDQ is not made for (it lands past 31).",
        "",
    ]
    for name, data, relation in images():
        (args.out / name).write_bytes(data)
        hex_hash, quality, (w, h), mode = pdq_of(data)
        cpp_hash, cpp_quality, rgb_sha256 = cpp_pdq_of(binary, data)
        lines += [
            "[[image]]",
            f'file = "{name}"',
            f"width = {w}",
            f"height = {h}",
            f'mode = "{mode}"',
            f'hash = "{hex_hash}"',
            f"quality = {quality}",
            f'cpp_hash = "{cpp_hash}"',
            f"cpp_quality = {cpp_quality}",
            f'rgb_sha256 = "{rgb_sha256}"',
        ]
        if relation:
            lines.append(f'{relation} = "shapes.png"')
        lines.append("")
        apart = bin(int(hex_hash, 16) ^ int(cpp_hash, 16)).count("1")
        print(f"{name:20} {len(data):5} B {w}x{h} {mode:3} q={quality:3} {hex_hash}"
              f" (C++ luma: {apart} bits apart)")
    (args.out / "expected.toml").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
