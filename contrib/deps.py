#!/usr/bin/env python3
"""contrib/deps.py [BUILDDIR]: who includes and who calls whom among src/.

Includes come from the sources (#include "x.h" counts as an edge to x.c's
module); calls from the built objects (nm: a symbol one object uses and
another defines). Prints every circle (a strongly connected component of
more than one module) of either graph, and exits 1 if there is one.
Modules are file stems: src/rules_eval.c and src/rules_p.h are 'rules_eval'
and 'rules_p'; a header without a .c of its own is its own module."""
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

inc = {}
for f in sorted(os.listdir(src)):
    if not f.endswith(('.c', '.h')): continue
    m = stem(f)
    for line in open(os.path.join(src, f), errors='replace'):
        r = re.match(r'\s*#\s*include\s+"([^"]+)\.h"', line)
        if r and r.group(1) != m:
            inc.setdefault(m, set()).add(r.group(1))
        inc.setdefault(m, set())

defs, uses = {}, {}
for f in sorted(os.listdir(src)):
    if not f.endswith('.c') or stem(f) in mains: continue
    o = os.path.join(build, 'src', stem(f) + '.o')
    if not os.path.exists(o): continue
    for line in subprocess.run(['nm', o], capture_output=True, text=True).stdout.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'TDBR':
            defs[p[2]] = stem(f)
        elif len(p) == 2 and p[0] == 'U':
            uses.setdefault(stem(f), set()).add(p[1])
calls = {m: {defs[s] for s in syms if s in defs and defs[s] != m} for m, syms in uses.items()}

bad = 0
for name, g in (('include', inc), ('call', calls)):
    for c in sccs(g):
        bad += 1
        print('%s circle: %s' % (name, ' <-> '.join(c)))
print('no circles' if bad == 0 else '%d circle%s' % (bad, '' if bad == 1 else 's'))
sys.exit(1 if bad else 0)
