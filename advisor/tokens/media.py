"""Tokens of images, PDF files and audio in a prompt, as OpenAI bills them (or a documented estimate).

Images (OpenAI "Images and vision" guide, section "Calculating costs", platform.openai.com/docs/guides/
images-vision, as read 2025-08; rules, multipliers and worked examples quoted in the tests):

- **tile models** (gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3, gpt-4-turbo): ``detail="low"`` costs the base tokens;
  ``high`` scales the image to fit in 2048 x 2048, then so that its shortest side is 768 px (never up), and
  costs ``base + per_tile * tiles`` with 512 px tiles. gpt-4o 85 + 170/tile (1024 x 1024 -> 765;
  2048 x 4096 -> 1105); gpt-4o-mini 2833 + 5667/tile; gpt-5 70 + 140; o1/o3 75 + 150.
- **patch models** (gpt-4.1-mini, gpt-4.1-nano, o4-mini, gpt-5-mini, gpt-5-nano): 32 px patches covering the
  image, at most 1536 (larger images are shrunk to fit), times a per-model multiplier (gpt-4.1-mini 1.62,
  gpt-4.1-nano 2.46, o4-mini 1.72; 1024 x 1024 -> 1024 patches; 1800 x 2400 -> 1452 patches). Recorded
  billed usage shows gpt-5-mini at 1.2 and gpt-5-nano at 1.5 (640 x 480 -> 360 and 451 tokens), not the
  1.62 / 2.46 the guide lists; the billed values are used.
- ``detail="auto"`` (the default) is counted as ``high``: an assumption, reported.

Width and height are read from the image header in base64 data (PNG, JPEG, GIF, WebP; stdlib only). URL
images carry no size offline: they are counted at :data:`ASSUMED_URL_IMAGE_PX` and reported.

PDF ``file`` parts: the API sends each page as extracted text plus a page image; without a PDF parser we
count the pages (``/Type /Page`` objects) and estimate :data:`PDF_TOKENS_PER_PAGE` per page. ``input_audio``: whole tenths of a
second of audio (:data:`AUDIO_TOKENS_PER_S`) plus :data:`AUDIO_PART_TOKENS`, the duration read from the WAV
header or the MP3's first frame. Both are reported as estimates.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["LOWER_BOUND", "AUDIO_REFERENCE_NOTE", "is_lower_bound", "smallest_image_tokens", "PdfPageImages",
           "PDF_PAGE_IMAGES", "pdf_page_image_tokens", "ImageRule", "image_rule", "image_tokens", "image_size",
           "data_url_bytes", "ImageCount", "count_image_part", "count_file_part", "count_audio_part",
           "ASSUMED_URL_IMAGE_PX", "PDF_TOKENS_PER_PAGE", "PDF_PAGES_SPREAD_NOTE", "PDF_CHARS_PER_TOKEN",
           "AUDIO_TOKENS_PER_S", "AUDIO_PART_TOKENS", "pdf_pages", "pdf_text_chars"]

# A data-URL image whose header cannot be read is counted as 768 x 512 (2 tiles: the median size of the recorded
# calls' images) and reported as an assumption.
ASSUMED_URL_IMAGE_PX = (768, 512)
LOWER_BOUND = "(a lower bound)"  # ends every note on a part the request cannot show (its tokens are left out)
URL_IMAGE_NOTE = ("image given by URL: its size is not in the log, counted as the smallest image {model} bills "
                  "({tokens} tokens each) " + LOWER_BOUND)
FILE_REFERENCE_NOTE = "file given by file_id or URL: its content is not in the log, not counted " + LOWER_BOUND
# An assistant turn that refers to its earlier spoken answer by ``{"audio": {"id": ...}}`` (audio the API stored) is
# billed with that audio, which the log does not hold. Measured (h5tok, 2026-12-08): openai/openai-dotnet's audio
# conversation tests (gpt-4o-audio-preview and gpt-audio-1.5, 6 calls) billed 101-199 prompt tokens more than
# their text and input audio counted (e.g. 84 counted, 204 billed); none in the fitted files. The count says so.
AUDIO_REFERENCE_NOTE = "audio given by id (an earlier answer's audio): not in the log, not counted " + LOWER_BOUND


def is_lower_bound(note: str) -> bool:
    """Whether a counting note says a part of the request was left out (the count is a lower bound).

    >>> is_lower_bound(FILE_REFERENCE_NOTE), is_lower_bound("image detail 'auto' counted as 'high'")
    (True, False)
    """
    return isinstance(note, str) and LOWER_BOUND in note


def smallest_image_tokens(detail: str, rule: ImageRule) -> int:
    """The fewest tokens one image can bill under ``rule``: ``base`` (low detail; ``auto`` may choose it) or
    ``base`` + one 512 px tile (high), or one 32 px patch times the multiplier.

    >>> smallest_image_tokens("high", ImageRule("tile", 85, 170)), smallest_image_tokens("auto", ImageRule("tile", 85, 170))
    (255, 85)
    >>> smallest_image_tokens("auto", ImageRule("patch", multiplier=2.46))
    3
    """
    return image_tokens(1, 1, "high" if detail == "high" else "low", rule)
# PDF: the API bills each page's image plus its extracted text. Estimate: PDF_TOKENS_PER_PAGE per page (the
# recorded one-page PDFs with next to no text billed 215-225) + the text shown by the page content streams
# (strings inside BT...ET, Flate-decoded with zlib) at PDF_CHARS_PER_TOKEN (a recorded page of prose: 3,587
# characters, ~735 tokens beyond the page image).
PDF_TOKENS_PER_PAGE = 215
PDF_CHARS_PER_TOKEN = 4.0
# A PDF of several pages is billed per page by what the request does not show (how the API extracts its text, the
# pictures on its pages, the date), so its estimate carries the spread measured (h6rules, 2026-12-08) on heldout4's
# two multi-page Chat PDFs: a 9-page report of text only (HumanSignal/Adala, gpt-4o-mini, 2025-05) counted 9,327,
# billed 8,169 (0.88x); a 10-page article with 16 pictures (llmrb/llm) counted 9,376, billed 13,253 on gpt-4o-mini
# and gpt-4.1 from 2025-05 to 2025-08 (1.41x) and 8,807 on gpt-4.1 on 2025-09-06 (0.94x). One-page PDFs bill
# 215-219 beyond their text (13 recorded calls, gpt-4o, gpt-4o-mini, gpt-5-mini, 2025-04 to 2026-02).
PDF_PAGES_SPREAD_NOTE = ("a PDF of several pages bills 0.88 to 1.41 times this estimate (measured on two: its text "
                         "as the API extracts it and the pictures on its pages are not in the estimate)")
# audio input: 10 tokens per second, whole tenths only (the usage's audio_tokens: a 6.96 s WAV 69, a 0.2 s WAV 2, an
# MP3 of 4.49 s 44 and of 1.70 s 17), plus AUDIO_PART_TOKENS text tokens framing each part (its text_tokens: 4 more
# than the messages' text on all 7 recorded single-audio calls of gpt-4o-audio-preview, gpt-audio and gpt-audio-1.5;
# the same models' plain text calls are exact without). An MP3's duration is read from its first frame (bit rate,
# or the frame count of a Xing/Info header), else from the size at MP3_BITS_PER_S. Measured (h6rules, 2026-12-08):
# fitted logfire-d01be40519d6, pydantic-ai-fc5c4015efa9, -6a8d42628090 (17/21, 78/81, 61/64 counted/billed before)
# and heldout4 openai-dotnet-842b604a5c9d, -28dec7743c77 (36/28: a 160 kbit/s MP3 read at 96) now exact;
# mirascope-21b5d5bc4589 49 -> 43 for 42 (a VBR MP3: its Xing frame count gives 2.616 s, 25 audio tokens billed).
AUDIO_TOKENS_PER_S = 10.0
AUDIO_PART_TOKENS = 4
MP3_BITS_PER_S = 96_000


@dataclass(frozen=True)
class ImageRule:
    """How one model family bills an image: tiles (base + per tile) or patches (times a multiplier)."""

    kind: str                 # "tile" | "patch"
    base: int = 0             # tile: tokens for low detail, and added to every high-detail image
    per_tile: int = 0         # tile: tokens per 512 px tile
    multiplier: float = 1.0   # patch: tokens per 32 px patch


# (model prefix, rule); the longest matching prefix wins. Source: OpenAI vision guide, "Calculating costs".
_RULES: tuple[tuple[str, ImageRule], ...] = (
    ("gpt-4.1-mini", ImageRule("patch", multiplier=1.62)),
    ("gpt-4.1-nano", ImageRule("patch", multiplier=2.46)),
    ("gpt-5-mini", ImageRule("patch", multiplier=1.2)),   # billed usage: 640x480 -> 360 (300 patches)
    ("gpt-5-nano", ImageRule("patch", multiplier=1.5)),   # billed usage: 640x480 -> 451
    # gpt-5.2 and later bill patches at 1.2 (OpenAI's pricing-page calculator and the measurements quoted in
    # community.openai.com/t/1377015: gpt-5.2, gpt-5.4, gpt-5.4-mini, gpt-5.4-nano 1.2x, 1536-patch cap);
    # recorded: gpt-5.4 bills a 60 x 30 px PNG at 3 tokens (2 patches), not the tile rule's 210
    ("gpt-5.2", ImageRule("patch", multiplier=1.2)),
    ("gpt-5.3", ImageRule("patch", multiplier=1.2)),
    ("gpt-5.4", ImageRule("patch", multiplier=1.2)),
    ("gpt-5.5", ImageRule("patch", multiplier=1.2)),
    ("gpt-5.6", ImageRule("patch", multiplier=1.2)),
    ("o4-mini", ImageRule("patch", multiplier=1.72)),
    ("gpt-4o-mini", ImageRule("tile", 2833, 5667)),
    ("gpt-4o", ImageRule("tile", 85, 170)),
    ("gpt-4.1", ImageRule("tile", 85, 170)),
    ("gpt-4.5", ImageRule("tile", 85, 170)),
    ("gpt-4-turbo", ImageRule("tile", 85, 170)),
    ("gpt-4-vision", ImageRule("tile", 85, 170)),
    ("chatgpt-4o", ImageRule("tile", 85, 170)),
    ("gpt-5", ImageRule("tile", 70, 140)),
    ("o1", ImageRule("tile", 75, 150)),
    ("o3", ImageRule("tile", 75, 150)),
    ("computer-use", ImageRule("tile", 65, 129)),
)
_DEFAULT_RULE = ImageRule("tile", 85, 170)


def image_rule(model: str) -> tuple[ImageRule, bool]:
    """(rule, assumed): the model's image rule; gpt-4o's rule flagged as assumed for an unknown model.

    >>> image_rule("gpt-4o-mini-2024-07-18")[0].base
    2833
    >>> image_rule("gpt-5-mini")[0].kind
    'patch'
    """
    name = (model or "").rsplit("/", 1)[-1].removeprefix("ft:")
    best = max((p for p, _ in _RULES if name.startswith(p)), key=len, default=None)
    if best is None:
        return _DEFAULT_RULE, True
    return dict(_RULES)[best], False


def _tiles(width: int, height: int) -> int:
    """512 px tiles after fitting in 2048 x 2048 and scaling the shortest side down to 768.

    >>> _tiles(1024, 1024), _tiles(2048, 4096)
    (4, 6)
    """
    w, h = float(width), float(height)
    if max(w, h) > 2048:
        s = 2048 / max(w, h)
        w, h = w * s, h * s
    if min(w, h) > 768:
        s = 768 / min(w, h)
        w, h = w * s, h * s
    return math.ceil(w / 512) * math.ceil(h / 512)


def _patches(width: int, height: int, cap: int = 1536) -> int:
    """32 px patches covering the image, shrunk to at most ``cap`` patches.

    >>> _patches(1024, 1024), _patches(1800, 2400)
    (1024, 1452)
    """
    w, h = float(width), float(height)
    if math.ceil(w / 32) * math.ceil(h / 32) > cap:
        s = math.sqrt(32 * 32 * cap / (w * h))
        s *= min(math.floor(w * s / 32) / (w * s / 32), math.floor(h * s / 32) / (h * s / 32))
        w, h = w * s, h * s
    return min(cap, math.ceil(w / 32) * math.ceil(h / 32))


def image_tokens(width: int, height: int, detail: str, rule: ImageRule) -> int:
    """Tokens of one image of ``width`` x ``height`` px.

    tile: ``base`` if detail is low, else ``base + per_tile * tiles``; patch: ``ceil(patches * multiplier)``.

    >>> image_tokens(1024, 1024, "high", ImageRule("tile", 85, 170))   # OpenAI's worked example
    765
    >>> image_tokens(2048, 4096, "high", ImageRule("tile", 85, 170))
    1105
    >>> image_tokens(4096, 8192, "low", ImageRule("tile", 85, 170))
    85
    """
    if width <= 0 or height <= 0:
        return rule.base
    if rule.kind == "patch":
        return math.ceil(_patches(width, height) * rule.multiplier)
    if detail == "low":
        return rule.base
    return rule.base + rule.per_tile * _tiles(width, height)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, JPEG, GIF or WebP header; None for anything else.

    >>> image_size(b"\\x89PNG\\r\\n\\x1a\\n" + b"\\x00\\x00\\x00\\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big"))
    (640, 480)
    """
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_size(data)
        if data[:2] == b"\xff\xd8":
            return _jpeg_size(data)
    except (struct.error, IndexError, ValueError):
        return None
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if chunk == b"VP8 ":
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L":
        b = int.from_bytes(data[21:25], "little")
        return (b & 0x3FFF) + 1, ((b >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            i += 1 if marker == 0xFF else 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None


def data_url_bytes(url: str, limit: int | None = None) -> bytes | None:
    """The decoded bytes of a ``data:...;base64,`` URL (or bare base64), at most ``limit`` bytes; else None."""
    if not isinstance(url, str):
        return None
    head, sep, payload = url.partition(",")
    if sep and not head.startswith("data:"):
        return None
    if not sep:
        payload = url
    if limit is not None:
        payload = payload[: (limit // 3 + 1) * 4]
    try:
        return base64.b64decode(payload + "=" * (-len(payload) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None


def _b64_len(payload: str) -> int:
    """Decoded size in bytes of base64 text (no decoding)."""
    p = payload.split(",", 1)[-1].strip()
    return len(p) * 3 // 4 - p[-2:].count("=")


@dataclass(frozen=True)
class ImageCount:
    tokens: int
    assumption: str | None = None   # what was assumed, for the report (None when exact by the rules)


def count_image_part(part: Mapping[str, Any], model: str) -> ImageCount:
    """Tokens of a chat ``image_url`` / Responses ``input_image`` part."""
    spec = part.get("image_url", part)
    if isinstance(spec, str):
        url, detail = spec, "auto"
    elif isinstance(spec, Mapping):
        url, detail = spec.get("url", spec.get("image_url", "")), spec.get("detail", part.get("detail", "auto"))
    else:
        url, detail = "", "auto"
    detail = detail if detail in ("low", "high", "auto") else "auto"
    rule, assumed_rule = image_rule(model)
    notes = []
    if assumed_rule:
        notes.append(f"image on {model or 'an unknown model'} counted with gpt-4o's tile rule")
    size = None
    if isinstance(url, str) and url.startswith("data:"):
        head = data_url_bytes(url, limit=64 * 1024)
        size = image_size(head) if head else None
        if size is None:
            notes.append("image data of unknown format counted at the assumed URL-image size")
    if not (isinstance(url, str) and url.startswith("data:")):  # a URL (or a file id): its size cannot be known
        tokens = smallest_image_tokens(detail, rule)
        notes.append(URL_IMAGE_NOTE.format(model=model or "gpt-4o", tokens=tokens))
        return ImageCount(tokens, "; ".join(notes))
    w, h = size or ASSUMED_URL_IMAGE_PX
    tokens = image_tokens(w, h, "high" if detail == "auto" else detail, rule)
    if detail == "auto" and rule.kind == "tile":
        notes.append("image detail 'auto' counted as 'high'")
    return ImageCount(tokens, "; ".join(notes) or None)


def pdf_pages(data: bytes) -> int:
    """Pages of a PDF: its ``/Type /Page`` objects (at least 1).

    >>> pdf_pages(b"%PDF-1.4 << /Type /Pages >> << /Type /Page >> << /Type/Page >>")
    2
    """
    return max(1, len(_PAGE.findall(data)))


_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
# streams that draw no text: images (their JPEG bytes hold chance 'BT ... ET' runs), embedded fonts, object and
# cross-reference streams, metadata and attachments. Read from the stream's dictionary (after its 'obj').
_NOT_CONTENT = re.compile(rb"/Subtype\s*/Image|/Length[123](?![0-9])|/(?:DCT|JPX|CCITTFax|JBIG2)Decode"
                          rb"|/Type\s*/(?:XRef|ObjStm|Metadata|EmbeddedFile|XObject\s*/Subtype\s*/Image)")
_TEXT_BLOCK = re.compile(rb"BT(.*?)ET", re.S)
_PDF_STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\)|<([0-9A-Fa-f\s]*)>")
_ESCAPE = re.compile(rb"\\(?:[0-7]{1,3}|\r?\n|.)", re.S)
_SPACES = re.compile(rb"\s+")


def _unescape(m: re.Match[bytes]) -> bytes:
    """The byte an escape stands for (an octal code as its value; any other escape as one byte)."""
    code = m.group(0)[1:]
    return bytes([int(code, 8) & 0xFF]) if code[:1].isdigit() else code[-1:]


def _literal_chars(lit: bytes) -> int:
    """Characters a PDF literal string shows: escapes (``\\(``, ``\\053``) one byte each, runs of spaces one,
    and two bytes a character when every other byte is 0-3 (the glyph ids of an Identity-H font).

    >>> _literal_chars(b"a\\\\(b)  c"), _literal_chars(b"\\000,\\000Q\\000W")
    (6, 3)
    """
    raw = _ESCAPE.sub(_unescape, lit)
    if len(raw) >= 2 and len(raw) % 2 == 0 and max(raw[0::2]) <= 3:
        return len(raw) // 2
    return len(_SPACES.sub(b" ", raw))


def pdf_text_chars(data: bytes, max_streams: int = 2000) -> int:
    """Characters of text a PDF's content streams draw (literal strings in BT...ET blocks, hex strings at
    one character per four digits); 0 when none can be read. Image, font and other non-content streams are
    skipped: measured (h6rules, 2026-12-08) on heldout4's two multi-page PDFs, reading a JPEG's bytes and
    2-byte glyph ids as text had doubled their text (50,559 and 58,724 characters where pdfminer.six extracts
    31,973 and 29,630), so they were counted 14,814 and 16,738 for bills of 8,807-13,253 and 8,169.

    >>> pdf_text_chars(b"1 0 obj << >> stream\\nBT /F1 12 Tf (Hello,   world!) Tj ET\\nendstream")
    13
    >>> pdf_text_chars(b"1 0 obj <</Subtype/Image/Filter/DCTDecode>> stream\\nBT (x) ET\\nendstream")
    0
    """
    chars = 0
    for k, m in enumerate(_STREAM.finditer(data)):
        if k >= max_streams:
            break
        head = max(data.rfind(b"obj", max(0, m.start() - 4096), m.start()), m.start() - 4096, 0)
        if _NOT_CONTENT.search(data, head, m.start()):
            continue
        body = m.group(1)
        try:
            body = zlib.decompressobj().decompress(body, 4 * 1024 * 1024)
        except zlib.error:
            pass
        for block in _TEXT_BLOCK.findall(body):
            for lit, hexa in _PDF_STRING.findall(block):
                chars += _literal_chars(lit) if lit else len(_SPACES.sub(b"", hexa)) // 4
    return chars


# a Responses input_file also bills its filename and 2 framing tokens (the calibration split's 3 PDF calls with
# readable text: 4 tokens under with neither, "document.pdf" being 2 tokens; held-out: the same on 6 more calls)
RESPONSES_FILE_TOKENS = 2
_TEXT_MEDIA = ("text/", "application/json", "application/xml", "application/x-yaml", "application/yaml",
               "application/csv")
TEXT_FILE_NOTE = "text file parts counted as their decoded text"
RESPONSES_PDF_NOTE = ("Responses API PDF input_file parts estimated as their text at {chars:g} characters per "
                      "token (the recorded Responses calls bill no page images)")


def file_text(part: Mapping[str, Any]) -> str | None:
    """The text of a file part whose data URL is a text type (``text/plain``, JSON, CSV, ...), else None.

    >>> file_text({"type": "input_file", "file_data": "data:text/plain;base64,aGVsbG8="})
    'hello'
    >>> file_text({"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBERi0="}}) is None
    True
    """
    spec = part.get("file", part)
    data = spec.get("file_data", "") if isinstance(spec, Mapping) else ""
    if not isinstance(data, str) or not data.startswith("data:"):
        return None
    media = data[5:data.find(";") if ";" in data[:100] else data.find(",")].strip().lower()
    if not media.startswith(_TEXT_MEDIA):
        return None
    raw = data_url_bytes(data, limit=64 * 1024 * 1024)
    return raw.decode("utf-8", errors="replace") if raw is not None else None


@dataclass(frozen=True)
class PdfPageImages:
    """When Chat Completions started billing the image of each PDF page (the PDF guide: "we put into the model's
    context both the extracted text and an image of each page"), on which models, and how much a page's image bills.

    Measured on recorded calls of the calibration corpus (crmne/ruby_llm cassettes, the same one-page PDF of 2,842
    characters recorded again and again): gpt-4.1-nano and gpt-5-nano Chat calls up to 2026-02-10 08:53 UTC bill the
    page's text only (1,003 and 1,080 tokens); from 2026-03-03 11:46 UTC on, 780 more per page on both models
    (1,783 and 1,869; two PDFs 1,418-1,421 more): one flat page image, whatever the model's own image rule.
    Calls between the two times carry :data:`PDF_PAGE_IMAGE_UNSURE_NOTE`; calls without a time are counted with
    the page images (as billed now) and say so. Other models were not measured: their page images are left out
    and the count says it is a lower bound (:data:`PDF_PAGE_IMAGE_UNMEASURED_NOTE`).
    """

    last_without_s: float = 1770713597.0   # 2026-02-10T08:53:17Z
    first_with_s: float = 1772538410.0     # 2026-03-03T11:46:50Z
    tokens_per_page: int = 780
    models: tuple[str, ...] = ("gpt-4.1-nano", "gpt-5-nano")  # name prefixes measured


PDF_PAGE_IMAGES = PdfPageImages()
PDF_PAGE_IMAGE_UNSURE_NOTE = ("PDF made between 2026-02-10 and 2026-03-03, when Chat Completions began billing an "
                              "image of each page ({tokens} tokens a page): counted with the page images")
PDF_PAGE_IMAGE_UNTIMED_NOTE = ("PDF pages counted with their page image ({tokens} tokens a page, billed since "
                               "2026-03-03): the call's time is not in the log")
PDF_PAGE_IMAGE_UNMEASURED_NOTE = ("PDF page images on {model}: billed since 2026-03-03 on gpt-4.1-nano and gpt-5-nano, "
                                  "not measured on this model, not counted " + LOWER_BOUND)


def pdf_page_image_tokens(timestamp_s: float | None, model: str = "gpt-4.1-nano",
                          period: PdfPageImages = PDF_PAGE_IMAGES) -> tuple[int, str | None]:
    """(tokens per page for the page image, note) of a Chat Completions PDF made at ``timestamp_s`` on ``model``.

    >>> pdf_page_image_tokens(1767967221)[0], pdf_page_image_tokens(1775129006)[0]   # 2026-01-09, 2026-04-02
    (0, 780)
    >>> pdf_page_image_tokens(1775129006, "gpt-4o")[0]
    0
    """
    if timestamp_s is not None and timestamp_s <= period.last_without_s:
        return 0, None
    name = (model or "").rsplit("/", 1)[-1].removeprefix("ft:")
    if not name.startswith(period.models):
        return 0, PDF_PAGE_IMAGE_UNMEASURED_NOTE.format(model=name or "an unknown model")
    if timestamp_s is None:
        return period.tokens_per_page, PDF_PAGE_IMAGE_UNTIMED_NOTE.format(tokens=period.tokens_per_page)
    if timestamp_s < period.first_with_s:
        return period.tokens_per_page, PDF_PAGE_IMAGE_UNSURE_NOTE.format(tokens=period.tokens_per_page)
    return period.tokens_per_page, None


_MIME = re.compile(r"[\w.+-]{1,40}/[\w.+-]{1,80}")  # a media type shown in a note (anything else: 'unknown')
UNREADABLE_FILE_NOTE = "file of type {media} given as data: its text cannot be read offline, not counted " + LOWER_BOUND


def count_file_part(part: Mapping[str, Any], model: str, timestamp_s: float | None = None) -> ImageCount:
    """Estimated tokens of a ``file`` part (PDF): pages x :data:`PDF_TOKENS_PER_PAGE` + text characters /
    :data:`PDF_CHARS_PER_TOKEN`; reported as an estimate. A Responses API ``input_file`` PDF is billed as its
    text alone (the same PDFs recorded through both APIs: Chat Completions 241 and 235 tokens, Responses 29 and
    54), so its pages add nothing there. Text files are counted by the caller (:func:`file_text`)."""
    spec = part.get("file", part)
    data = spec.get("file_data", "") if isinstance(spec, Mapping) else ""
    if not isinstance(data, str) or not data:
        return ImageCount(0, FILE_REFERENCE_NOTE)
    raw = data_url_bytes(data, limit=64 * 1024 * 1024) or b""
    if raw[:5] != b"%PDF-":  # a Word or Excel file, an archive: the API reads it, we cannot
        media = data[5:data.find(";")] if data.startswith("data:") and ";" in data[:128] else ""
        return ImageCount(0, UNREADABLE_FILE_NOTE.format(media=media if _MIME.fullmatch(media) else "unknown"))
    text_tokens = math.ceil(pdf_text_chars(raw) / PDF_CHARS_PER_TOKEN)
    if part.get("type") == "input_file":
        return ImageCount(text_tokens, RESPONSES_PDF_NOTE.format(chars=PDF_CHARS_PER_TOKEN))
    page_image, note = pdf_page_image_tokens(timestamp_s, model)
    pages = pdf_pages(raw)
    notes = [f"PDF file parts estimated at {PDF_TOKENS_PER_PAGE} tokens per page plus their "
             f"text at {PDF_CHARS_PER_TOKEN:g} characters per token"] + ([note] if note else [])
    if pages > 1:
        notes.append(PDF_PAGES_SPREAD_NOTE)
    return ImageCount(pages * (PDF_TOKENS_PER_PAGE + page_image) + text_tokens, "; ".join(notes))


def count_audio_part(part: Mapping[str, Any], model: str) -> ImageCount:
    """Estimated tokens of an ``input_audio`` part: :data:`AUDIO_PART_TOKENS` + whole tenths of a second of audio
    (:data:`AUDIO_TOKENS_PER_S`).

    >>> count_audio_part({"input_audio": {"format": "wav", "data": _wav_b64(32000, 222754)}}, "gpt-4o-audio-preview").tokens
    73
    """
    spec = part.get("input_audio", part)
    data = spec.get("data", "") if isinstance(spec, Mapping) else ""
    fmt = spec.get("format", "wav") if isinstance(spec, Mapping) else "wav"
    if not isinstance(data, str) or not data:
        return ImageCount(0, "audio part without data not counted")
    seconds = _audio_seconds(data, fmt)
    return ImageCount(AUDIO_PART_TOKENS + math.floor(seconds * AUDIO_TOKENS_PER_S + 1e-9),
                      f"input audio estimated at {AUDIO_TOKENS_PER_S:g} tokens per second")


def _wav_b64(byte_rate: int, n_bytes: int) -> str:
    """Base64 of a silent WAV: its 44-byte header (``byte_rate`` bytes a second) and ``n_bytes`` of samples."""
    head = b"RIFF" + (36 + n_bytes).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little") + bytes(8)
    head += byte_rate.to_bytes(4, "little") + bytes(4) + b"data" + n_bytes.to_bytes(4, "little")
    return base64.b64encode(head + bytes(n_bytes)).decode()


def _audio_seconds(data: str, fmt: str) -> float:
    """Duration from a WAV header (byte rate) or an MP3's first frame, else from the size at
    :data:`MP3_BITS_PER_S`."""
    n = _b64_len(data)
    if fmt == "wav":
        head = data_url_bytes(data, limit=64)
        if head and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            byte_rate = int.from_bytes(head[28:32], "little")
            if byte_rate > 0:
                return max(n - 44, 0) / byte_rate
    if fmt == "mp3":
        seconds = _mp3_seconds(data, n)
        if seconds is not None:
            return seconds
    return n * 8 / MP3_BITS_PER_S


# kbit/s by bit-rate index: MPEG-1 Layer III, MPEG-2/2.5 Layer III; sample rates by version (MPEG-1, 2, 2.5)
_MP3_KBPS = ((0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
             (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160))
_MP3_HZ = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mp3_seconds(data: str, n: int) -> float | None:
    """Seconds of an MP3 (Layer III) from its first frame after any ID3v2 tag: a Xing/Info header's frame count,
    else the size at the frame's bit rate; None when no frame header is found.

    >>> round(_mp3_seconds(base64.b64encode(bytes([0xFF, 0xF3, 0xE4, 0xC4]) + bytes(34076)).decode(), 34080), 3)
    1.704
    """
    head = data_url_bytes(data, limit=16 * 1024) or b""
    start = 0
    if head[:3] == b"ID3" and len(head) >= 10:
        start = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | head[9] & 0x7F)
        head = data_url_bytes(data, limit=start + 4096) or b""
    sync = next((i for i in range(start, min(len(head) - 3, start + 4096))
                 if head[i] == 0xFF and head[i + 1] & 0xE0 == 0xE0), None)
    if sync is None:
        return None
    h = int.from_bytes(head[sync:sync + 4], "big")
    version, layer, rate_i, hz_i = (h >> 19) & 3, (h >> 17) & 3, (h >> 12) & 15, (h >> 10) & 3
    if layer != 1 or version == 1 or hz_i == 3 or rate_i in (0, 15):
        return None
    hz = _MP3_HZ[version][hz_i]
    samples = 1152 if version == 3 else 576
    tag = max(head.find(b"Xing", sync, sync + 64), head.find(b"Info", sync, sync + 64))
    if tag > 0 and int.from_bytes(head[tag + 4:tag + 8], "big") & 1:
        return int.from_bytes(head[tag + 8:tag + 12], "big") * samples / hz
    return (n - sync) * 8 / (_MP3_KBPS[version != 3][rate_i] * 1000)
