#!/usr/bin/env python3
"""Synthetic applications for bench/run.sh: a form plus one to three
attachments of 50 KB to 2 MB (log-uniform, incompressible, base64), as a
student's mail client would send them. Deterministic for a given seed.

  gen.py --n 200 --out DIR            N applications, DIR/NNNNN.eml (~1.4 MB each)
  gen.py --n 1000 --small --out DIR   the form alone, no attachment (~1.2 KB)
  gen.py --n 1000 --mid --out DIR     the form and two PDF attachments (~60 KB)
  gen.py --big 25 --out DIR           one application with a 25 MB attachment
  gen.py --tiny 100000 --out MAILDIR  that many small messages straight into
                                      MAILDIR/cur (a processed mailbox)
"""
import argparse
import base64
import math
import os
import random


def application(i, rng, sizes):
    b = "b%08x" % rng.getrandbits(32)
    head = (
        f"From: Student {i} <student{i}@med{i % 50}.example.org>\r\n"
        f"To: clerkship@example.edu\r\n"
        f"Subject: Visiting clerkship application {i}\r\n"
        f"Message-ID: <bench-{i}-{rng.getrandbits(48):x}@med.example.org>\r\n"
        f"Date: Mon, 19 Oct 2026 10:00:00 +0000\r\n"
        f"MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{b}"\r\n\r\n'
    )
    form = (
        f"--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Dear coordinator,\r\n\r\nplease find my application below.\r\n\r\n"
        f"Full name: Student Number {i}\r\n"
        f"Email: student{i}@med{i % 50}.example.org\r\n"
        f"Medical school: Example University School of Medicine\r\n"
        f"School country: United States\r\nYear of study: final\r\n"
        f"Expected graduation: 2027-05\r\nDegree held: none\r\n"
        f"Core clerkships completed: medicine, surgery, pediatrics, obstetrics-gynecology\r\n"
        f"Request type: clerkship\r\nEnglish proficiency: native\r\n"
        f"Choice 1: MED-401 2027-03\r\nChoice 2: SUR-512 2027-03\r\n\r\n"
    )
    parts = [head, form]
    for k, size in enumerate(sizes):
        data = base64.encodebytes(rng.randbytes(size)).replace(b"\n", b"\r\n").decode()
        parts.append(
            f"--{b}\r\nContent-Type: application/pdf; name=\"document-{k}.pdf\"\r\n"
            f"Content-Disposition: attachment; filename=\"document-{k}.pdf\"\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{data}"
        )
    parts.append(f"--{b}--\r\n")
    return "".join(parts).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=0)
    ap.add_argument("--big", type=int, default=0, help="MB of one attachment")
    ap.add_argument("--tiny", type=int, default=0)
    ap.add_argument("--small", action="store_true",
                    help="the form alone, no attachment: processing rather than transfer dominates")
    ap.add_argument("--mid", action="store_true",
                    help="the form and two attachments of 15-27 KB (about 60 KB of mail)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20261124)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    total = 0
    for i in range(1, a.n + 1):
        if a.small:
            sizes = []
        elif a.mid:
            sizes = [rng.randint(15000, 27000) for _ in range(2)]
        else:
            sizes = [int(math.exp(rng.uniform(math.log(50e3), math.log(2e6))))
                     for _ in range(rng.randint(1, 3))]
        raw = application(i, rng, sizes)
        total += len(raw)
        with open(os.path.join(a.out, "%05d.eml" % i), "wb") as f:
            f.write(raw)
    if a.big:
        raw = application(0, rng, [a.big * 1024 * 1024])
        total += len(raw)
        with open(os.path.join(a.out, "big.eml"), "wb") as f:
            f.write(raw)
    if a.tiny:
        cur = os.path.join(a.out, "cur")
        os.makedirs(cur, exist_ok=True)
        for i in range(a.tiny):
            raw = (f"From: s{i}@example.org\r\nSubject: processed {i}\r\n"
                   f"Message-ID: <tiny-{i}@example.org>\r\n\r\nFull name: S {i}\r\n").encode()
            with open(os.path.join(cur, f"{i}.bench:2,S"), "wb") as f:
                f.write(raw)
            total += len(raw)
    print(f"gen: {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
