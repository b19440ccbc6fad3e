#!/usr/bin/env python3
"""bench/latency.py: delivery-to-reply latency of clerkd in IDLE.

Starts the daemon (DAEMON-COMMAND...), then delivers N single applications
with dovecot-lda at random moments and takes the time from the start of each
delivery to the moment the SMTP sink has written the reply (inotify on the
sink's directory: IN_CLOSE_WRITE), on the same clock and in the same way as
bench/idle_floor.py times the bare IDLE client. Before, the shell polled the
sink with find(1) every 5 ms; with the earlier backlogs' thousands of replies
still in the sink each poll cost tens of milliseconds, which the figure took
in. A daemon stopped from outside (a shared machine) is started again.
Prints one latency per line (seconds), in delivery order.

    latency.py --sink DIR --dovecot-conf C --user U --n N -- DAEMON-COMMAND...
"""
import argparse
import ctypes
import os
import random
import select
import struct
import subprocess
import sys
import time

IN_CLOSE_WRITE = 0x00000008
IN_MOVED_TO = 0x00000080


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sink", required=True)
    ap.add_argument("--dovecot-conf", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("daemon", nargs="+")
    a = ap.parse_args()

    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0 or libc.inotify_add_watch(fd, a.sink.encode(), IN_CLOSE_WRITE | IN_MOVED_TO) < 0:
        sys.exit("latency: inotify: %s" % os.strerror(ctypes.get_errno()))
    log = open(a.log, "ab")
    daemon = subprocess.Popen(a.daemon, stdout=log, stderr=log)
    time.sleep(1)

    def replied(deadline):
        """True when the sink has written a file; False at the deadline."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([fd], [], [], min(left, 0.5))
            if r:
                buf = os.read(fd, 65536)
                while buf:
                    _, mask, _, length = struct.unpack_from("iIII", buf)
                    buf = buf[16 + length:]
                    if mask & (IN_CLOSE_WRITE | IN_MOVED_TO):
                        return True
            restart_if_stopped()

    def restart_if_stopped():
        nonlocal daemon
        if daemon.poll() is not None:
            print("latency: the daemon stopped; started again", file=sys.stderr)
            daemon = subprocess.Popen(a.daemon, stdout=log, stderr=log)

    for i in range(1, a.n + 1):
        msg = (f"From: L{i} <l{i}@example.org>\nTo: clerkship@example.edu\n"
               f"Subject: Application\nMessage-ID: <lat-{i}@example.org>\n\n"
               f"Full name: Lat {i}\nMedical school: X\nYear of study: final\n")
        while select.select([fd], [], [], 0)[0]:	# nothing left over
            os.read(fd, 65536)
        t0 = time.monotonic()
        subprocess.run(["/usr/lib/dovecot/dovecot-lda", "-c", a.dovecot_conf, "-d", a.user,
                        "-f", "s@example.org"], input=msg.encode(), check=True)
        if not replied(t0 + 30):
            daemon.terminate()
            sys.exit(f"latency: no reply within 30 s to arrival {i}")
        print(f"{time.monotonic() - t0:.3f}", flush=True)
        time.sleep(random.randrange(10) / 10)	# arrivals at random moments
    daemon.terminate()
    daemon.wait()


if __name__ == "__main__":
    main()
