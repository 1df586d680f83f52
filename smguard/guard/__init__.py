"""The guard: checking one post or a batch before it goes out.

Owns the engine (:mod:`.engine`), code rules and their context (:mod:`.rule`), rule packs
(:mod:`.packs`, :mod:`.ruletest`), the policy that turns findings into a decision
(:mod:`.policy`), text normalisation against evasions (:mod:`.normalize`), the lexicon matcher
(:mod:`.lexicon`), language detection (:mod:`.language`), links and contacts in text
(:mod:`.urls`) and the rule catalogue (:mod:`.catalogue`).

May import: :mod:`smguard.types`, :mod:`smguard.errors`, :mod:`smguard.hookspecs`,
:mod:`smguard.manager` and :mod:`smguard.config`. Nothing here touches the database.
"""
