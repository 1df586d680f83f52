"""The structure rules: one per sub-target (religion, race, gender, physical).

A post is hate by structure when a word for a group stands within ``window`` words of an attack
cue — dehumanising, excluding, violent, or a sweeping bad trait — and the post is not a
condemnation, a report or a quotation. The five rules share one analysis per post (cached in the
check context), so the five cost one pass over the words.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress

from smguard.guard.normalize import squeeze, word_forms
from smguard.guard.rule import CheckContext, Example, Rule, examples_from
from smguard.types import Finding, Post, Severity

from .morphology import Prefixed, roots
from .vocabulary import CUE_KINDS, TARGETS, Vocabulary

__all__ = ["ENGINE", "StructureRule", "analyse", "make_rules"]

ENGINE = "hate"
_SOURCE = __name__.rpartition(".")[0]
_CACHE = "hate:structure"
_LOOKUPS: dict[int, _Lookup] = {}
_QUOTES_RE = re.compile(r"[\"“”«»„]|(?:^|\s)'|'(?:\s|$)")


@dataclass(frozen=True)
class Hit:
    """A group word and the closest attack cue next to it, in word indexes."""

    target: str
    first: int
    last: int
    cue: str
    cue_word: str


_NONE: frozenset[str] = frozenset()
_NOTHING = (_NONE, _NONE)
# Every entry of a memo is visited by each full garbage collection (a pause in whichever
# post triggers it, ~0.3 ms per 1,000 entries on a slow CPU): enough for a day's vocabulary.
_MAX_MEMO = 50_000


class _Lookup:
    """A word form → the vocabulary words it is, as written and with affixes removed.

    Memoised per vocabulary: posts repeat words, and most words are in no list at all.
    """

    def __init__(self, vocab: Vocabulary) -> None:
        self.known = known = vocab.known
        targets = vocab.targets.values()
        #: What makes a group in :func:`analyse`: a target term; a place after a person word
        #: ("orang Jawa"); every word of a target phrase ("kaum adam"). A post whose words reach
        #: none of these has no group, so no finding.
        self.terms = frozenset().union(*(t.terms for t in targets))
        self.places = frozenset().union(*(t.places for t in targets))
        self.persons = frozenset(vocab.persons)
        self.phrases = tuple({frozenset(p) for t in targets for p in t.phrases})
        #: Every word of those: what a post's word is looked up against.
        self.groups = self.terms | self.places | self.persons | frozenset().union(*self.phrases)
        #: Cheap test before the roots: can any reading of a form be one of :attr:`groups`?
        self.may_be_group = Prefixed(self.groups)
        #: The same test for every vocabulary word: most forms of a post reach none, and are
        #: then told so without computing their roots.
        self.may_be_known = Prefixed(known)
        self.memo: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        #: Post words (as tokenised, before leetspeak and slang) looked up so far, and for
        #: those that reach one of :attr:`groups` through their forms, which; for :attr:`slang`.
        self.seen: set[str] = set()
        self.hot: dict[str, frozenset[str]] = {}
        self.slang: Mapping[str, str] | None = None

    def may_have_group(self, ctx: CheckContext) -> bool:
        """False when the post's words cannot make a group: the analysis finds nothing.

        Set operations over the post's distinct words, as the lexicon does; only words never
        seen before are looked up one by one (their forms, then their roots). A person word
        alone ("orang") or a phrase's first word alone ("kaum") is no group.
        """
        norm = ctx.norm
        seen, hot = self.seen, self.hot
        if norm.slang is not self.slang or len(seen) > _MAX_MEMO:
            # New ones rather than clear(): a post being checked in another thread keeps the
            # two it read, which agree with each other.
            seen, hot = set(), {}
            self.seen, self.hot, self.slang = seen, hot, norm.slang
        distinct = set(norm.words)
        new = distinct.difference(seen)
        if new:
            # The guard's word-forms cache (it belongs to the same slang table), else a local one.
            cache = ctx.forms_cache if ctx.forms_cache is not None else {}
            slang, groups, maybe = norm.slang, self.groups, self.may_be_group
            longest = maybe.longest
            for word in new:
                reach: frozenset[str] = _NONE
                for f in word_forms(word, slang, cache):
                    # A form longer than any group word with its affixes is none (most words of
                    # a long random token): its squeezed reading is no longer than it.
                    if len(sf := squeeze(f)) <= longest and (maybe(f) or maybe(sf)):
                        reach = reach | groups.intersection(self(f)[1])
                if reach:
                    hot[word] = reach
                seen.add(word)
        found = hot.keys() & distinct  # a set operation over the smaller of the two
        if not found:
            return False
        reach = frozenset().union(*map(hot.__getitem__, found))
        if not reach.isdisjoint(self.terms):
            return True
        if not reach.isdisjoint(self.places) and not reach.isdisjoint(self.persons):
            return True
        return any(phrase <= reach for phrase in self.phrases)

    def __call__(self, form: str) -> tuple[frozenset[str], frozenset[str]]:
        found = self.memo.get(form)
        if found is None:
            squeezed = squeeze(form)
            maybe = self.may_be_known
            if len(squeezed) <= maybe.longest and (
                maybe(form) or (squeezed is not form and maybe(squeezed))
            ):
                exact = self.known.intersection((form, squeezed))
                rooted = self.known.intersection(roots(form) | roots(squeezed))
            else:  # no reading of it can be a vocabulary word: skip computing them
                exact = rooted = _NONE
            # Most forms are no vocabulary word: one shared pair for them, so the memo adds no
            # object per such form for the garbage collector to walk through on every full pass.
            found = (
                (frozenset(exact) or _NONE, frozenset(rooted) or _NONE)
                if exact or rooted
                else _NOTHING
            )
            if len(self.memo) > _MAX_MEMO:
                self.memo.clear()
            self.memo[form] = found
        return found


def _words(lookup: _Lookup, ctx: CheckContext) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
    """Each word's vocabulary words: as written (leetspeak, slang, squeezed) and rooted."""
    plain: list[frozenset[str]] = []
    rooted: list[frozenset[str]] = []
    memo = lookup.memo
    # A post repeats its words: the union for a word of several forms is made once a post.
    several: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {}
    for forms in ctx.norm.forms:
        if len(forms) == 1:
            exact, root = memo.get(forms[0]) or lookup(forms[0])
        elif forms in several:
            exact, root = several[forms]
        else:
            pairs = [lookup(f) for f in forms]
            exact = frozenset().union(*(p[0] for p in pairs))
            root = frozenset().union(*(p[1] for p in pairs))
            several[forms] = (exact, root)
        plain.append(exact)
        rooted.append(root)
    return plain, rooted


