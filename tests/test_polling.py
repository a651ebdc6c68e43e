"""The update ledger: Telegram may forget an update only once it has been handled."""

from __future__ import annotations

from telegram import Update

from handlers.polling import UpdateLedger


def updates(*ids: int) -> list[Update]:
    return [Update(update_id) for update_id in ids]


def test_offset_stays_at_the_oldest_update_being_handled() -> None:
    ledger = UpdateLedger()
    assert ledger.fresh(updates(5, 6, 7)) == tuple(updates(5, 6, 7))
    assert ledger.offset(8) == 5
    ledger.handled(Update(6))
    assert ledger.offset(8) == 5  # 5 is not done: a crash now must replay it
    ledger.handled(Update(5))
    assert ledger.offset(8) == 7
    ledger.handled(Update(7))
    assert ledger.offset(8) == 8
    assert ledger.next_offset() == 8


def test_updates_fetched_again_are_passed_on_once() -> None:
    ledger = UpdateLedger()
    ledger.fresh(updates(5, 6))
    assert ledger.fresh(updates(5, 6, 7)) == tuple(updates(7))


def test_updates_the_ledger_never_saw_change_nothing() -> None:
    ledger = UpdateLedger()
    ledger.fresh(updates(5))
    ledger.handled(Update(99))  # fed straight to process_update, as in-process tests do
    ledger.handled("not an update")
    assert ledger.offset(6) == 5
    assert ledger.next_offset() == 5
