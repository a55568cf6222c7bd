"""Recognise images and videos by content (magic bytes), never by file name.

Evidence is renamed all the time (holiday.dll, .jpg files that are ZIPs): only the leading bytes count. The
table covers what Pillow decodes (images) and the containers FFmpeg reads for vPDQ (videos); anything else is
"other", and a zero-byte file is "empty". Needs the first 64 bytes (TIFF/MPEG-TS look a little further).
"""

from __future__ import annotations

IMAGE = "image"
VIDEO = "video"
OTHER = "other"
EMPTY = "empty"

#: bytes of the file head `sniff` wants (more is fine)
SNIFF_BYTES = 1024

_ISO_IMAGE_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"heim": "image/heic",
    b"heis": "image/heic",
    b"hevc": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
    b"avif": "image/avif",
    b"avis": "image/avif",
}
_ISO_VIDEO_BRANDS = {
    b"qt  ": "video/quicktime",
    b"M4V ": "video/mp4",
    b"M4VH": "video/mp4",
    b"M4VP": "video/mp4",
    b"f4v ": "video/mp4",
    b"crx ": "image/x-canon-cr3",
}


def _iso_bmff(head: bytes) -> tuple[str, str] | None:
    """ISO base media (MP4, MOV, 3GP, HEIF, AVIF): a box of type 'ftyp' at offset 4."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    major = head[8:12]
    box_len = int.from_bytes(head[0:4], "big")
    compatible = [head[i : i + 4] for i in range(16, min(box_len, len(head)) - 3, 4)]
    for brand in (major, *compatible):
        if brand in _ISO_IMAGE_BRANDS:
            return IMAGE, _ISO_IMAGE_BRANDS[brand]
    for brand in (major, *compatible):
        if brand in _ISO_VIDEO_BRANDS:
            mime = _ISO_VIDEO_BRANDS[brand]
            return (IMAGE if mime.startswith("image/") else VIDEO), mime
        if brand[:3] in (b"3gp", b"3g2"):
            return VIDEO, "video/3gpp"
    if major in (b"M4A ", b"M4B ", b"M4P "):
        return OTHER, "audio/mp4"
    return VIDEO, "video/mp4"  # isom, iso2, mp41, mp42, avc1, dash, ... : a movie container


def sniff(head: bytes) -> tuple[str, str | None]:
    """(media type, MIME type or None) from the first bytes of a file."""
    if not head:
        return EMPTY, None
    return _image(head) or _iso_bmff(head) or _video(head) or (OTHER, None)


def _image(head: bytes) -> tuple[str, str] | None:
    """Images Pillow decodes."""
    if head.startswith(b"\xff\xd8\xff"):
        return IMAGE, "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return IMAGE, "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return IMAGE, "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return IMAGE, "image/webp"
    if (
        head.startswith(b"BM")
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124)
    ):
        return IMAGE, "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return IMAGE, "image/tiff"  # also most camera raw formats (TIFF-based)
    if head.startswith(b"\x00\x00\x01\x00") and len(head) > 6 and head[4] > 0:
        return IMAGE, "image/x-icon"
    if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n") or head.startswith(b"\xff\x4f\xff\x51"):
        return IMAGE, "image/jp2"
    if head.startswith(b"\x00\x00\x00\x0cJXL \r\n\x87\n"):  # the bare FF 0A codestream is too weak a sign
        return IMAGE, "image/jxl"
    if head[:2] in (b"P1", b"P2", b"P3", b"P4", b"P5", b"P6") and len(head) > 2 and head[2:3].isspace():
        return IMAGE, "image/x-portable-anymap"
    if head.startswith(b"8BPS"):
        return IMAGE, "image/vnd.adobe.photoshop"
    return None


def _video(head: bytes) -> tuple[str, str] | None:
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return VIDEO, ("video/webm" if b"webm" in head[:64] else "video/x-matroska")
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return VIDEO, "video/x-msvideo"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return VIDEO, "video/x-ms-asf"
    if head.startswith(b"FLV\x01"):
        return VIDEO, "video/x-flv"
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return VIDEO, "video/mpeg"
    if len(head) >= 377 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47:
        return VIDEO, "video/mp2t"
    if head.startswith(b"OggS") and b"theora" in head[:64]:
        return VIDEO, "video/ogg"
    if head.startswith(b".RMF"):
        return VIDEO, "application/vnd.rn-realmedia"
    return None
