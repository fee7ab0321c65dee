"""Service work runs on worker threads; their commits wake the dispatcher safely from there."""

from __future__ import annotations

import asyncio
import threading

from sqlalchemy import Engine

from bot.services.context import Deps
from bot.wakeup import Wakeup
from nlp import Classifier


async def test_a_set_from_another_thread_wakes_the_waiting_loop() -> None:
    wakeup = Wakeup()
    waiting = asyncio.create_task(wakeup.wait(30))
    await asyncio.sleep(0)  # let the waiter start: it binds itself to this loop
    threading.Thread(target=wakeup.set).start()
    assert await waiting is True


async def test_without_a_set_the_wait_times_out() -> None:
    assert await Wakeup().wait(0.01) is False


async def test_call_runs_off_the_loop_on_a_bounded_pool(
    engine: Engine, classifier: Classifier
) -> None:
    deps = Deps(engine=engine, classifier=classifier, workers=2)
    loop_thread = threading.get_ident()
    inside = 0
    most = 0
    release = threading.Event()

    def work() -> int:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        release.wait(5)
        inside -= 1
        return threading.get_ident()

    tasks = [asyncio.create_task(deps.call(work)) for _ in range(5)]
    await asyncio.sleep(0.05)  # the loop is free while the workers block
    release.set()
    threads = await asyncio.gather(*tasks)
    deps.close()
    assert loop_thread not in threads
    assert most == 2
