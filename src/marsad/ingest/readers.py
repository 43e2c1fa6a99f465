"""Read inputs from disk: files, directories (recursive, sorted) and globs, with encoding
detection, yielding one ``RawDoc`` per input (or per record) or an ``InputError``.

Kinds: ``.txt`` → text; ``.html``/``.htm`` → html; ``.json`` (one record or a list of them),
``.jsonl`` (one record per line, origin ``path#N`` with N 1-based) and TREC-style ``.xml``
(``<DOC><DOCNO>…</DOCNO>…<TEXT>…</TEXT></DOC>`` as in the ANT corpus, origin ``path#DOCNO``)
→ record. Any of those may be gzipped (``.jsonl.gz``).

A bad input never raises: it yields ``InputError(origin, problem)`` and the batch goes on.
"""

from __future__ import annotations

import glob
import gzip
import html as htmllib
import json
import os
import re
import stat
from typing import Iterable, Iterator

from marsad.errors import InputError
from marsad.model import RawDoc

KINDS = {".txt": "text", ".html": "html", ".htm": "html", ".json": "json", ".jsonl": "jsonl",
         ".xml": "xml"}
DEFAULT_MAX_BYTES = 20_000_000
TOO_DEEP = "JSON nested too deeply to be a news record"

_MAGIC = {b"%PDF": "PDF", b"\x89PNG": "PNG image", b"\xff\xd8\xff": "JPEG image",
          b"GIF8": "GIF image", b"PK\x03\x04": "ZIP archive", b"\x7fELF": "executable",
          b"MZ": "executable", b"\x1f\x8b": "gzip data", b"BZh": "bzip2 data",
          b"\xfd7zXZ": "xz data", b"Rar!": "RAR archive", b"SQLite format": "SQLite database",
          b"ID3": "MP3 audio", b"OggS": "Ogg media", b"RIFF": "RIFF media"}


def _ext(path: str) -> tuple[str, bool]:
    """(extension without .gz, gzipped?)"""
    p = path.lower()
    gz = p.endswith(".gz")
    if gz:
        p = p[:-3]
    return os.path.splitext(p)[1], gz


# --- decoding --------------------------------------------------------------------------------

_AR_LETTERS = re.compile(r"[\u0621-\u064A]")


