#!/usr/bin/env python3
"""Run a command with its stderr (and stdout, unless --stdout-file) on a
pseudo-terminal, as a person at a terminal would; write every byte the
terminal received to CAPTURE and exit with the command's exit code.

    pty_run.py CAPTURE [--stdout-file F] -- COMMAND ARGS...

Standard library only. The terminal is put in raw mode so that the bytes
captured are the bytes written (no newline translation).
"""
import os
import sys
import tty


def main():
    args = sys.argv[1:]
    if len(args) < 3 or "--" not in args:
        sys.exit(__doc__)
    capture = args[0]
    opts, cmd = args[1:args.index("--")], args[args.index("--") + 1:]
    out_file = opts[1] if opts[:1] == ["--stdout-file"] else None
    master, slave = os.openpty()
    tty.setraw(slave)
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        if out_file:
            os.dup2(os.open(out_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                            0o600), 1)
        else:
            os.dup2(slave, 1)
        os.dup2(slave, 2)
        os.closerange(3, 1 << 16)
        os.execvp(cmd[0], cmd)
    os.close(slave)
    got = bytearray()
    while True:
        try:
            b = os.read(master, 65536)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not b:
            break
        got += b
    _, status = os.waitpid(pid, 0)
    with open(capture, "wb") as f:
        f.write(got)
    sys.exit(os.waitstatus_to_exitcode(status) & 0xff)


if __name__ == "__main__":
    main()
