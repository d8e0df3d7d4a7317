"""Group commit: concurrent requests' writes committed together in one transaction.

Each request thread calls :meth:`GroupCommit.submit` with its item and blocks. The first
waiting thread that finds no commit in progress becomes the *leader*: it takes every item
queued so far (up to ``max_batch``), writes them with the ``write`` callable in ONE
transaction, and hands each submitter its own result; items queued meanwhile form the next
group. There is no background thread: a process that stops has nothing half-queued.

A submitter returns only after the transaction holding its item committed, so an
acknowledged request's write is durable (``synchronous=FULL`` on the SQLite writer, a
PostgreSQL commit), and a failed group fails no item that could have committed alone: a group
that raises is retried one item per transaction, and only the items that fail alone raise.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class _Ticket(Generic[T, R]):
    item: T
    done: bool = False
    result: R | None = None
    error: BaseException | None = None


@dataclass(slots=True)
class GroupStats:
    """Counts since start, for tests and the benchmark: items and transactions."""

    items: int = 0
    groups: int = 0
    largest: int = 0
    retried: int = 0


@dataclass
class GroupCommit(Generic[T, R]):
    """Commit the items of concurrent callers together (see the module docstring)."""

    #: writes the items in one transaction and returns one result per item, in order
    write: Callable[[Sequence[T]], Sequence[R]]
    max_batch: int = 256
    stats: GroupStats = field(default_factory=GroupStats)
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _queue: list[_Ticket[T, R]] = field(default_factory=list, repr=False)
    _leading: bool = field(default=False, repr=False)

    def submit(self, item: T) -> R:
        """Queue the item and return its result once the transaction holding it committed;
        the exception of its write when it could not be written."""
        ticket: _Ticket[T, R] = _Ticket(item)
        with self._cond:
            self._queue.append(ticket)
        while True:
            with self._cond:
                while not ticket.done and self._leading:
                    self._cond.wait()
                if ticket.done:
                    return self._outcome(ticket)
                self._leading = True
                group = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
            try:
                self._commit(group)
            finally:
                with self._cond:
                    self._leading = False
                    self._cond.notify_all()

    @staticmethod
    def _outcome(ticket: _Ticket[T, R]) -> R:
        if ticket.error is not None:
            raise ticket.error
        return ticket.result  # type: ignore[return-value]

    def _commit(self, group: list[_Ticket[T, R]]) -> None:
        try:
            results = list(self.write([t.item for t in group]))
            if len(results) != len(group):
                raise RuntimeError(f"group write returned {len(results)} results for {len(group)}")
        except BaseException as exc:
            if len(group) == 1:
                self._finish(group[0], None, exc)
                return
            self.stats.retried += len(group)
            for ticket in group:  # alone: one bad item cannot fail the others
                try:
                    self._finish(ticket, self.write([ticket.item])[0], None)
                except BaseException as alone:
                    self._finish(ticket, None, alone)
            return
        self.stats.groups += 1
        self.stats.items += len(group)
        self.stats.largest = max(self.stats.largest, len(group))
        for ticket, result in zip(group, results, strict=True):
            self._finish(ticket, result, None)

    def _finish(self, ticket: _Ticket[T, R], result: R | None, error: BaseException | None) -> None:
        with self._cond:
            ticket.result = result
            ticket.error = error
            ticket.done = True
