"""The running service (`tidings run`): the web server, and a scheduler polling feeds through the pipeline."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from types import FrameType

import uvicorn

from tidings.errors import TidingsError
from tidings.pipeline import Pipeline, Report
from tidings.settings import Settings
from tidings.store import feeds as feed_rows
from tidings.store import open_store
from tidings.web import Work, create_app

log = logging.getLogger("tidings.service")

# Seconds between looks for due feeds: feeds have their own intervals (15 min by default), so a
# half-minute tick delays a poll by at most that, and an idle service wakes twice a minute.
TICK_S = 30.0
# Seconds between reclustering passes (merging events that grew together, splitting drifted ones).
RECLUSTER_EVERY_S = 3600.0


class Scheduler(threading.Thread):
    """Polls due feeds one at a time and runs the stages after each; stops between feeds."""

    def __init__(self, work: Work, *, tick_s: float = TICK_S) -> None:
        super().__init__(name="tidings-scheduler", daemon=True)
        self.work = work
        self.tick_s = tick_s
        self.stop = threading.Event()
        self.polled = 0
        self._last_recluster = datetime.now(UTC)

    def run(self) -> None:
        """Loop until asked to stop; an error in one round is logged and the next round goes on."""
        while not self.stop.is_set():
            try:
                self.round()
            except TidingsError as exc:  # one bad round must not end the service
                log.error("scheduler round failed: %s", exc)
            self.stop.wait(self.tick_s)

    def round(self) -> None:
        """Poll every due feed (finishing the one in hand when asked to stop), then recluster if due."""
        pipeline: Pipeline = self.work.pipeline
        with self.work.store.read() as conn:
            due = feed_rows.due(conn, datetime.now(UTC))
        for feed in due:
            if self.stop.is_set():
                return
            report = Report()
            with self.work.lock:
                pipeline.poll_feed(feed, report)  # the whole pipeline: pages update without a restart
            self.polled += 1
            log.info("polled %s: %s", feed["url"], report.as_dict())
        if (datetime.now(UTC) - self._last_recluster).total_seconds() >= RECLUSTER_EVERY_S:
            with self.work.lock:
                pipeline.events.recluster()
            self._last_recluster = datetime.now(UTC)


def run_service(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve the web app and run the feed scheduler until SIGTERM/SIGINT; return the exit status."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    store = open_store(settings.database_url)
    pipeline = Pipeline(store, settings)
    app = create_app(settings, store, pipeline=pipeline)
    scheduler = Scheduler(app.state.work)
    server = Server(uvicorn.Config(app, host=host, port=port, log_level="info"))

    def stop(signum: int, _frame: FrameType | None) -> None:
        server.force_exit = server.should_exit  # a second signal: stop waiting for open connections
        server.should_exit = True
        scheduler.stop.set()
        log.info("signal %d: finishing the item in hand, then exiting", signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    scheduler.start()
    try:
        server.run()
    finally:
        scheduler.stop.set()
        scheduler.join()  # the feed in hand is finished and committed before we exit
        store.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


class Server(uvicorn.Server):
    """uvicorn, leaving signals to run_service (uvicorn's own handler re-raises them after shutdown,
    which would kill the process before the scheduler finishes its item)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Signals are run_service's."""
        yield
