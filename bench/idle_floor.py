#!/usr/bin/env python3
"""bench/idle_floor.py: the floor under clerkd's delivery-to-reply latency.

A bare IMAP client sits in IDLE on a mailbox; each of N messages is
delivered with dovecot-lda at a random moment, and the time from the start
of the delivery to the server's "* N EXISTS" is taken. No client can learn of
new mail sooner than this through IDLE (Dovecot waits 500 ms after a change
before it tells an idling client: mailbox-watch.c, NOTIFY_DELAY_MSECS).
Prints "idle floor: p50 X s, p99 Y s (N deliveries)".

    idle_floor.py --port P --user U --password-file F --dovecot-conf C [--n N]
"""
import argparse
import random
import socket
import subprocess
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--dovecot-conf", required=True)
    ap.add_argument("--n", type=int, default=30)
    a = ap.parse_args()
    password = open(a.password_file).read().strip()
    s = socket.create_connection((a.host, a.port))
    f = s.makefile("rb")

    def command(tag, text):
        s.sendall(f"{tag} {text}\r\n".encode())
        while True:
            line = f.readline()
            if not line:
                raise SystemExit("idle_floor: connection closed")
            if line.startswith(tag.encode() + b" "):
                if not line.startswith(tag.encode() + b" OK"):
                    raise SystemExit(f"idle_floor: {text.split()[0]} failed: {line!r}")
                return

    f.readline()
    command("a", f'LOGIN {a.user} "{password}"')
    command("b", "SELECT INBOX")
    times = []
    for i in range(a.n):
        msg = (f"From: Floor <floor{i}@example.org>\r\nTo: clerkship@example.edu\r\n"
               f"Subject: floor {i}\r\nMessage-ID: <floor-{i}@example.org>\r\n\r\nfloor\r\n")
        s.sendall(b"i IDLE\r\n")
        if not f.readline().startswith(b"+"):
            raise SystemExit("idle_floor: no IDLE")
        time.sleep(0.2 + random.random() * 0.5)
        t0 = time.monotonic()
        subprocess.run(["/usr/lib/dovecot/dovecot-lda", "-c", a.dovecot_conf, "-d", a.user,
                        "-f", "floor@example.org"], input=msg.encode(), check=True)
        while b"EXISTS" not in f.readline():
            pass
        times.append(time.monotonic() - t0)
        s.sendall(b"DONE\r\n")
        while not f.readline().startswith(b"i "):
            pass
    command("z", "LOGOUT")
    times.sort()
    p50 = times[(len(times) + 1) // 2 - 1]
    p99 = times[max(0, round(len(times) * 0.99) - 1)]
    print(f"idle floor: p50 {p50:.3f} s, p99 {p99:.3f} s ({len(times)} deliveries)")


if __name__ == "__main__":
    main()
