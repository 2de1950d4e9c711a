"""`shanglian` commands of a guide run by forking one process that imported the CLI once, instead of
starting a Python that imports web3, eth-account and the rest (about a second of CPU) for each.

`serve SOCKET` imports ``shanglian.cli`` and answers on a Unix socket; `run SOCKET ARGS...` (the
guide's ``shanglian``) hands it its arguments, folder, environment and standard streams, and ends
with the command's status. The command runs in a process of its own, forked from the server: its own
``sys.argv``, folder, environment, streams, exit status and signals, as a fresh ``shanglian`` has;
only the imports are done already. The client uses nothing but the standard library (it starts in a
few milliseconds) and passes on the signals it gets (``kill %?serve``) to the command.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time

STREAMS = 3  # stdin, stdout, stderr


def _send(conn: socket.socket, value: object) -> None:
    conn.sendall(json.dumps(value).encode() + b"\n")


def _receive(stream) -> object:
    line = stream.readline()
    return json.loads(line) if line else None


def _command(conn: socket.socket, fds: list[int], request: dict) -> None:
    """In the forked process: becomes the command, runs it, reports its status."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # waits for the command
    worker = os.fork()
    if worker == 0:
        conn.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["shanglian", *request["argv"]]
        from shanglian.cli import main

        try:
            main()
            code = 0
        except SystemExit as exit_:
            if exit_.code is None or isinstance(exit_.code, int):
                code = exit_.code or 0
            else:
                print(exit_.code, file=sys.stderr)
                code = 1
        except BaseException:  # what a fresh interpreter would print and exit 1 on
            import traceback

            traceback.print_exc()
            code = 1
        import atexit

        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(code)
    for fd in fds:
        os.close(fd)
    _send(conn, {"pid": worker})
    _, status = os.waitpid(worker, 0)
    _send(conn, {"status": os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)})
    conn.close()
    os._exit(0)


def serve(path: str) -> None:
    import shanglian.cli  # noqa: F401  (the point: imported once, here)

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the per-command processes reap themselves
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".new")
    listener.listen(8)
    os.rename(path + ".new", path)  # the socket appears once it answers
    while True:
        conn, _ = listener.accept()
        message, fds, _, _ = socket.recv_fds(conn, 1 << 20, STREAMS)
        request = json.loads(message)
        if os.fork() == 0:
            listener.close()
            _command(conn, fds, request)
        for fd in fds:
            os.close(fd)
        conn.close()


def run(path: str, argv: list[str]) -> int:
    deadline = time.monotonic() + 120
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            print(f"shanglian: no command server at {path}", file=sys.stderr)
            return 127
        time.sleep(0.02)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
    socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])
    answers = conn.makefile("rb")
    started = _receive(answers)
    if started is None:
        return 1
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda number, _: os.kill(started["pid"], number))
    finished = _receive(answers)
    return 1 if finished is None else int(finished["status"])


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        sys.exit(run(sys.argv[2], sys.argv[3:]))
