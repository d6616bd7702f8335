#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL server on 127.0.0.1.

    python tools/pgtmp.py [--install] [--durable] -- COMMAND [ARGS...]

Uses Debian's PostgreSQL (``apt-get install postgresql``; ``--install`` does that when it is
missing and we are root). The cluster lives in a temporary directory, listens on 127.0.0.1
only, on a free port, and is stopped and removed when the command ends. The command gets
``DATABASE_URL`` pointing at an empty database named ``multinic``; its exit status is ours.
Durability is switched off (fsync, synchronous_commit, full_page_writes): this server only
ever holds test data, and it is thrown away. ``--durable`` keeps PostgreSQL's defaults (all
on), as production runs: the benchmark measures with them.
"""

import argparse
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile


def find_bindir() -> str | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    return os.path.dirname(candidates[-1]) if candidates else None


def install() -> None:
    if os.geteuid() != 0:
        sys.exit("PostgreSQL is not installed; run: sudo apt-get install -y postgresql")
    print("pgtmp: installing Debian's postgresql package", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
        check=True,
        env=env,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install", action="store_true", help="apt-get install if missing")
    parser.add_argument("--durable", action="store_true",
                        help="keep fsync, synchronous_commit and full_page_writes on")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    bindir = find_bindir()
    if bindir is None and args.install:
        install()
        bindir = find_bindir()
    if bindir is None:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql)")

    # PostgreSQL refuses to run as root; as root, run it as Debian's postgres user.
    as_user: list[str] = []
    workdir = tempfile.mkdtemp(prefix="multinic-pg-")
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(workdir, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    datadir = os.path.join(workdir, "data")
    port = free_port()

    def pg(tool: str, *tool_args: str) -> None:
        subprocess.run(
            [*as_user, os.path.join(bindir, tool), *tool_args],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    try:
        pg("initdb", "-D", datadir, "-U", "postgres", "--auth=trust", "-E", "UTF8",
           "--locale=C.UTF-8")
        options = f"-h 127.0.0.1 -p {port} -k {workdir} -c max_connections=100"
        if not args.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        pg("pg_ctl", "-D", datadir, "-o", options, "-l", os.path.join(workdir, "log"), "-w",
           "start")
        pg("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "multinic")
        url = f"postgres://postgres@127.0.0.1:{port}/multinic"
        print(f"pgtmp: PostgreSQL on 127.0.0.1:{port}", flush=True)
        return subprocess.run(command, env=dict(os.environ, DATABASE_URL=url)).returncode
    finally:
        if os.path.exists(os.path.join(datadir, "postmaster.pid")):
            pg("pg_ctl", "-D", datadir, "-m", "fast", "-w", "stop")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
