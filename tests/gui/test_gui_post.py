"""The one adapter to the GUI thread (ui.gui_post.GuiPost) and what goes through it: news of
background sync reaches the window on the GUI thread, and a background job's outcome too."""
from __future__ import annotations

import threading

from PySide6.QtCore import QThread

from kiosk.events import News
from kiosk.sync.engine import SyncResult
from kiosk.sync.worker import SyncEvent
from tests.gui.conftest import sync_cycle
from ui.background import BackgroundJob
from ui.gui_post import GuiPost
from ui.sync_link import SyncLink


def on_a_thread(work) -> None:
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def test_news_posted_from_a_worker_thread_arrives_on_the_gui_thread(qtbot):
    post = GuiPost()
    threads = []
    post.arrived.connect(lambda _news: threads.append(QThread.currentThread()))
    with qtbot.waitSignal(post.arrived, timeout=5000) as arrived:
        on_a_thread(lambda: post.post(News("speech.ready", "espeak")))
    assert arrived.args == [News("speech.ready", "espeak")]
    assert threads == [post.thread()] and post.thread() is QThread.currentThread()


def test_news_posted_on_the_gui_thread_arrives_at_once():
    post = GuiPost()
    heard = []
    post.arrived.connect(heard.append)
    post.post(News("help.answered"))
    assert heard == [News("help.answered")]


class FakeWorker:
    def __init__(self) -> None:
        self.listeners = []
        self.nudged = 0

    def add_listener(self, listener) -> None:
        self.listeners.append(listener)

    def nudge(self) -> None:
        self.nudged += 1

    def stop(self) -> None:
        pass


def test_the_sync_workers_events_arrive_as_news_on_the_gui_thread(qtbot, clock):
    post = GuiPost()
    link = SyncLink(clock, post)
    assert not link.active
    link.nudge()  # nothing syncs yet: nothing to tell
    worker = FakeWorker()
    link.follow(worker)
    finished = SyncEvent("finished", SyncResult(ok=True))
    with qtbot.waitSignal(post.arrived, timeout=5000, check_params_cb=sync_cycle()) as news:
        on_a_thread(lambda: [listener(finished) for listener in worker.listeners])
    assert news.args == [News("sync.finished", finished)]
    link.nudge()
    assert link.active and worker.nudged == 1
    done = []
    link.retire(lambda: done.append(True))  # a fake worker stops at once
    qtbot.waitUntil(lambda: done == [True], timeout=5000)
    assert not link.active


def test_a_background_jobs_outcome_arrives_on_the_gui_thread(qtbot):
    job = BackgroundJob("test-job")
    ran_on = []

    def work():
        ran_on.append(threading.current_thread())
        return 42

    with qtbot.waitSignal(job.succeeded, timeout=5000) as outcome:
        assert job.start(work) and not job.start(work)  # one at a time
    assert outcome.args == [42] and ran_on[0] is not threading.main_thread()
    assert not job.running
    with qtbot.waitSignal(job.failed, timeout=5000) as outcome:
        job.start(lambda: 1 / 0)
    assert isinstance(outcome.args[0], ZeroDivisionError)