def _phrase_at(words: Sequence[frozenset[str]], i: int, phrase: tuple[str, ...]) -> bool:
    if i + len(phrase) > len(words):
        return False
    return all(w in words[i + k] for k, w in enumerate(phrase))


def _spans(
    words: Sequence[frozenset[str]],
    single: set[str],
    phrases: set[tuple[str, ...]],
    firsts: set[str],
) -> list[tuple[int, int, str]]:
    """Word spans ``(first, last, word)`` of the single words and phrases found."""
    out: list[tuple[int, int, str]] = []
    # Most words are no vocabulary word (an empty set): only the others are looked at.
    for i in compress(range(len(words)), words):
        forms = words[i]
        found = forms & single
        if found:
            out.append((i, i, min(found)))
        if forms & firsts:
            for phrase in phrases:
                if phrase[0] in forms and _phrase_at(words, i, phrase):
                    out.append((i, i + len(phrase) - 1, " ".join(phrase)))
    return out


@dataclass
class _Analysis:
    hits: list[Hit] = field(default_factory=list)
    countered: bool = False


def analyse(vocab: Vocabulary, ctx: CheckContext) -> _Analysis:
    """Find every (group, cue) pair of the post once; shared by the five rules."""
    cached: _Analysis | None = ctx.cache.get(_CACHE)
    if cached is not None:
        return cached
    result = _Analysis()
    ctx.cache[_CACHE] = result
    lookup = _LOOKUPS.get(id(vocab))
    if lookup is None or lookup.known is not vocab.known:
        lookup = _LOOKUPS[id(vocab)] = _Lookup(vocab)
    if not lookup.may_have_group(ctx):
        return result  # most posts: no group word, so no (group, cue) pair
    plain, rooted = _words(lookup, ctx)
    # Most words of a post are no vocabulary word (an empty set): only the others are read.
    known_at = list(compress(range(len(rooted)), rooted))
    if len(plain) < 2 or len(known_at) < 2:
        return result  # a group and an attack need two words of the vocabulary
    plain_at = list(compress(range(len(plain)), plain))
    groups: list[tuple[int, int, str]] = []
    for name in TARGETS:
        target = vocab.targets[name]
        firsts = {p[0] for p in target.phrases}
        for first, last, _ in _spans(rooted, target.terms, target.phrases, firsts):
            groups.append((first, last, name))
        for i in plain_at:
            if plain[i] & target.places and i > 0 and plain[i - 1] & vocab.persons:
                groups.append((i - 1, i, name))
    if not groups:
        return result
    # Counter-speech and reporting: the whole post condemns, reports or quotes.
    if any(rooted[i] & vocab.counter_words for i in known_at) or _spans(
        plain, set(), vocab.counter_phrases, {p[0] for p in vocab.counter_phrases}
    ):
        result.countered = True
        return result
    if _QUOTES_RE.search(ctx.post.text) and any(plain[i] & vocab.reporting for i in plain_at):
        result.countered = True
        return result
    cues: list[tuple[int, int, str, str]] = []
    for kind in CUE_KINDS:
        cue = vocab.cues.get(kind)
        if cue is None:
            continue
        firsts = {p[0] for p in cue.phrases}
        for first, last, word in _spans(rooted, cue.words, cue.phrases, firsts):
            before = plain[max(first - 2, 0) : first]
            if any(forms & vocab.negations for forms in before):
                continue  # "tidak bodoh", "not vermin"
            cues.append((first, last, kind, word))
    result.hits.extend(_pairs(groups, cues, vocab))
    return result


