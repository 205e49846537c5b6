"""The browser tab's icon, drawn locally (a font or emoji CDN is not reachable offline)."""

from __future__ import annotations

__all__ = ["icon_image"]


def icon_image(size: int = 64):
    """A balance scale in the baseline's red and the fine-tune's blue, as a PIL image."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 64
    d.rectangle([30 * s, 10 * s, 34 * s, 54 * s], fill="#333333")            # post
    d.rectangle([18 * s, 52 * s, 46 * s, 58 * s], fill="#333333")            # foot
    d.line([8 * s, 18 * s, 56 * s, 14 * s], fill="#333333", width=max(1, round(3 * s)))  # beam
    d.pieslice([0, 16 * s, 20 * s, 40 * s], 0, 180, fill="#b2182b")          # left pan
    d.pieslice([44 * s, 12 * s, 64 * s, 36 * s], 0, 180, fill="#1f77b4")    # right pan
    return img
