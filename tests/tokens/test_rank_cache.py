"""The decoded o200k/cl100k tables are cached, checked before use, and rebuilt when the cache is bad."""

from advisor.tokens import counter


def test_the_cache_gives_the_same_table_and_a_damaged_one_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("FINETUNE_ADVISOR_CACHE", str(tmp_path))
    pinned = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"  # tiktoken's o200k_base SHA-256
    cold = counter._load_ranks("x/o200k_base.tiktoken", pinned)
    cache = counter._rank_cache_path("o200k_base", pinned)
    assert cache is not None and cache.exists() and cache.parent == tmp_path
    assert counter._cached_ranks(cache) == cold and len(cold) == 199_998
    blob = bytearray(cache.read_bytes())
    blob[-1000] ^= 0xFF  # one token's byte changed: the payload no longer matches its SHA-256
    cache.write_bytes(bytes(blob))
    assert counter._cached_ranks(cache) is None
    assert counter._load_ranks("x/o200k_base.tiktoken", pinned) == cold  # rebuilt from bpe-openai, cached again
    assert counter._cached_ranks(cache) == cold


def test_no_cache_without_a_pinned_hash_or_when_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("FINETUNE_ADVISOR_CACHE", "none")
    assert counter._rank_cache_path("o200k_base", "ab" * 32) is None
    monkeypatch.setenv("FINETUNE_ADVISOR_CACHE", str(tmp_path))
    assert counter._rank_cache_path("o200k_base", None) is None