def _pairs(
    groups: list[tuple[int, int, str]], cues: list[tuple[int, int, str, str]], vocab: Vocabulary
) -> Iterator[Hit]:
    """Each group with its strongest cue within the window (the first listed of the strongest
    kind), not overlapping it and not one of the group's own words.

    Only the cues that start near a group are read (a sorted list, halved to each end): a long
    post of group and cue words has hundreds of each, and every pair took 50 ms.
    """
    if not cues:
        return
    window = vocab.window
    longest = max(c_last - c_first for c_first, c_last, _, _ in cues)
    order = sorted(range(len(cues)), key=lambda k: cues[k][0])
    starts = [cues[k][0] for k in order]
    for g_first, g_last, name in groups:
        best: tuple[int, int] | None = None  # (kind's rank, position in cues)
        own = vocab.targets[name].terms
        # A cue before the group ends at most window + 1 words before it, so starts at most
        # its longest span earlier; one after the group starts at most window + 1 after it.
        low = bisect_left(starts, g_first - window - 1 - longest)
        high = bisect_right(starts, g_last + window + 1)
        for k in order[low:high]:
            c_first, c_last, kind, word = cues[k]
            if (g_first <= c_last and c_first <= g_last) or word in own:
                continue  # "kafir" is a group and an epithet: "kafir harbi dan kafir dzimmi"
            gap = c_first - g_last if c_first > g_last else g_first - c_last
            if gap > window + 1:
                continue
            rank = (CUE_KINDS.index(kind), k)
            if best is None or rank < best:
                best = rank
        if best is not None:
            c_first, c_last, kind, word = cues[best[1]]
            yield Hit(name, min(g_first, c_first), max(g_last, c_last), kind, word)


_CUE_TEXT = {
    "violence": {"en": "a call to violence", "id": "ajakan kekerasan"},
    "exclude": {"en": "a call to throw them out", "id": "ajakan mengusir"},
    "dehumanise": {"en": "dehumanising words", "id": "kata yang merendahkan martabat"},
    "stereotype": {"en": "a sweeping bad trait", "id": "cap buruk untuk semua anggotanya"},
}


