"""The trust's behaviour categories: listed in order, added, renamed, moved, switched off."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.domain.incidents import DEFAULT_BEHAVIOUR_CATEGORIES
from desktop.errors import NotFound, NotPermitted, ValidationError
from desktop.services import categories
from desktop.services.categories import CategoryDraft
from desktop.services.session import UserSession
from desktop.services.setup import SetupResult
from tests.services.accounts import sign_in_new_user


def _names(session: UserSession, include_inactive: bool = False) -> list[str]:
    return [c.name for c in categories.list_categories(session, include_inactive=include_inactive)]


def test_a_new_trust_has_the_default_list_in_order(admin) -> None:
    assert _names(admin) == list(DEFAULT_BEHAVIOUR_CATEGORIES)


def test_add_rename_and_switch_off(admin) -> None:
    added = categories.save_category(admin, category_id=None, name="  Filming  staff ")
    assert added.name == "Filming staff" and added.active
    assert _names(admin)[-1] == "Filming staff"
    renamed = categories.save_category(admin, category_id=added.id, name="Filming pupils")
    assert renamed.id == added.id and _names(admin)[-1] == "Filming pupils"
    off = categories.set_category_active(admin, category_id=added.id, active=False)
    assert not off.active
    assert "Filming pupils" not in _names(admin)
    assert _names(admin, include_inactive=True)[-1] == "Filming pupils"
    categories.set_category_active(admin, category_id=added.id, active=True)
    assert _names(admin)[-1] == "Filming pupils"


def test_names_are_unique_whatever_their_case(admin) -> None:
    with pytest.raises(ValidationError) as refused:
        categories.save_category(admin, category_id=None, name="covert RECORDING")
    assert refused.value.field == "category_name"
    with pytest.raises(ValidationError):
        categories.save_category(admin, category_id=None, name="   ")
    with pytest.raises(NotFound):
        categories.save_category(admin, category_id=9999, name="Anything")


def test_the_last_category_switched_on_cannot_be_switched_off(admin) -> None:
    everything = categories.list_categories(admin)
    for category in everything[1:]:
        categories.set_category_active(admin, category_id=category.id, active=False)
    with pytest.raises(ValidationError) as refused:
        categories.set_category_active(admin, category_id=everything[0].id, active=False)
    assert refused.value.field == "categories"
    assert _names(admin) == [everything[0].name]


def test_reorder_puts_them_in_the_order_given(admin) -> None:
    ids = [c.id for c in categories.list_categories(admin)]
    shuffled = ids[::-1]
    assert [c.id for c in categories.reorder_categories(admin, category_ids=shuffled)] == shuffled
    assert [c.id for c in categories.list_categories(admin)] == shuffled
    with pytest.raises(ValidationError):
        categories.reorder_categories(admin, category_ids=shuffled[1:])


def test_the_settings_page_saves_the_whole_list_at_once(admin) -> None:
    current = categories.list_categories(admin, include_inactive=True)
    drafts = [CategoryDraft(c.id, c.name, c.active) for c in current]
    drafts[0], drafts[1] = drafts[1], drafts[0]
    drafts[2] = CategoryDraft(drafts[2].id, "Intimidation or coercion", True)
    drafts[3] = CategoryDraft(drafts[3].id, drafts[3].name, False)
    drafts.append(CategoryDraft(None, "Żółć — posting photos of pupils", True))
    saved = categories.save_categories(admin, categories=drafts)
    assert [c.name for c in saved] == [d.name for d in drafts]
    assert [c.position for c in saved] == list(range(len(drafts)))
    listed = categories.list_categories(admin, include_inactive=True)
    assert [(c.name, c.active) for c in listed] == [(d.name, d.active) for d in drafts]


def test_the_whole_list_is_refused_without_a_half_save(admin) -> None:
    before = categories.list_categories(admin, include_inactive=True)
    drafts = [CategoryDraft(c.id, c.name, c.active) for c in before]
    for broken in (
        drafts[1:],  # one left out
        [*drafts, CategoryDraft(None, drafts[0].name.upper())],  # a repeat
        [CategoryDraft(d.id, d.name, False) for d in drafts],  # none switched on
        [CategoryDraft(drafts[0].id, "Renamed"), *drafts[1:], CategoryDraft(None, "")],
    ):
        with pytest.raises(ValidationError):
            categories.save_categories(admin, categories=broken)
        assert categories.list_categories(admin, include_inactive=True) == before


def test_only_trust_roles_change_the_list(new_store: SetupResult, store_path: Path) -> None:
    manager = sign_in_new_user(new_store, store_path, "bm", "business_manager")
    try:
        assert _names(manager) == list(DEFAULT_BEHAVIOUR_CATEGORIES)
        with pytest.raises(NotPermitted):
            categories.save_category(manager, category_id=None, name="New")
        with pytest.raises(NotPermitted):
            categories.save_categories(manager, categories=[])
    finally:
        manager.close()
