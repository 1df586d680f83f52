"""Memos shared by the rules that look at the same post.

Several rules ask the same question of one post's text (its links, phone numbers, long tokens),
so the answer is remembered for the few texts checked last. Only a few: the key is a whole post
and the answer can hold thousands of objects (a post of 2,000 links), and every object a memo
keeps is visited by each full garbage collection, a pause in whichever post triggers it. A memo
of 1,024 hostile posts once held millions of objects and made a post take 1.5 s.
"""

from __future__ import annotations

import gc
from functools import lru_cache

#: How many recent texts a per-post memo remembers: a post, its normalised forms and a reply's
#: parent, with room to spare.
PER_POST_TEXTS = 16

#: Decorator for a function of one post's text whose answer several rules want.
per_post = lru_cache(maxsize=PER_POST_TEXTS)


def settle() -> None:
    """Set what the process holds now aside from the garbage collector's later work.

    Called by a process that checks many posts (``smguard check --file``, the server), once the
    guard is built and warmed up (:meth:`~smguard.guard.engine.Guard.warm_up`): the compiled
    packs and lexicons, some 80,000 objects that live as long as the process, are no longer
    visited by every full collection, which otherwise cost 15-50 ms in whichever post triggered
    it. What is set aside is never freed, so a library or a test never calls this.
    """
    gc.collect()
    gc.freeze()