@dataclass(eq=False)
class StructureRule(Rule):
    """Fires when its sub-target is attacked (see :func:`analyse`)."""

    target: str = ""
    vocab: Vocabulary = field(default_factory=Vocabulary, repr=False)

    def check(self, post: Post, ctx: CheckContext) -> Iterable[Finding]:
        analysis = analyse(self.vocab, ctx)
        if analysis.countered or not analysis.hits:
            return ()
        hits = [hit for hit in analysis.hits if hit.target == self.target]
        if not hits:
            return ()
        spans = ctx.norm.spans  # only now: most posts never need the words' offsets
        label = self.vocab.targets[self.target].label
        out = []
        for hit in hits:
            start, end = spans[hit.first][0], spans[hit.last][1]
            cue = self.vocab.cues[hit.cue]
            what = _CUE_TEXT[hit.cue]
            message = {
                "en": f"Attacks {label.get('en', self.target)}: the group named with "
                f'{what["en"]} ("{hit.cue_word}").',
                "id": f"Menyerang {label.get('id', label.get('en', self.target))}: nama "
                f'kelompok disertai {what["id"]} ("{hit.cue_word}").',
            }
            out.append(
                self.finding(
                    span=(start, end),
                    evidence=post.text[start:end],
                    severity=max(cue.severity, Severity.MEDIUM),
                    message=message,
                )
            )
        return out[:5]


_WHY = {
    "en": "Naming a group (a religion, an ethnic group, women, disabled people …) together with "
    "words that call them vermin, tell them to leave, call for violence against them or brand "
    "all of them with a bad trait is hate speech, in any spelling; in Indonesia it is the SARA "
    "offence of the UU ITE (Art. 28(2)). Posts that condemn, report or quote such words "
    '("mengecam", "hate speech", "polisi", a quotation with "said") are left alone.',
    "id": "Menyebut suatu kelompok (agama, suku, perempuan, penyandang disabilitas …) bersama kata "
    "yang menyamakan mereka dengan hama, mengusir, mengajak kekerasan, atau memberi cap buruk "
    "kepada semua anggotanya adalah ujaran kebencian, dalam ejaan apa pun; di Indonesia ini "
    "pelanggaran SARA menurut UU ITE (Pasal 28 ayat 2). Unggahan yang mengecam, memberitakan, "
    'atau mengutip kata-kata itu ("mengecam", "ujaran kebencian", "polisi", kutipan '
    'dengan "kata") tidak ditandai.',
}
_SUGGESTION = {
    "en": 'Do not publish. If you are reporting on such words, say so ("… was condemned", a '
    "quotation with who said it).",
    "id": "Jangan diunggah. Jika sedang memberitakan ucapan seperti itu, nyatakan konteksnya "
    '("… dikecam", kutipan dengan siapa yang mengatakannya).',
}
_NAMES = {
    "religion": "hate-structure-religion",
    "race": "hate-structure-race",
    "gender": "hate-structure-gender",
    "physical": "hate-structure-physical",
    "group": "hate-structure-group",
}


def _examples(vocab: Vocabulary, target: str, rule: str) -> tuple[Example, ...]:
    spec = vocab.examples.get(target)
    return examples_from(spec, rule=rule, file=vocab.files[0]) if spec else ()


def make_rules(vocab: Vocabulary) -> list[Rule]:
    """One rule per sub-target, all reading the same vocabulary and sharing one gate."""

    def attacked(post: Post, ctx: CheckContext) -> bool:
        """Whether the shared analysis found an attack on any group (one test for the five)."""
        analysis = analyse(vocab, ctx)
        return bool(analysis.hits) and not analysis.countered

    rules: list[Rule] = []
    for name in TARGETS:
        target = vocab.targets[name]
        label = target.label
        rules.append(
            StructureRule(
                id=target.rule,
                name=_NAMES[name],
                category="hate",
                severity=Severity.HIGH,
                engine=ENGINE,
                message={
                    "en": f"Attacks {label.get('en', name)}: a group word next to "
                    "dehumanising, excluding or violent words, or a sweeping bad trait.",
                    "id": f"Menyerang {label.get('id', name)}: nama kelompok di dekat kata "
                    "yang merendahkan, mengusir, mengajak kekerasan, atau memberi cap buruk.",
                },
                why=_WHY,
                suggestion=_SUGGESTION,
                languages=frozenset({"en", "id"}),
                examples=_examples(vocab, name, target.rule),
                false_positives=(
                    "Condemnation, news and quotations are left alone when they say so "
                    '(counter words such as "mengecam", "hate speech", "polisi"; a '
                    "quotation with a reporting verb). A report that does neither is flagged: "
                    "a person reviews it.",
                ),
                source=_SOURCE,
                target=name,
                vocab=vocab,
                gate=attacked,
            )
        )
    return rules
