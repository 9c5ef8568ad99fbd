import json
import shutil

import pytest

from cleaner import Cleaner, ModelError, load_model
from cleaner.classify import SHIPPED_MODEL, card_path, save_model


def test_the_shipped_model_loads_after_its_checksum_matches():
    assert load_model() is not None


def test_a_model_outside_models_needs_explicit_trust(tmp_path, lopo):
    path = tmp_path / "mine.joblib"
    save_model(lopo("002_8b0eba742893faf0"), path)
    with pytest.raises(ModelError, match="trust"):
        load_model(path)
    with pytest.raises(ModelError, match="trust"):
        Cleaner(path)
    assert load_model(path, trust=True) is not None


def test_a_model_that_does_not_match_its_card_is_refused(tmp_path, lopo):
    path = tmp_path / "mine.joblib"
    save_model(lopo("002_8b0eba742893faf0"), path)
    with open(path, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ModelError, match="does not match its card"):
        load_model(path, trust=True)


def test_the_card_describes_the_model(tmp_path):
    card = json.loads(card_path(SHIPPED_MODEL).read_text())
    for key in ("sha256", "classes", "features", "training_data", "held_out", "versions", "member_seeds"):
        assert key in card
    assert card["classes"] == ["body", "chrome", "comment", "spam"]


def test_a_shipped_folder_copy_without_card_is_refused(tmp_path, monkeypatch):
    import cleaner.classify as classify

    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(SHIPPED_MODEL, folder / "cleaner.joblib")
    monkeypatch.setattr(classify, "SHIPPED_DIR", folder)
    with pytest.raises(ModelError, match="no card"):
        load_model(folder / "cleaner.joblib")
