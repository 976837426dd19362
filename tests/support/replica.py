"""A PostgreSQL streaming replica of the test server, started for the tests on another loopback port.

`pg_basebackup -R -X stream` copies the primary's whole cluster into a directory of its own (the
test database with it), a configuration of its own is written beside it, and `pg_ctl` starts it as
a hot standby streaming from the primary. PostgreSQL refuses to run as root: under root (CI) the
copy and the server run as the `postgres` account. Anything that keeps the replica from running
is a skip with PostgreSQL's own words (`Unavailable`).
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2

from tests.support.ports import free_port

# pg_basebackup copies every database of the cluster: a machine holding benchmark databases of
# gigabytes would spend minutes on a copy nobody needs. Raise it to run the tests anyway.
MAX_CLUSTER_MB = int(os.environ.get("REPLICA_TEST_MAX_CLUSTER_MB", "1024"))
# A standby opens for reads once it can tell which transactions were running on the primary; one
# with many subtransactions that runs for long keeps it closed until it ends.
OPEN_SECONDS = 60
# Settings a hot standby must hold at least as high as its primary, or it refuses to start.
AT_LEAST_THE_PRIMARY_S = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class Unavailable(Exception):
    """Why no replica can run here (the skip reason)."""


def connect(settings_dict, *, port=None, dbname=None):
    connection = psycopg2.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=port or settings_dict["PORT"] or 5432,
        user=settings_dict["USER"] or "postgres",
        password=settings_dict["PASSWORD"] or None,
        dbname=dbname or settings_dict["NAME"],
        connect_timeout=5,
    )
    connection.autocommit = True
    return connection


def one(connection, sql, parameters=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone()[0]


class Replica:
    def __init__(self, primary_settings):
        self.primary_settings = primary_settings
        self.port = free_port()
        self.directory = None
        self.run_as = None

    # --- starting and stopping --------------------------------------------------------------

    def start(self):
        primary = connect(self.primary_settings)
        try:
            self.check(primary)
            self.bin = Path(one(primary, "SELECT setting FROM pg_config WHERE name = 'BINDIR'"))
            limits = {name: one(primary, f"SHOW {name}") for name in AT_LEAST_THE_PRIMARY_S}
        finally:
            primary.close()
        self.directory = Path(tempfile.mkdtemp(prefix="meetings-replica-"))
        if os.geteuid() == 0:
            try:
                self.run_as = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable("PostgreSQL refuses to run as root and there is no postgres account") from None
            os.chown(self.directory, self.run_as.pw_uid, self.run_as.pw_gid)
        self.data = self.directory / "data"
        self.run(
            "pg_basebackup",
            "-h",
            self.primary_settings["HOST"] or "127.0.0.1",
            "-p",
            str(self.primary_settings["PORT"] or 5432),
            "-U",
            self.primary_settings["USER"] or "postgres",
            "-D",
            str(self.data),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            timeout=600,
        )
        self.write_configuration(limits)
        # Not pg_ctl -w: it waits for the same opening and says only "did not start in time".
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"), "-W", "start")
        self.wait_until_open()

    def check(self, primary):
        wal_level = one(primary, "SHOW wal_level")
        if wal_level not in ("replica", "logical"):
            raise Unavailable(f"the primary's wal_level is {wal_level!r}: streaming replication needs 'replica'")
        senders = int(one(primary, "SHOW max_wal_senders"))
        in_use = one(primary, "SELECT count(*) FROM pg_stat_replication")
        if senders <= in_use:
            raise Unavailable(f"the primary's max_wal_senders ({senders}) are all in use")
        size_mb = one(primary, "SELECT sum(pg_database_size(datname)) FROM pg_database") // 2**20
        if size_mb > MAX_CLUSTER_MB:
            raise Unavailable(
                f"the primary's cluster holds {size_mb} MB and pg_basebackup copies all of it "
                f"(REPLICA_TEST_MAX_CLUSTER_MB={MAX_CLUSTER_MB} allows it)"
            )

    def write_configuration(self, limits):
        lines = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.directory}'",
            "hot_standby = on",
            # A copy for tests: nothing in it must survive a crash.
            "fsync = off",
            *(f"{name} = {value}" for name, value in limits.items()),
        ]
        files = {
            "postgresql.conf": "\n".join(lines) + "\n",
            "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
            "pg_ident.conf": "",
        }
        for name, text in files.items():
            path = self.data / name
            path.write_text(text)
            if self.run_as is not None:
                os.chown(path, self.run_as.pw_uid, self.run_as.pw_gid)

    def wait_until_open(self):
        deadline = time.monotonic() + OPEN_SECONDS
        while True:
            try:
                connect(self.primary_settings, port=self.port, dbname="postgres").close()
                return
            except psycopg2.OperationalError as error:
                if time.monotonic() > deadline:
                    raise Unavailable(
                        f"the replica did not open for reads within {OPEN_SECONDS} s ({str(error).strip()}); "
                        "a long transaction with many subtransactions on the primary keeps a standby closed "
                        "until it ends"
                    ) from None
                time.sleep(0.2)

    def stop(self, mode="fast"):
        if self.directory is not None and (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self):
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"), "-W", "start")
        self.wait_until_open()

    def remove(self):
        self.stop(mode="immediate")
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)

    def run(self, program, *arguments, timeout=120, check=True):
        command = [str(self.bin / program), *arguments]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as.pw_name, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if check and result.returncode != 0:
            log = self.directory and self.directory / "log"
            tail = log.read_text()[-2000:] if log and log.exists() else ""
            raise Unavailable(f"{program} failed: {(result.stderr or result.stdout).strip()} {tail}".strip())
        return result

    # --- what the tests do with it ----------------------------------------------------------

    def sql(self, query, parameters=()):
        connection = connect(self.primary_settings, port=self.port)
        try:
            return one(connection, query, parameters)
        finally:
            connection.close()

    def wait_until_replayed(self, timeout=30):
        """Until the replica has replayed everything the primary has written so far."""
        primary = connect(self.primary_settings)
        try:
            position = one(primary, "SELECT pg_current_wal_lsn()::text")
        finally:
            primary.close()
        deadline = time.monotonic() + timeout
        while not self.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (position,)):
            if time.monotonic() > deadline:
                raise AssertionError(f"the replica has not replayed {position} in {timeout} s")
            time.sleep(0.05)

    def pause_replay(self):
        self.sql("SELECT pg_wal_replay_pause()::text")
        deadline = time.monotonic() + 10
        while self.sql("SELECT pg_get_wal_replay_pause_state()") != "paused":
            if time.monotonic() > deadline:
                raise AssertionError("the replica's replay did not pause")
            time.sleep(0.05)

    def resume_replay(self):
        self.sql("SELECT pg_wal_replay_resume()::text")
