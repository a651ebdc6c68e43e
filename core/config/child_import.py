"""A bank spreadsheet imported in a child process, so the running bot's event loop never waits.

Reading, checking and writing a 10,000-question sheet is two seconds of Python: in a worker
thread it still holds the GIL, and every reply the bot sends meanwhile waits for it. A child
process does the whole of `install_bank_sheet`, forked from a 'forkserver': a fresh
interpreter (none of the bot's threads or sockets) that has loaded the bot's modules once,
started by the first import (`start_import_server` names them), so later imports do not
first spend a second importing them. (The child runs bot.py again as its __main__; with
bot.py's imports loaded that takes milliseconds. Python 3.11's forkserver never preloads
__main__ itself: it looks for a "main_path" its preparation data does not hold.)

The configuration the child checked comes back pickled in pieces of `PIECE_QUESTIONS`
questions, each unpickled on the loop between awaits (one `pickle.loads` of a large
configuration takes longer than the loop may stall).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from multiprocessing import forkserver
from pathlib import Path

from core.config.banks import Bank, Question
from core.config.changes import Installed, install_bank_sheet
from core.config.loading import Configuration
from core.errors import UserError

PIECE_QUESTIONS = 500


@dataclass(frozen=True)
class Parcel:
    """A configuration pickled in pieces small enough to unpickle between awaits."""

    frame: bytes  # the configuration with every bank's questions left out
    pieces: tuple[tuple[int, bytes], ...]  # (the bank's place in the set, a run of its questions)


@dataclass(frozen=True)
class _Shipped:
    """What the child sends back: an `Installed` with its configuration in a parcel."""

    target: str
    backup: str | None
    text: str
    configuration: Parcel


def parcel(configuration: Configuration) -> Parcel:
    """The configuration as a frame and pieces of questions (see `unpacked`)."""
    banks = configuration.banks.banks
    empty = tuple(replace(bank, questions=()) for bank in banks)
    frame = replace(configuration, banks=replace(configuration.banks, banks=empty))
    pieces = tuple(
        (place, pickle.dumps(bank.questions[start : start + PIECE_QUESTIONS]))
        for place, bank in enumerate(banks)
        for start in range(0, len(bank.questions), PIECE_QUESTIONS)
    )
    return Parcel(pickle.dumps(frame), pieces)


async def unpacked(parcel: Parcel) -> Configuration:
    """The configuration a `Parcel` holds, unpickled a piece at a time between awaits."""
    frame: Configuration = pickle.loads(parcel.frame)
    questions: list[list[Question]] = [[] for _ in frame.banks.banks]
    for place, piece in parcel.pieces:
        await asyncio.sleep(0)  # let every update waiting meanwhile run
        questions[place].extend(pickle.loads(piece))
    banks: tuple[Bank, ...] = tuple(
        replace(bank, questions=tuple(questions[place]))
        for place, bank in enumerate(frame.banks.banks)
    )
    return replace(frame, banks=replace(frame.banks, banks=banks))


async def install_bank_sheet_in_child(
    config_dir: Path, file_name: str, content: bytes, bank_id: str, title: str, now: datetime
) -> Installed:
    """`install_bank_sheet` run in a child process; `UserError` if the sheet was refused."""
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    try:
        # Submitting starts the child, waiting for the forkserver (still loading the bot
        # just after a start, or started again if it stopped): in a worker thread too.
        submitted = await asyncio.to_thread(
            pool.submit, _install, config_dir, file_name, content, bank_id, title, now
        )
        shipped = await asyncio.wrap_future(submitted)
    finally:  # joining the child waits for it to exit: off the loop
        await asyncio.to_thread(pool.shutdown)
    configuration = await unpacked(shipped.configuration)
    return Installed(shipped.target, shipped.backup, shipped.text, configuration)


def start_import_server(*modules: str) -> None:
    """Name what the process imports are forked from loads: this module and `modules`. It
    starts with the first import (about a second, once), not with the bot: most agencies
    never import a bank in chat, and an idle server keeps some 86 MB."""
    forkserver.set_forkserver_preload([__name__, *modules])


def _install(
    config_dir: Path, file_name: str, content: bytes, bank_id: str, title: str, now: datetime
) -> _Shipped:
    """In the child: the import, its outcome made fit to send back."""
    try:
        installed = install_bank_sheet(config_dir, file_name, content, bank_id, title, now)
    except UserError as error:  # a BankSheetError cannot be unpickled: its message can
        raise UserError(error.message) from None
    configuration = parcel(installed.configuration)
    return _Shipped(installed.target, installed.backup, installed.text, configuration)
