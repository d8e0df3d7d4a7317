"""Format detection and the one entry point for parsing a payment message."""

from __future__ import annotations

from circumspect.errors import ParseError
from circumspect.payments.iso20022 import parse_iso20022
from circumspect.payments.model import PaymentMessage
from circumspect.payments.mt import parse_mt


def detect_format(raw: bytes) -> str | None:
    """``iso20022`` (XML), ``mt`` (FIN blocks) or None when neither."""
    head = raw[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return "iso20022"
    if head.startswith(b"{1:"):
        return "mt"
    return None


def parse_message(raw: bytes, file: str | None = None) -> PaymentMessage:
    """Parse one message of any supported format; :class:`ParseError` when it cannot."""
    kind = detect_format(raw)
    if kind == "iso20022":
        return parse_iso20022(raw, file)
    if kind == "mt":
        return parse_mt(raw, file)
    if not raw.strip():
        raise ParseError("empty message", file=file)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ParseError("UTF-16 text is not read: messages are UTF-8 (MT: ASCII/UTF-8)", file=file)
    raise ParseError(
        "unrecognised message format (neither ISO 20022 XML nor SWIFT MT starting with '{1:')",
        file=file,
    )
