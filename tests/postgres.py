"""A real PostgreSQL server for the tests, in a temporary folder on loopback, started once per session.

Debian's `postgresql` package (installed by scripts/setup-system.sh) ships the server binaries; the
cluster is the test's own, so no system service or password is involved. The server refuses to run as
root, so as root it runs as the package's `postgres` user.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

USER = "tidings"


def _bindir() -> Path:
    """The newest installed PostgreSQL's binaries."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise FileNotFoundError("PostgreSQL is not installed: scripts/setup-system.sh installs it as root")
    return Path(initdb).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """A throwaway cluster: `new_database()` hands each test an empty database of its own."""

    def __init__(self) -> None:
        # not under pytest's folder, which only root may enter
        self.folder = Path(tempfile.mkdtemp(prefix="tidings-pg-"))
        self.bindir = _bindir()
        self.port = _free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self._names = itertools.count(1)
        self._started = False

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(
                f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr or done.stdout}"
            )

    def start(self) -> None:
        """initdb (trust on loopback only: the server listens nowhere else) and start."""
        if self._as:
            shutil.chown(self.folder, "postgres")
        data = self.folder / "data"
        self._run(str(self.bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, "-E", "UTF8",
                  "--no-sync")  # fmt: skip
        options = f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                  str(self.folder / "server.log"), "-w", "start")  # fmt: skip
        self._started = True

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        try:
            if self._started:
                self._run(
                    str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"
                )
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def new_database(self) -> str:
        """The URL of a new, empty database, as a user would write it in the `db` setting."""
        name = f"t{next(self._names)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres", autocommit=True
        ) as c:
            c.execute(f"CREATE DATABASE {name}")
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"
