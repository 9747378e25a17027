"""A seed's bytes as text, read one way everywhere: UTF-8, byte-order mark dropped, line endings made one."""

from __future__ import annotations

import codecs

# Byte-order marks of the encodings a seed is not in, longest first (UTF-32 LE begins like UTF-16 LE).
_MARKS = ((codecs.BOM_UTF32_LE, "UTF-32 (little-endian)", "UTF-32"),
          (codecs.BOM_UTF32_BE, "UTF-32 (big-endian)", "UTF-32"),
          (codecs.BOM_UTF16_LE, "UTF-16 (little-endian)", "UTF-16"),
          (codecs.BOM_UTF16_BE, "UTF-16 (big-endian)", "UTF-16"))
# Without a mark, text in these encodings shows itself by where its NUL bytes fall (ASCII letters have a zero
# high byte): (name, iconv's name, the byte positions, of every four, that are NUL in such text).
_NUL_PATTERNS = (("UTF-32 (little-endian)", "UTF-32LE", (1, 2, 3)), ("UTF-32 (big-endian)", "UTF-32BE", (0, 1, 2)),
                 ("UTF-16 (little-endian)", "UTF-16LE", (1, 3)), ("UTF-16 (big-endian)", "UTF-16BE", (0, 2)))
# Line endings other than LF. CR LF and a lone CR end a line in every reader (CommonMark, browsers, editors);
# in plain text, so do NEL and the Unicode line separator, and the paragraph separator ends a paragraph.
_LINE_ENDINGS = (("\r\n", "\n"), ("\r", "\n"))
_PLAIN_LINE_ENDINGS = str.maketrans({"\x85": "\n", "\u2028": "\n", "\u2029": "\n\n"})


class TextError(Exception):
    """Why bytes are not a text glossdeck can read: what is wrong, the line if known, how to fix it."""

    def __init__(self, message: str, hint: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.hint, self.line = message, hint, line


def decode(data: bytes, name: str, markdown: bool) -> str:
    """The text of a seed's bytes, or TextError.

    The one way every command reads a seed, so that an offset means the same character everywhere: strict UTF-8,
    a leading byte-order mark dropped (it is no character of the essay), and every line ending one LF.
    """
    for mark, encoding, codec in _MARKS:
        if data.startswith(mark):
            raise _other_encoding(encoding, codec, name)
    if b"\x00" in data:
        sample = data[:4096]
        for encoding, codec, zeros in _NUL_PATTERNS:
            if _nul_pattern(sample, zeros) and _decodes(data, codec):
                raise _other_encoding(encoding, codec, name)
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise TextError("holds a NUL byte, which no text has", "give the text as UTF-8 text or Markdown", line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TextError(f"is not valid UTF-8 (byte 0x{data[error.start]:02x})",
                        f"save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8 {name}`), then update `sha256:`",
                        line) from None
    text = text.removeprefix("\ufeff")
    for ending, newline in _LINE_ENDINGS:
        text = text.replace(ending, newline)
    return text if markdown else text.translate(_PLAIN_LINE_ENDINGS)


def _other_encoding(encoding: str, codec: str, name: str) -> TextError:
    return TextError(f"is {encoding} text; glossdeck reads seeds as UTF-8",
                     f"convert it: `iconv -f {codec} -t UTF-8 {name} > converted`, put the converted file in its "
                     "place and update `sha256:` (or add it again with `glossdeck source add`)")


def _nul_pattern(sample: bytes, zeros: tuple[int, ...]) -> bool:
    """Whether most of the sample's bytes at these positions (of every four) are NUL, and few of the others."""
    counts = [0, 0, 0, 0]
    for index, byte in enumerate(sample[: len(sample) // 4 * 4]):
        counts[index % 4] += byte == 0
    quarter = max(len(sample) // 4, 1)
    return all(counts[i] >= 0.6 * quarter for i in zeros) and \
        all(counts[i] <= 0.1 * quarter for i in range(4) if i not in zeros)


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True
