"""A private OpenLink Virtuoso for tests (Debian's ``virtuoso-opensource`` package).

``ensure_virtuoso()`` installs Debian's package with apt-get when ``virtuoso-t`` is missing, without
questions (debconf non-interactive); ``Virtuoso.start(folder)`` runs a server of the test's own: its
own database files in ``folder``, its own free isql and HTTP ports on 127.0.0.1. The system service
the package starts where services may start (ports 1111 and 8890, database in /var/lib) is left
alone: nothing here talks to it, and its ports are never chosen since they are taken. ``isql()``
runs SQL through ``isql-vt``, ``select()`` asks the ``/sparql`` endpoint for SPARQL JSON, and
``stop()`` ends the server this object started (and only it).

Example::

    server = Virtuoso.start(tmp_path / "db", folder_of_nq_files)
    try:
        assert server.bulk_load(folder_of_nq_files) == []
        rows = server.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    finally:
        server.stop()
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "virtuoso-opensource"
SERVER = "virtuoso-t"
CLIENT = "isql-vt"  # Debian renames Virtuoso's isql, which would clash with unixODBC's
PASSWORD = "dba"  # a new database's dba password; the server listens on loopback only and lives for one session
STARTUP_SECONDS = 120
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an http_proxy


def ensure_virtuoso() -> tuple[Path, Path]:
    """The server and isql binaries; installs Debian's package if they are missing.

    The package's debconf questions (the dba password of the system database) take their defaults,
    and no service is started by our own server. Raises ``RuntimeError`` with one line when the
    package is missing and cannot be installed."""
    if found := _binaries():
        return found
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if prefix and not shutil.which("sudo"):
        raise RuntimeError(f"{SERVER} is missing and without root or sudo it cannot be installed "
                           f"(apt-get install {PACKAGE})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "DEBCONF_NONINTERACTIVE_SEEN": "true"}
    install = [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", PACKAGE]
    attempts = ([install], [[*prefix, "apt-get", "update", "-q"], install])
    last = ""
    for commands in attempts:
        for command in commands:
            try:
                done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                      check=False)
            except OSError as err:  # no apt-get (not Debian) or no sudo
                last = f"{command[0]}: {err.strerror}"
                break
            if done.returncode:
                last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
                break
        if found := _binaries():
            return found
    raise RuntimeError(f"{SERVER} is missing and 'apt-get install -y {PACKAGE}' failed: {last}")


def _binaries() -> tuple[Path, Path] | None:
    server, client = shutil.which(SERVER), shutil.which(CLIENT)
    return (Path(server), Path(client)) if server and client else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


INI = """\
; A private Virtuoso of the kg tests: its own files in this folder, loopback ports only.
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., {folder}, {data}
Charset = UTF-8
ThreadCleanupInterval = 0
ResourcesCleanupInterval = 0
AutoCheckpoint = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/www
ServerThreads = 4
MaxKeepAlives = 4
KeepAliveTimeout = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 0
DefaultQuery = SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1
"""


@dataclass
class Virtuoso:
    """A running private server: its folder, ports, process and binaries."""

    folder: Path
    data: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen
    client: Path

    @classmethod
    def start(cls, folder: Path, data: Path | None = None) -> Virtuoso:
        """Create a database in ``folder`` (bulk loads may read ``data``) and wait until it answers
        isql and HTTP. Raises ``RuntimeError`` with one line (and the log's last line) if it does not."""
        server, client = ensure_virtuoso()
        folder = Path(folder).resolve()
        data = Path(data or folder / "data").resolve()
        (folder / "www").mkdir(parents=True, exist_ok=True)
        data.mkdir(parents=True, exist_ok=True)
        sql_port, http_port = free_port(), free_port()
        while http_port == sql_port:
            http_port = free_port()
        (folder / "virtuoso.ini").write_text(INI.format(folder=folder, data=data, sql_port=sql_port,
                                                        http_port=http_port), encoding="utf-8")
        log = (folder / "server.out").open("wb")
        # -f: stay in the foreground, so this process is the server and stop() ends exactly it
        process = subprocess.Popen([str(server), "-f", "-c", str(folder / "virtuoso.ini")], cwd=folder,
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self = cls(folder, data, sql_port, http_port, process, client)
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{SERVER} exited with code {self.process.returncode} at start: {self.log_tail()}")
            if self._answers():
                return
            time.sleep(0.5)
        raise RuntimeError(f"{SERVER} did not answer on 127.0.0.1:{self.http_port} within {STARTUP_SECONDS} s: "
                           f"{self.log_tail()}")

    def _answers(self) -> bool:
        try:
            self.select("ASK { }")
        except (OSError, RuntimeError, ValueError):
            return False
        return True

    def log_tail(self) -> str:
        for name in ("virtuoso.log", "server.out"):
            path = self.folder / name
            lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines() if path.exists() else []
            if lines:
                return lines[-1]
        return "(no log)"

    def stop(self) -> None:
        """End the server process this object started (SIGTERM, then SIGKILL after 30 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def isql(self, *statements: str, timeout: float = 600) -> str:
        """Run SQL statements through isql-vt; raises ``RuntimeError`` naming the first error."""
        script = "".join(s.rstrip().rstrip(";") + ";\n" for s in statements)
        done = subprocess.run([str(self.client), f"127.0.0.1:{self.sql_port}", "dba", PASSWORD,
                               "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", "ERRORS=STDOUT"],
                              input=script, capture_output=True, text=True, timeout=timeout, check=False)
        output = done.stdout + done.stderr
        errors = [line for line in output.splitlines() if "*** Error" in line]
        if done.returncode or errors:
            raise RuntimeError(f"isql failed: {(errors or output.strip().splitlines() or ['?'])[0]}")
        return output

    def bulk_load(self, folder: Path, pattern: str = "*.nq") -> list[tuple[str, str]]:
        """Bulk-load every file in ``folder`` (one of ``DirsAllowed``) matching ``pattern`` with Virtuoso's
        loader; each quad goes to its own graph (the ``http://ignored`` default is for triples only).
        Returns (file, error) for each file of ``DB.DBA.load_list`` that failed."""
        folder = Path(folder).resolve()
        self.isql(f"ld_dir('{folder}', '{pattern}', 'http://ignored')", "rdf_loader_run()", "checkpoint")
        return self.load_errors()

    def load_errors(self) -> list[tuple[str, str]]:
        """(file, error) for each file of ``DB.DBA.load_list`` that failed or is not done (state 2)."""
        out = []
        for line in self.isql("SELECT ll_file, ll_state, ll_error FROM DB.DBA.load_list").splitlines():
            if line.startswith("/"):  # a row: an absolute path, the state, the error or NULL
                path, state, error = (line.split(None, 2) + ["", ""])[:3]
                if state != "2" or error != "NULL":
                    out.append((path, f"state {state}: {error}"))
        return out

    def select(self, query: str, timeout: float = 120) -> dict:
        """The SPARQL JSON answer of ``query`` from the /sparql endpoint (GET over loopback)."""
        url = f"{self.endpoint}?{urllib.parse.urlencode({'query': query})}"
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        try:
            with _LOOPBACK.open(request, timeout=timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            body = err.read().decode("utf-8", errors="replace").strip().splitlines()
            raise RuntimeError(f"SPARQL {err.code}: {(body or ['?'])[0]}") from None
