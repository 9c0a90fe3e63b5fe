#!/usr/bin/env python3
"""Which files of a crate import each other in a circle.

Usage: scripts/import-graph.py crates/<name>/src [...]   (exit 1 when a cycle exists)

A file's module is its path (pages/calendar.rs is `pages::calendar`, a mod.rs
is its folder). An edge A -> B is a path in A (`use crate::…`, `super::…`,
`self::…`, an inline `crate::a::b::f()`, or a child module's name) that names
B's module or something inside it. The crate root (lib.rs, main.rs) is where
modules are assembled and is left out. `mod x;` declarations are not edges.
Comments and string literals are skipped.
"""
import os, re, sys

def strip(src):
    src = re.sub(r'//[^\n]*', '', src)
    src = re.sub(r'/\*.*?\*/', '', src, flags=re.S)
    src = re.sub(r'r#*"(?:.|\n)*?"#*', '""', src)
    src = re.sub(r'"(?:\\.|[^"\\])*"', '""', src)
    return src

def expand(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']"""
    tree = re.sub(r'\s+', '', tree)
    def go(s):
        i = s.find('{')
        if i < 0:
            return [s]
        depth, j = 0, i
        for j in range(i, len(s)):
            depth += s[j] == '{'
            depth -= s[j] == '}'
            if depth == 0:
                break
        prefix, inner, rest = s[:i], s[i + 1:j], s[j + 1:]
        parts, depth, cur = [], 0, ''
        for ch in inner:
            if ch == ',' and depth == 0:
                parts.append(cur); cur = ''
                continue
            depth += ch == '{'
            depth -= ch == '}'
            cur += ch
        parts.append(cur)
        out = []
        for p in parts:
            if p:
                out += go(prefix + p + rest)
        return out
    return go(tree)

def inline_mods(src):
    """(start, end) of every `mod name { … }` body in a stripped source."""
    out = []
    for mo in re.finditer(r'\bmod\s+\w+\s*\{', src):
        depth, i = 0, mo.end() - 1
        for i in range(mo.end() - 1, len(src)):
            depth += src[i] == '{'
            depth -= src[i] == '}'
            if depth == 0:
                break
        out.append((mo.end(), i))
    return out

def modules(root):
    mods = {}
    for d, _, files in os.walk(root):
        for f in files:
            if not f.endswith('.rs'):
                continue
            rel = os.path.relpath(os.path.join(d, f), root)[:-3].split(os.sep)
            if rel[-1] == 'mod':
                rel = rel[:-1]
            if rel in (['lib'], ['main']) or rel[:1] == ['bin']:
                continue
            mods[tuple(rel)] = os.path.join(d, f)
    return mods

def graph(root):
    mods = modules(root)
    edges = {m: set() for m in mods}
    for m, path in mods.items():
        src = strip(open(path, encoding='utf-8').read())
        is_dir = path.endswith('mod.rs')
        here = list(m) if is_dir else list(m[:-1])  # where `self`/children resolve for a mod.rs
        children = set(re.findall(r'^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;', src, re.M))
        blocks = inline_mods(src)
        paths = []
        for u in re.finditer(r'\buse\s+([^;]+);', src):
            paths += [(p, u.start()) for p in expand(u.group(1))]
        paths += [(p.group(1), p.start()) for p in re.finditer(r'\b((?:crate|super|self)(?:::\w+)+)', src)]
        paths += [(p.group(1), p.start()) for p in re.finditer(r'(?<![:\w])(\w+(?:::\w+)+)', src)
                  if p.group(1).split('::')[0] in children]
        for p, at in paths:
            parts = [x for x in p.split('::') if x]
            if not parts:
                continue
            # Inside an inline `mod tests { … }`, `self` is that block and its
            # first `super` the file itself: neither leaves the file.
            depth = sum(1 for a, b in blocks if a < at < b)
            if parts[0] == 'crate':
                base, parts = [], parts[1:]
            elif parts[0] in ('super', 'self'):
                base = list(m)
                while parts and parts[0] in ('super', 'self'):
                    if parts[0] == 'super':
                        if depth:
                            depth -= 1
                        else:
                            base = base[:-1]
                    elif depth:
                        base = None
                    parts = parts[1:]
                if base is None:
                    continue
            elif parts[0] in children:
                base = list(m)
            else:
                continue
            full = base + [x.split(' as ')[0] for x in parts]
            for k in range(len(full), 0, -1):
                t = tuple(full[:k])
                if t in mods:
                    if t != m:
                        edges[m].add(t)
                    break
    return edges

def cycles(edges):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1
        stack.append(v); on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    for v in edges:
        if v not in index:
            visit(v)
    return out

def main():
    bad = 0
    for root in sys.argv[1:] or ['crates/domain/src', 'crates/store/src', 'crates/web/src', 'crates/jobs/src', 'crates/almanach/src']:
        edges = graph(root)
        found = cycles(edges)
        for comp in found:
            bad += 1
            names = ['::'.join(c) for c in comp]
            print(f'{root}: cycle between {", ".join(names)}')
            for a in comp:
                for b in sorted(edges[a] & set(comp)):
                    print(f'    {"::".join(a)} -> {"::".join(b)}')
        if not found:
            print(f'{root}: {len(edges)} files, no cycle')
    sys.exit(1 if bad else 0)

if __name__ == '__main__':
    main()
