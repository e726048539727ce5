# SPDX-License-Identifier: MIT
"""forktree.py - a Python program that forks a tree of workers, for
`anonvma record`.

The root builds some state, then forks FANOUT children; each child does a
little work on its own data (lists and dicts it allocates, and the parent's
state it reads: copy-on-write pages shared with every ancestor) and forks
its own children, down to DEPTH levels; every process waits for its
children and exits.

    python3 forktree.py [DEPTH [FANOUT]]      (default 3 3)
"""
import os
import sys


def work(level, state):
    data = [i * level for i in range(20000)]
    index = {i: str(i) for i in range(0, 20000, 7)}
    return sum(data[::97]) + len(index) + state[level % len(state)]


def tree(level, depth, fanout, state):
    work(level, state)
    if level == depth:
        return
    children = []
    for _ in range(fanout):
        pid = os.fork()
        if pid == 0:
            tree(level + 1, depth, fanout, state + [level])
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)


def main():
    depth = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    fanout = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    state = [i * i for i in range(50000)]
    tree(0, depth, fanout, state)
    print("tree of depth %d and fan-out %d done" % (depth, fanout))


if __name__ == "__main__":
    main()