def _arabic_score(text: str) -> float:
    """Share of known Arabic news words among the Arabic words of a decoded sample."""
    from marsad.text.lexicon import counts
    from marsad.text.tokenize import words

    ws = [w for w in words(text[:20_000]) if not w.isascii() and len(w) >= 2]
    if len(ws) < 3:  # too few words to tell text from noise
        return 0.0
    lex = counts()
    if not lex:
        return len(_AR_LETTERS.findall(text)) / max(1, len(text))
    return sum(1 for w in ws if w in lex) / len(ws)


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: Arabic text puts 0x06 (or 0x00 for ASCII) in every high byte."""
    sample = data[:4000]
    if len(sample) < 4 or len(sample) % 2:
        return None
    odd, even = sample[1::2], sample[0::2]
    hi = set(b"\x00\x06")
    # 0.9: real UTF-16 Arabic/ASCII text has every high byte in {0x00, 0x06}; single-byte
    # encodings essentially never do over 4 KB.
    if sum(b in hi for b in odd) >= 0.9 * len(odd):
        return "utf-16-le"
    if sum(b in hi for b in even) >= 0.9 * len(even):
        return "utf-16-be"
    return None


def decode(data: bytes, origin: str = "") -> tuple[str, str]:
    """Decode bytes to text, returning (text, encoding). Raises InputError when the bytes are
    binary or fit none of UTF-8, UTF-16, windows-1256, ISO-8859-6 (or what charset-normalizer
    recognises with confidence)."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
                     (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise InputError(origin, f"undecodable bytes: {enc} byte-order mark but invalid "
                                         f"{enc} at byte {exc.start}") from None
    enc16 = _looks_utf16(data)
    if enc16:
        try:
            return data.decode(enc16), enc16
        except UnicodeDecodeError:
            pass
    for sig, what in _MAGIC.items():
        if data.startswith(sig):
            raise InputError(origin, f"binary file ({what}), not text")
    head = data[:8192]
    if b"\x00" in head:
        raise InputError(origin, "binary file (NUL bytes), not text")
    ctrl = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    # 2% control bytes: text files have none beyond tab/newline; binaries have plenty.
    if head and ctrl > 0.02 * len(head):
        raise InputError(origin, "binary file (control bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_err = exc
    # Single-byte Arabic code pages: both decode most bytes, so pick the one whose words are
    # real Arabic words.
    best: tuple[float, str, str] | None = None
    for enc in ("cp1256", "iso8859_6"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        score = _arabic_score(text)
        if best is None or score > best[0]:
            best = (score, text, enc)
    # 0.5: a correctly decoded Arabic news text has 85-95% of its words in the lexicon; the
    # wrong code page or random bytes give under 10%.
    if best and best[0] >= 0.5:
        return best[1], {"cp1256": "windows-1256", "iso8859_6": "iso-8859-6"}[best[2]]
    try:
        from charset_normalizer import from_bytes

        match = from_bytes(data).best()
    except Exception:  # charset-normalizer failing is just "no guess"
        match = None
    # chaos 0.1: charset-normalizer's own "looks like clean text" level. It also calls random
    # bytes clean, so the decoded text must be mostly letters too: 0.75 of the non-space
    # characters (real prose in any script: 0.8-0.9; the junk in the tests: ~0.5).
    if match is not None and match.chaos <= 0.1 and match.encoding not in ("utf_8",):
        decoded = str(match)
        chars = [c for c in decoded[:20_000] if not c.isspace()]
        if chars and sum(c.isalpha() for c in chars) >= 0.75 * len(chars):
            return decoded, match.encoding
    raise InputError(origin, f"undecodable bytes: not UTF-8 (invalid byte at {utf8_err.start}), "
                             "UTF-16, windows-1256 or ISO-8859-6")


# --- per-kind readers ------------------------------------------------------------------------

def _read_bytes(path: str, origin: str, max_bytes: int, gz: bool) -> bytes:
    """The bytes of a regular file, at most ``max_bytes`` (after decompression for gzip).

    Only regular files are read (after following symlinks): a FIFO would block for ever and a
    device such as /dev/zero never ends. Reads are bounded whatever ``stat`` says, since a file
    may grow while it is read."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(origin, f"cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        what = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise InputError(origin, f"not a regular file ({what}); only regular files are read")
    if st.st_size > max_bytes:
        raise InputError(origin, f"file too large: {st.st_size:,} bytes (limit {max_bytes:,})")
    try:
        opener = gzip.open if gz else open
        with opener(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(origin, f"cannot read: {exc}") from None
    if len(data) > max_bytes:
        once = " once decompressed" if gz else ""
        raise InputError(origin, f"file too large{once} (limit {max_bytes:,} bytes)")
    return data


# A news record is a flat object, perhaps with a list of paragraphs or an author object inside;
# 32 levels is far beyond any real one and keeps every later stage (hashing, pickling to
# worker processes) clear of Python's recursion limit.
MAX_RECORD_DEPTH = 32


def _too_deep(obj: object, limit: int = MAX_RECORD_DEPTH) -> bool:
    stack = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if isinstance(o, (dict, list)):
            if d > limit:
                return True
            stack.extend((v, d + 1) for v in (o.values() if isinstance(o, dict) else o))
    return False


_SURROGATE = re.compile("[\ud800-\udfff]")


def _mend_surrogates(obj: object) -> object:
    """``obj`` with every lone UTF-16 surrogate (a JSON escape such as ``\\ud800`` without
    its partner) replaced by U+FFFD: it is not text, and no later stage can encode it."""
    if isinstance(obj, str):
        return _SURROGATE.sub("\ufffd", obj)
    if isinstance(obj, dict):
        return {_mend_surrogates(k): _mend_surrogates(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_mend_surrogates(v) for v in obj]
    return obj


def _record(origin: str, rec: object, hints: dict) -> RawDoc | InputError:
    if not isinstance(rec, dict):
        return InputError(origin, f"record is a JSON {type(rec).__name__}, expected an object")
    if _too_deep(rec):
        return InputError(origin, TOO_DEEP)
    return RawDoc(origin=origin, kind="record", fields=_mend_surrogates(rec), hints=dict(hints))


def _read_json(text: str, origin: str, hints: dict) -> Iterator[RawDoc | InputError]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield InputError(origin, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return
    except RecursionError:
        yield InputError(origin, TOO_DEEP)
        return
    if isinstance(data, dict):
        # a wrapper object: {"articles": [...]} (also items / data / records / entries)
        for key in ("articles", "items", "data", "records", "entries"):
            inner = data.get(key)
            if isinstance(inner, list) and inner and all(isinstance(x, dict) for x in inner) \
                    and not any(k in data for k in ("text", "body", "content", "html")):
                data = inner
                break
    if isinstance(data, list):
        if not data:
            yield InputError(origin, "empty JSON list: no records")
        for i, rec in enumerate(data, 1):
            yield _record(f"{origin}#{i}", rec, hints)
    else:
        yield _record(origin, data, hints)


def _read_jsonl(text: str, origin: str, hints: dict) -> Iterator[RawDoc | InputError]:
    any_line = False
    # JSON Lines are separated by "\n" alone: str.splitlines would also cut at U+2028, U+0085
    # and other characters that real records hold inside their strings.
    for i, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        any_line = True
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(f"{origin}#{i}", f"malformed JSON line: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            yield InputError(f"{origin}#{i}", TOO_DEEP)
            continue
        yield _record(f"{origin}#{i}", rec, hints)
    if not any_line:
        yield InputError(origin, "empty file: no JSON lines")


_DOC = re.compile(r"<DOC\b[^>]*>(.*?)</DOC\s*>", re.S | re.I)
_FIELD = re.compile(r"<([A-Za-z][\w.-]*)\b[^>]*>(.*?)</\1\s*>", re.S)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)


def _xml_text(s: str) -> str:
    s = _CDATA.sub(lambda m: m.group(1), s)
    if "<" in s:
        s = re.sub(r"<(?:/?p|br|/div|/h\d)\b[^>]*>", "\n", s, flags=re.I)  # paragraph breaks
        s = re.sub(r"<[^>]+>", "", s)
    return htmllib.unescape(s).strip()


def _read_trec(text: str, origin: str, hints: dict) -> Iterator[RawDoc | InputError]:
    """TREC-style SGML/XML: any number of <DOC> blocks, one record each (field names lower-cased)."""
    docs = _DOC.findall(text)
    opened = len(re.findall(r"<DOC\b[^>]*>", text, re.I))
    if not docs:
        if opened:
            yield InputError(origin, "malformed XML: <DOC> without a closing </DOC>")
            return
        try:
            from lxml import etree

            etree.fromstring(text.encode("utf-8"))
        except Exception as exc:  # lxml's XMLSyntaxError and friends: report the parser message
            yield InputError(origin, f"malformed XML: {exc}")
            return
        yield InputError(origin, "XML without TREC <DOC> records")
        return
    if opened > len(docs):
        yield InputError(origin, f"malformed XML: {opened - len(docs)} <DOC> block(s) not closed")
    for i, body in enumerate(docs, 1):
        fields: dict[str, str] = {}
        for m in _FIELD.finditer(body):
            name = m.group(1).lower()
            fields.setdefault(name, _xml_text(m.group(2)))
        if not fields:
            yield InputError(f"{origin}#{i}", "malformed XML: <DOC> with no fields")
            continue
        docno = fields.get("docno", "").strip()
        yield RawDoc(origin=f"{origin}#{docno or i}", kind="record", fields=fields, hints=dict(hints))


def read_file(path: str, origin: str | None = None,
              max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDoc | InputError]:
    """The RawDocs of one file (several for JSON lists, JSONL and TREC XML)."""
    origin = origin or path
    ext, gz = _ext(path)
    kind = KINDS.get(ext)
    if kind is None:
        yield InputError(origin, f"unsupported file type {ext or '(none)'!r}; expected "
                                 ".txt, .html, .htm, .json, .jsonl or .xml")
        return
    try:
        data = _read_bytes(path, origin, max_bytes, gz)
        if not data.strip():
            raise InputError(origin, "empty file")
        text, enc = decode(data, origin)
    except InputError as exc:
        yield exc
        return
    text = text.lstrip("\ufeff")
    if not text.strip():
        yield InputError(origin, "empty file (only whitespace)")
        return
    hints = {"encoding": enc, "ext": ext, "path": path}
    if kind == "text":
        yield RawDoc(origin=origin, kind="text", text=text, hints=hints)
    elif kind == "html":
        yield RawDoc(origin=origin, kind="html", html=text, hints=hints)
    elif kind == "json":
        yield from _read_json(text, origin, hints)
    elif kind == "jsonl":
        yield from _read_jsonl(text, origin, hints)
    else:
        yield from _read_trec(text, origin, hints)


def _known(path: str) -> bool:
    return _ext(path)[0] in KINDS


def _walk(root: str) -> Iterator[str | InputError]:
    """Files under ``root``, recursively, sorted, hidden files and directories skipped; a
    directory that cannot be listed is an InputError, not a silent gap in the batch."""
    failed: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=failed.append):
        while failed:
            yield _unlisted(root, failed.pop(0))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for f in sorted(filenames):
            if not f.startswith("."):
                yield os.path.join(dirpath, f)
    while failed:
        yield _unlisted(root, failed.pop(0))


def _unlisted(root: str, exc: OSError) -> InputError:
    rel = os.path.relpath(exc.filename, root) if exc.filename else "."
    where = root if rel == "." else _join(root, rel)
    return InputError(where, f"directory cannot be read: {exc.strerror or exc}")


def _files_under(top: str, max_bytes: int) -> Iterator[RawDoc | InputError]:
    for f in _walk(top):
        if isinstance(f, InputError):
            yield f
        elif _known(f):
            yield from read_file(f, _join(top, os.path.relpath(f, top)), max_bytes)


def _join(given: str, rel: str) -> str:
    rel = rel.replace(os.sep, "/")
    return f"{given.rstrip('/')}/{rel}" if given not in ("", ".") else rel


def read_inputs(paths: Iterable[str], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDoc | InputError]:
    """Every input under ``paths`` (files, directories, globs), in a stable order.

    Origins are the path as given, joined with the path relative to a named directory.
    Files of an unknown type inside a directory (or matched by a glob) are skipped silently;
    an explicitly named one is an error.
    """
    for given in paths:
        given = str(given)
        if os.path.isdir(given):
            yield from _files_under(given, max_bytes)
        elif os.path.exists(given):
            yield from read_file(given, given, max_bytes)
        elif glob.has_magic(given):
            matches = sorted(glob.glob(given, recursive=True))
            if not matches:
                yield InputError(given, "no file matches this pattern")
            for m in matches:
                if os.path.isdir(m):
                    yield from _files_under(m, max_bytes)
                elif _known(m):
                    yield from read_file(m, m, max_bytes)
        else:
            yield InputError(given, "no such file or directory")


__all__ = ["read_inputs", "read_file", "decode", "KINDS", "DEFAULT_MAX_BYTES"]
