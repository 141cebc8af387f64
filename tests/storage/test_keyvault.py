"""Key slots: one random database key, wrapped once per way in."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from desktop.errors import StoreDamaged, StoreMissing, WrongPassword, WrongRecoveryKey
from desktop.storage.keyvault import (
    MAX_STRANGER_RECORDS,
    RECOVERY_KEY_BYTES,
    RECOVERY_SLOT,
    KeyFile,
    Keys,
    format_recovery_key,
    keys_path_for,
    new_database_key,
    parse_recovery_key,
)

USERNAME = "bernadette.okonkwo"


def _all_keys() -> Keys:
    """Everything a slot can open: the case, front-desk and audit keys."""
    return Keys(front_desk=new_database_key(), cases=new_database_key(), audit=new_database_key())


@pytest.fixture
def keys(tmp_path: Path) -> KeyFile:
    return KeyFile.create(tmp_path / "store.casebook.keys")


def _slots(path: Path) -> dict[str, dict[str, object]]:
    return json.loads(path.read_text("utf-8"))["slots"]


def test_keys_path_sits_beside_the_store(tmp_path: Path) -> None:
    assert keys_path_for(tmp_path / "a.casebook") == tmp_path / "a.casebook.keys"


def test_password_round_trip(keys: KeyFile) -> None:
    db_key = _all_keys()
    keys.set_password(USERNAME, "a long password", db_key)
    assert keys.open_with_password(USERNAME, "a long password").keys == db_key
    # Usernames are matched without regard to case.
    assert keys.open_with_password(USERNAME.upper(), "a long password").keys == db_key
    with pytest.raises(WrongPassword):
        keys.open_with_password(USERNAME, "a long passwore")
    with pytest.raises(WrongPassword):
        keys.open_with_password("nobody", "a long password")


def test_round_trip_survives_save_and_load(keys: KeyFile) -> None:
    db_key = _all_keys()
    keys.set_password(USERNAME, "a long password", db_key)
    recovery = keys.set_recovery(db_key)
    keys.save()
    loaded = KeyFile.load(keys.path)
    assert loaded.store_id == keys.store_id
    assert loaded.open_with_password(USERNAME, "a long password").keys == db_key
    assert loaded.open_with_recovery_key(recovery).keys == db_key


def test_each_slot_wraps_differently(keys: KeyFile) -> None:
    db_key = _all_keys()
    keys.set_password("ann", "same password 1", db_key)
    keys.set_password("bob", "same password 1", db_key)
    keys.set_recovery(db_key)
    keys.add_device(db_key)
    keys.save()
    slots = _slots(keys.path)
    assert len(slots) == 4
    wrapped = [slot["box"]["ct"] for slot in slots.values()]
    assert len(set(wrapped)) == len(wrapped)
    for secret in (db_key.cases, db_key.front_desk, db_key.audit):
        assert secret is not None
        assert base64.b64encode(secret).decode() not in keys.path.read_text()
        assert secret.hex() not in keys.path.read_text()


def test_setting_a_password_again_leaves_other_slots_alone(keys: KeyFile) -> None:
    db_key = _all_keys()
    keys.set_password("ann", "first password", db_key)
    keys.set_password("bob", "bobs password", db_key)
    keys.save()
    before = _slots(keys.path)
    keys.set_password("ann", "second password", db_key)
    keys.save()
    after = _slots(keys.path)
    bob = keys.user_slot_id("bob")
    assert after[bob] == before[bob]
    assert after[keys.user_slot_id("ann")] != before[keys.user_slot_id("ann")]
    with pytest.raises(WrongPassword):
        keys.open_with_password("ann", "first password")
    assert keys.open_with_password("ann", "second password").keys == db_key


def test_recovery_key_format() -> None:
    raw = bytes(range(RECOVERY_KEY_BYTES))
    text = format_recovery_key(raw)
    groups = text.split("-")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert parse_recovery_key(text) == raw
    assert parse_recovery_key(text.lower().replace("-", " ")) == raw


def test_recovery_key_forgives_lookalikes() -> None:
    raw = base64.b32decode("OOOOIIIIBBBB" + "A" * 20)
    assert parse_recovery_key("0000-1111-8888-" + "AAAA-" * 4 + "AAAA") == raw


@pytest.mark.parametrize("bad", ["", "ABCD", "A" * 31, "A" * 33, "ABCD-EFGH-!" + "A" * 21])
def test_malformed_recovery_key(bad: str) -> None:
    with pytest.raises(WrongRecoveryKey) as info:
        parse_recovery_key(bad)
    assert "32" in info.value.message


def test_wrong_recovery_key(keys: KeyFile) -> None:
    db_key = _all_keys()
    keys.set_recovery(db_key)
    with pytest.raises(WrongRecoveryKey):
        keys.open_with_recovery_key(format_recovery_key(b"\x01" * RECOVERY_KEY_BYTES))


def test_replacing_the_recovery_key_retires_the_old_one(keys: KeyFile) -> None:
    db_key = _all_keys()
    old = keys.set_recovery(db_key)
    new = keys.set_recovery(db_key)
    assert keys.open_with_recovery_key(new).keys == db_key
    with pytest.raises(WrongRecoveryKey):
        keys.open_with_recovery_key(old)


def test_no_recovery_slot(keys: KeyFile) -> None:
    with pytest.raises(WrongRecoveryKey):
        keys.open_with_recovery_key(format_recovery_key(b"\x00" * RECOVERY_KEY_BYTES))


def _tamper(path: Path, slot_id: str, field: str) -> None:
    data = json.loads(path.read_text("utf-8"))
    holder = (
        data["slots"][slot_id]["box"] if field in ("ct", "nonce", "epk") else data["slots"][slot_id]
    )
    raw = bytearray(base64.b64decode(holder[field]))
    raw[0] ^= 0x01
    holder[field] = base64.b64encode(bytes(raw)).decode()
    path.write_text(json.dumps(data), "utf-8")


@pytest.mark.parametrize("field", ["ct", "nonce", "epk", "public"])
def test_tampered_password_slot_fails_its_tag(keys: KeyFile, field: str) -> None:
    db_key = _all_keys()
    keys.set_password(USERNAME, "a long password", db_key)
    keys.save()
    _tamper(keys.path, keys.user_slot_id(USERNAME), field)
    with pytest.raises(WrongPassword):
        KeyFile.load(keys.path).open_with_password(USERNAME, "a long password")


def test_tampered_recovery_slot_fails_its_tag(keys: KeyFile) -> None:
    db_key = _all_keys()
    recovery = keys.set_recovery(db_key)
    keys.save()
    _tamper(keys.path, RECOVERY_SLOT, "ct")
    with pytest.raises(WrongRecoveryKey):
        KeyFile.load(keys.path).open_with_recovery_key(recovery)


def test_slot_moved_to_another_name_does_not_open(keys: KeyFile) -> None:
    """The slot id is bound into the tag, so copying Ann's slot under Bob's name fails."""
    db_key = _all_keys()
    keys.set_password("ann", "anns password", db_key)
    keys.set_password("bob", "bobs password", db_key)
    keys.save()
    data = json.loads(keys.path.read_text("utf-8"))
    data["slots"][keys.user_slot_id("bob")] = data["slots"][keys.user_slot_id("ann")]
    keys.path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(WrongPassword):
        KeyFile.load(keys.path).open_with_password("bob", "anns password")


def test_device_slot(keys: KeyFile) -> None:
    db_key = _all_keys()
    slot_id, secret = keys.add_device(db_key)
    assert keys.has_slot(slot_id)
    assert keys.slot_ids("device") == [slot_id]
    assert keys.open_with_device(slot_id, secret).keys == db_key
    with pytest.raises(WrongPassword):
        keys.open_with_device(slot_id, b"\x00" * 32)
    keys.remove_slot(slot_id)
    assert not keys.has_slot(slot_id)
    with pytest.raises(WrongPassword):
        keys.open_with_device(slot_id, secret)


def test_removing_an_account_removes_its_slots_and_failures(keys: KeyFile) -> None:
    mine = _all_keys().for_account("user:7", ["cases", "front_desk"])
    keys.set_password(USERNAME, "a long password", mine)
    device, _ = keys.add_device(mine)
    keys.set_password("other", "another long password", _all_keys().for_account("user:8", []))
    keys.record_failure(USERNAME, 100.0)
    assert sorted(keys.remove_signer("user:7")) == sorted([keys.user_slot_id(USERNAME), device])
    assert keys.has_slot(keys.user_slot_id("other"))
    assert not keys.has_slot(keys.user_slot_id(USERNAME))
    assert keys.failures(USERNAME) == (0, 0.0)


def test_failures_are_counted_and_saved(keys: KeyFile) -> None:
    assert keys.failures(USERNAME) == (0, 0.0)
    assert keys.record_failure(USERNAME, 10.0) == 1
    assert keys.record_failure(USERNAME, 12.5) == 2
    keys.save()
    loaded = KeyFile.load(keys.path)
    assert loaded.failures(USERNAME) == (2, 12.5)
    assert loaded.clear_failures(USERNAME) is True
    assert loaded.clear_failures(USERNAME) is False
    assert loaded.failures(USERNAME) == (0, 0.0)


def test_save_writes_valid_json_privately_and_leaves_no_temp_files(keys: KeyFile) -> None:
    keys.set_password(USERNAME, "a long password", _all_keys())
    keys.save()
    keys.save()
    data = json.loads(keys.path.read_text("utf-8"))
    assert data["format"] == "casebook-keys"
    assert [p.name for p in keys.path.parent.iterdir()] == [keys.path.name]
    if os.name == "posix":
        assert stat.S_IMODE(keys.path.stat().st_mode) == 0o600


def test_failed_save_keeps_the_old_file(keys: KeyFile, monkeypatch: pytest.MonkeyPatch) -> None:
    keys.set_password(USERNAME, "a long password", _all_keys())
    keys.save()
    before = keys.path.read_bytes()
    keys.set_password("another", "another password", _all_keys())

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        keys.save()
    monkeypatch.undo()
    assert keys.path.read_bytes() == before
    assert [p.name for p in keys.path.parent.iterdir()] == [keys.path.name]


def test_usernames_are_not_in_the_key_file(keys: KeyFile) -> None:
    db_key = _all_keys()
    keys.set_password(USERNAME, "a long password", db_key)
    keys.record_failure("failed.user", 1.0)
    keys.save()
    text = keys.path.read_text("utf-8").lower()
    assert USERNAME not in text
    assert "bernadette" not in text
    assert "failed.user" not in text


def test_slot_ids_differ_between_stores(tmp_path: Path) -> None:
    a = KeyFile.create(tmp_path / "a.keys")
    b = KeyFile.create(tmp_path / "b.keys")
    assert a.user_slot_id(USERNAME) != b.user_slot_id(USERNAME)
    assert a.user_slot_id(USERNAME) == a.user_slot_id(USERNAME.upper())


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing):
        KeyFile.load(tmp_path / "nothing.keys")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe garbage",
        b"not json",
        b'{"format": "something-else", "slots": {}}',
        b'{"format": "casebook-keys", "slots": []}',
        b'{"format": "casebook-keys", "slots": {}}',
        b'{"format": "casebook-keys", "slots": {}, "lookup_salt": "%%%"}',
    ],
)
def test_load_garbage(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.keys"
    path.write_bytes(content)
    with pytest.raises(StoreDamaged):
        KeyFile.load(path)


def test_load_newer_version(keys: KeyFile) -> None:
    keys.save()
    data = json.loads(keys.path.read_text("utf-8"))
    data["version"] = 99
    keys.path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(StoreDamaged) as info:
        KeyFile.load(keys.path)
    assert "newer version" in info.value.message


def _damage(path: Path, change: str, slot_id: str) -> None:
    data = json.loads(path.read_text("utf-8"))
    if change == "list":
        data = []
    elif change == "null":
        data = None
    elif change == "slot-empty":
        data["slots"][slot_id] = {}
    elif change == "slot-text":
        data["slots"][slot_id] = "x"
    elif change == "kdf-no-salt":
        del data["slots"][slot_id]["kdf"]["salt"]
    elif change == "kdf-zero-cost":
        data["slots"][slot_id]["kdf"]["time_cost"] = 0
    elif change == "throttle-list":
        data["throttle"] = []
    path.write_text(json.dumps(data), "utf-8")


@pytest.mark.parametrize(
    "change",
    ["list", "null", "slot-empty", "slot-text", "kdf-no-salt", "kdf-zero-cost", "throttle-list"],
)
def test_key_file_of_the_wrong_shape_is_damaged(keys: KeyFile, change: str) -> None:
    keys.set_password(USERNAME, "a long password", _all_keys())
    keys.save()
    _damage(keys.path, change, keys.user_slot_id(USERNAME))
    with pytest.raises(StoreDamaged):
        loaded = KeyFile.load(keys.path)
        loaded.failures(USERNAME)
        loaded.open_with_password(USERNAME, "a long password")


# -- the key file checks itself (issue 14, finding 6) ---------------------------------------
def _flip_bit(path: Path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))


def _saved_store(keys: KeyFile) -> Keys:
    everything = _all_keys()
    keys.set_password(
        "ann",
        "anns long password",
        everything.for_account("user:1", ["cases", "front_desk", "audit"]),
    )
    keys.set_password(
        "bob", "bobs long password", everything.for_account("user:2", ["cases", "front_desk"])
    )
    keys.set_password(
        "desk", "desk long password", everything.for_account("user:3", ["front_desk"])
    )
    keys.set_recovery(everything)
    keys.set_audit_head(12, "ab" * 32)
    keys.save(everything)
    return everything


def test_an_untouched_key_file_verifies(keys: KeyFile) -> None:
    everything = _saved_store(keys)
    assert KeyFile.load(keys.path).verify(everything).ok


def test_every_one_bit_flip_is_refused_or_named(keys: KeyFile) -> None:
    """40 one-bit flips once left 6 slots silently broken; now each flip either makes the
    file unreadable (StoreDamaged) or is named by the tags the next writer checks."""
    everything = _saved_store(keys)
    pristine = keys.path.read_bytes()
    # Every third byte: slots, header, names, numbers. The throttle's records are outside
    # the tags by design (they are written before anyone signs in), so its name is skipped.
    throttle = pristine.index(b'"throttle"')
    offsets = [i for i in range(0, len(pristine), 3) if not throttle <= i < throttle + 10]
    assert len(offsets) >= 400
    for offset in offsets:
        keys.path.write_bytes(pristine)
        _flip_bit(keys.path, offset)
        try:
            loaded = KeyFile.load(keys.path)
        except StoreDamaged:
            continue
        integrity = loaded.verify(everything)
        assert not integrity.ok, f"a flip at byte {offset} went unnoticed"


def test_a_damaged_recovery_slot_is_named(keys: KeyFile) -> None:
    everything = _saved_store(keys)
    _tamper(keys.path, RECOVERY_SLOT, "ct")
    assert KeyFile.load(keys.path).verify(everything).bad_slots == (RECOVERY_SLOT,)


def test_a_slot_removed_outside_casebook_shows_in_the_header(keys: KeyFile) -> None:
    everything = _saved_store(keys)
    data = json.loads(keys.path.read_text("utf-8"))
    del data["slots"][keys.user_slot_id("bob")]
    keys.path.write_text(json.dumps(data), "utf-8")
    integrity = KeyFile.load(keys.path).verify(everything)
    assert not integrity.header_ok


def test_a_front_desk_password_opens_no_case_key(keys: KeyFile) -> None:
    everything = _saved_store(keys)
    desk = KeyFile.load(keys.path).open_with_password("desk", "desk long password").keys
    assert desk.cases is None and desk.audit is None
    assert desk.front_desk == everything.front_desk
    assert everything.cases not in keys.path.read_bytes()


def test_failures_for_unknown_usernames_are_bounded(keys: KeyFile) -> None:
    _saved_store(keys)
    for n in range(MAX_STRANGER_RECORDS + 50):
        keys.record_failure(f"nobody{n}", float(n))
    keys.save()
    assert len(json.loads(keys.path.read_text("utf-8"))["throttle"]) == MAX_STRANGER_RECORDS
    assert keys.failures(f"nobody{MAX_STRANGER_RECORDS + 49}")[0] == 1  # the newest kept


def test_an_early_version_key_file_gets_a_clear_message(keys: KeyFile) -> None:
    keys.save()
    data = json.loads(keys.path.read_text("utf-8"))
    data["version"] = 1
    keys.path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(StoreDamaged) as info:
        KeyFile.load(keys.path)
    assert "early test version" in info.value.message
