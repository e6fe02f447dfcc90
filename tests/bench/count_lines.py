#!/usr/bin/env python3
"""Non-blank lines of Rust outside #[cfg(test)] items (and tests/ folders), per directory:
    python3 tests/bench/count_lines.py DIR [--files]
"""
import sys,os,re
def nontest(path):
    n=0
    lines=open(path).read().split('\n')
    i=0
    while i < len(lines):
        l=lines[i]
        if l.strip()=='#[cfg(test)]':
            # skip the following item (mod or fn) by brace matching
            j=i+1
            depth=0; started=False
            while j < len(lines):
                depth+=lines[j].count('{')-lines[j].count('}')
                if '{' in lines[j]: started=True
                j+=1
                if started and depth<=0: break
            i=j; continue
        if l.strip(): n+=1
        i+=1
    return n
root=sys.argv[1]
tot=0
for dp,_,fs in os.walk(root):
    if '/tests' in dp: continue
    for f in fs:
        if f.endswith('.rs'):
            c=nontest(os.path.join(dp,f)); tot+=c
            if "--files" in sys.argv: print(c, os.path.join(dp,f))
print("total", tot)
