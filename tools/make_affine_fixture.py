"""Golden values for convlab's affine augmentation (src/data/augment.rs), made with OpenCV.

Run from the repository root:  python3 tools/make_affine_fixture.py
Needs: pip install opencv-python-headless numpy
Writes tests/fixtures/warp_affine.json with
  - rotation_matrix: cv2.getRotationMatrix2D(center, angle, scale) for a few cases;
  - warp_affine: cv2.warpAffine(src, M, (w, h)) with the defaults INTER_LINEAR and
    BORDER_CONSTANT 0, on float32 images (HWC), for a 28x28x1 digit-like pattern and a
    6x9x3 random image.
"""

import json
import pathlib

import cv2
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "warp_affine.json"


def digit_like_pattern():
    """A 28x28 "7" with soft edges, pixels k/255 like a scaled MNIST image."""
    y, x = np.mgrid[0:28, 0:28].astype(np.float64)
    bar = np.exp(-(((y - 7.0) / 1.6) ** 2)) * ((x > 6) & (x < 22))
    # The diagonal stroke from (7, 21) down to (23, 11).
    distance = np.abs((x - 21.0) * 16.0 + (y - 7.0) * 10.0) / np.hypot(16.0, 10.0)
    stroke = np.exp(-((distance / 1.4) ** 2)) * ((y > 6) & (y < 24))
    image = np.clip(np.maximum(bar, stroke), 0.0, 1.0)
    return (np.round(image * 255.0) / 255.0).astype(np.float32)[:, :, None]


def warp_case(name, src, center, angle, scale, shift):
    height, width, _ = src.shape
    matrix = cv2.getRotationMatrix2D(center, angle, scale)
    matrix[0, 2] += shift[0]
    matrix[1, 2] += shift[1]
    dst = cv2.warpAffine(src, matrix, (width, height))
    return {
        "name": name,
        "height": height,
        "width": width,
        "channels": src.shape[2],
        "matrix": matrix.tolist(),
        "src": src.reshape(-1).tolist(),
        "dst": dst.reshape(-1).astype(np.float32).tolist(),
    }


def main():
    rotation_cases = [
        ((13.5, 13.5), 30.0, 1.1),
        ((0.0, 0.0), 90.0, 1.0),
        ((10.0, 5.0), -45.0, 0.8),
        ((4.0, 2.5), 0.0, 1.0),
        ((13.5, 13.5), 173.0, 0.9),
    ]
    rotations = [
        {
            "center": list(center),
            "angle": angle,
            "scale": scale,
            "matrix": cv2.getRotationMatrix2D(center, angle, scale).tolist(),
        }
        for center, angle, scale in rotation_cases
    ]
    rng = np.random.default_rng(2024)
    colour = rng.random((6, 9, 3)).astype(np.float32)
    warps = [
        warp_case("digit_rotate_30_zoom_1.1_shift", digit_like_pattern(),
                  (13.5, 13.5), 30.0, 1.1, (2.5, -1.5)),
        warp_case("colour_6x9_rotate_-50_zoom_0.7_shift", colour,
                  (4.0, 2.5), -50.0, 0.7, (0.8, 0.3)),
    ]
    fixture = {
        "generator": "tools/make_affine_fixture.py",
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "rotation_matrix": rotations,
        "warp_affine": warps,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} (OpenCV {cv2.__version__})")


if __name__ == "__main__":
    main()
