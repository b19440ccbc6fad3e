#!/usr/bin/env python3
"""contrib/deps.py [BUILDDIR]: who includes and who calls whom among src/.

Includes come from the sources (#include "x.h" counts as an edge to x.c's
module); calls from the built objects (nm: a symbol one object uses and
another defines). Prints every circle (a strongly connected component of
more than one module) of either graph, and exits 1 if there is one.
A module is a file stem (src/dossier.c and src/dossier.h are 'dossier'),
except that the files sharing a private header X_p.h (X.c, and every .c
that includes it) are one module, X: rules.c and rules_eval.c share
rules_p.h, so both are 'rules'. A header without a .c of its own is its own
module."""
import os, re, subprocess, sys

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = sys.argv[1] if len(sys.argv) > 1 else top
src = os.path.join(top, 'src')
mains = {'clerkd', 'clerkctl'}

def stem(f):
    return os.path.splitext(os.path.basename(f))[0]

def sccs(graph):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index: visit(v)
    return out

# Files that include a private header X_p.h belong to module X.
owner = {}
for f in sorted(os.listdir(src)):
    if f.endswith('_p.h'):
        owner[stem(f)] = stem(f)[:-2]
for f in sorted(os.listdir(src)):
    if not f.endswith('.c'): continue
    for line in open(os.path.join(src, f), errors='replace'):
        r = re.match(r'\s*#\s*include\s+"([^"]+)_p\.h"', line)
        if r:
            owner[stem(f)] = r.group(1)

def module(name):
    return owner.get(name, name)

inc = {}
for f in sorted(os.listdir(src)):
    if not f.endswith(('.c', '.h')): continue
    m = module(stem(f))
    inc.setdefault(m, set())
    for line in open(os.path.join(src, f), errors='replace'):
        r = re.match(r'\s*#\s*include\s+"([^"]+)\.h"', line)
        if r and module(r.group(1)) != m:
            inc[m].add(module(r.group(1)))

defs, uses = {}, {}
for f in sorted(os.listdir(src)):
    if not f.endswith('.c') or stem(f) in mains: continue
    o = os.path.join(build, 'src', stem(f) + '.o')
    if not os.path.exists(o): continue
    for line in subprocess.run(['nm', o], capture_output=True, text=True).stdout.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'TDBR':
            defs[p[2]] = module(stem(f))
        elif len(p) == 2 and p[0] == 'U':
            uses.setdefault(module(stem(f)), set()).add(p[1])
calls = {m: {defs[s] for s in syms if s in defs and defs[s] != m} for m, syms in uses.items()}

bad = 0
for name, g in (('include', inc), ('call', calls)):
    for c in sccs(g):
        bad += 1
        print('%s circle: %s' % (name, ' <-> '.join(c)))
print('no circles' if bad == 0 else '%d circle%s' % (bad, '' if bad == 1 else 's'))
sys.exit(1 if bad else 0)
