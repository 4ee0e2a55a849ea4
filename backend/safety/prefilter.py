"""Literal prefilters for the detector's regular expressions: what a text must contain for a pattern to match.

Most patterns never match most chunks, yet `re` walks every position of the text trying each of them (a pattern
that starts with `\\b` or an alternation gets no fast literal scan), and a chunk meets some sixty of them. Here
each pattern's parse tree is read once into a `Requirement`: literal strings joined by "and" and "or" that every
match of the pattern contains ("(?:ignore|forget) (?:all )?(?:previous|prior) instructions" needs one of "ignore",
"forget" and one of "previous", "prior" and "instructions"). A `Gate` over a group of patterns finds, in one pass
over a text, which of all their literals occur in it; a pattern whose requirement fails cannot match the text and
is not run. Skipping it changes no result: a requirement is a necessary condition, never a guess.

How requirements are read: a piece of the pattern that can match only a few strings (literals, small character
classes, optional or alternative literals, zero-width assertions) has an exact set, and neighbouring exact sets
multiply ("(?:ignore|forget) (?:all )?" is four strings); every element of a sequence adds what it requires to an
"and"; an alternation requires one of its alternatives' requirements ("or"), and nothing when one alternative
requires nothing; a repetition done at least once requires what its body does. Literals shorter than
`MIN_LITERAL` tell too little to be worth looking for and count as nothing. Patterns compiled case-insensitively,
and case-insensitive groups, require nothing (they are always run).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MIN_LITERAL = 2
"""Shortest literal worth looking for (one character is in every text)."""
STRONG_LITERAL = 4
"""Of the things a sequence requires, those whose literals are all this long or longer are kept when there are
any: "the " or "in" would be found in nearly every text, for no gain, at the price of looking for them."""
_MAX_SET = 16
"""Largest set of exact strings kept while multiplying neighbouring pieces (beyond it the run is cut)."""
_MAX_CLASS = 6
"""Largest character class read as a set of one-character strings."""

Literals = frozenset[str]


@dataclass(frozen=True, slots=True)
class Requirement:
    """Every match contains one of `literals` (a leaf), or meets all (`op` "and") or one (`op` "or") of `parts`."""

    op: str
    literals: Literals = frozenset()
    parts: tuple[Requirement, ...] = ()

    def all_literals(self) -> set[str]:
        """Every literal the requirement mentions."""
        out = set(self.literals)
        for part in self.parts:
            out |= part.all_literals()
        return out

    @property
    def strength(self) -> int:
        """The length of the shortest literal that can satisfy the requirement (how rare meeting it is)."""
        if self.op == "any":
            return min(map(len, self.literals))
        lengths = [p.strength for p in self.parts]
        return max(lengths) if self.op == "and" else min(lengths)

    def test(self) -> Callable[[frozenset[str] | set[str]], bool]:
        """`holds` as one compiled function (what a `Gate` calls on every text)."""
        if self.op == "any":
            literals = self.literals
            return lambda present: not literals.isdisjoint(present)
        tests = [p.test() for p in self.parts]
        if self.op == "and":
            return lambda present: all(t(present) for t in tests)
        return lambda present: any(t(present) for t in tests)

    def holds(self, present: frozenset[str] | set[str]) -> bool:
        """Whether a text containing exactly the literals `present` can meet the requirement."""
        if self.op == "any":
            return not self.literals.isdisjoint(present)
        if self.op == "and":
            return all(p.holds(present) for p in self.parts)
        return any(p.holds(present) for p in self.parts)


def requirement(regex: re.Pattern[str]) -> Requirement | None:
    """What every match of `regex` contains; None when nothing useful is known (the pattern always runs)."""
    if not isinstance(regex.pattern, str) or regex.flags & re.IGNORECASE:
        return None
    try:
        return _sequence(list(sre_parse.parse(regex.pattern, regex.flags)))[1]
    except Exception:  # `re`'s parser is internal: should it change, the patterns simply always run
        return None


def _leaf(strings: Literals | None) -> Requirement | None:
    if not strings or any(len(s) < MIN_LITERAL for s in strings):
        return None
    return Requirement("any", frozenset(strings))


def _all(parts: Iterable[Requirement | None]) -> Requirement | None:
    flat: list[Requirement] = []
    for part in parts:
        if part is None:
            continue
        for p in part.parts if part.op == "and" else (part,):
            if p not in flat:
                flat.append(p)
    strong = [p for p in flat if p.strength >= STRONG_LITERAL]
    flat = strong or flat
    # A leaf whose every literal holds a literal of another leaf says more: the other one goes.
    kept: list[Requirement] = []
    for part in flat:
        if not any(_implies(k, part) for k in kept):
            kept = [k for k in kept if not _implies(part, k)] + [part]
    flat = kept
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else Requirement("and", parts=tuple(flat))


def _implies(a: Requirement, b: Requirement) -> bool:
    """Whether leaf `a` holding means leaf `b` holds (each literal of `a` contains one of `b`), `a` != `b`."""
    if a.op != "any" or b.op != "any" or a == b:
        return False
    return all(any(y in x for y in b.literals) for x in a.literals)


def _one_of(parts: Sequence[Requirement | None]) -> Requirement | None:
    if not parts or any(p is None for p in parts):
        return None
    leaves: set[str] = set()
    others: list[Requirement] = []
    for part in parts:
        assert part is not None
        for p in part.parts if part.op == "or" else (part,):
            if p.op == "any":
                leaves |= p.literals
            elif p not in others:
                others.append(p)
    merged = ([Requirement("any", frozenset(leaves))] if leaves else []) + others
    return merged[0] if len(merged) == 1 else Requirement("or", parts=tuple(merged))


def _product(a: Literals, b: Literals) -> Literals | None:
    if len(a) * len(b) > _MAX_SET:
        return None
    return frozenset(x + y for x in a for y in b)


def _sequence(items: list[tuple[Any, Any]]) -> tuple[Literals | None, Requirement | None]:
    """(exact set or None, requirement) of a concatenation of parse items."""
    needs: list[Requirement | None] = []
    run: Literals = frozenset({""})
    exact_all = True
    for op, av in items:
        exact, required = _item(op, av)
        needs.append(required)
        if exact is None:
            exact_all = False
            needs.append(_leaf(run))
            run = frozenset({""})
            continue
        joined = _product(run, exact)
        if joined is None:
            # Too many combinations: what has been multiplied so far is required; start again from here.
            needs.append(_leaf(run))
            exact_all = False
            joined = exact
        run = joined
    needs.append(_leaf(run))
    return (run if exact_all else None), _all(needs)


def _item(op: Any, av: Any) -> tuple[Literals | None, Requirement | None]:
    """(exact set or None, requirement) of one parse item."""
    if op is sre.LITERAL:
        return frozenset({chr(av)}), None
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return frozenset({""}), None  # zero-width: the text matched around it is contiguous
    if op is sre.IN:
        chars = list(_class_chars(av))
        if chars and None not in chars and len(set(chars)) <= _MAX_CLASS:
            return frozenset(c for c in chars if c is not None), None
        return None, None
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & re.IGNORECASE:
            return None, None
        return _sequence(list(sub))
    if op is sre.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is sre.BRANCH:
        exacts: list[Literals | None] = []
        needs: list[Requirement | None] = []
        for alternative in av[1]:
            exact, required = _sequence(list(alternative))
            exacts.append(exact)
            needs.append((_leaf(exact) or required) if exact is not None else required)
        union: Literals | None = None
        if all(e is not None for e in exacts):
            union = frozenset().union(*(e for e in exacts if e is not None))
            if len(union) > _MAX_SET:
                union = None
        return union, _one_of(needs)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        exact, required = _sequence(list(sub))
        body = (_leaf(exact) or required) if exact is not None else required
        return _repeated(exact, lo, hi), (body if lo >= 1 else None)
    return None, None  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, GROUPREF_EXISTS...


def _repeated(exact: Literals | None, lo: int, hi: int) -> Literals | None:
    """The exact set of `exact` repeated lo to hi times (None when unbounded or too large)."""
    if exact is None or hi > 3:
        return None
    out: set[str] = {""} if lo == 0 else set()
    power: Literals | None = frozenset({""})
    for k in range(1, hi + 1):
        power = _product(power, exact) if power is not None else None
        if power is None:
            return None
        if k >= lo:
            out |= power
    return frozenset(out) if len(out) <= _MAX_SET else None


def _class_chars(items: list[tuple[Any, Any]]) -> Iterable[str | None]:
    """The characters of a class, None for anything that is not a short list (a negation, a category)."""
    for op, av in items:
        if op is sre.LITERAL:
            yield chr(av)
        elif op is sre.RANGE and av[1] - av[0] < _MAX_CLASS:
            yield from (chr(c) for c in range(av[0], av[1] + 1))
        else:
            yield None


class Gate:
    """The requirements of a group of patterns, and one pass over a text that tells which of them can match.

    The scan is one regular expression over a trie of every literal of the group, tried at every position of the
    text (inside a lookahead, so overlapping literals are all seen); at each position it captures the longest
    literal that starts there, and the shorter literals starting there are that one's prefixes."""

    def __init__(self, regexes: Iterable[re.Pattern[str]]) -> None:
        found = {id(r): requirement(r) for r in regexes}
        # Each requirement with every literal it mentions: one of them must be present before the tree is walked.
        self._requirements = {key: (r.test(), frozenset(r.all_literals())) for key, r in found.items() if r is not None}
        literals = sorted(set().union(*(every for _, every in self._requirements.values())))
        known = set(literals)
        self._prefixes = {s: frozenset(s[:k] for k in range(1, len(s) + 1) if s[:k] in known) for s in literals}
        self._scan = re.compile(f"(?=({_trie(literals)}))") if literals else None

    def present(self, text: str) -> frozenset[str]:
        """The literals of the group present in `text`, for `allows`."""
        if self._scan is None:
            return frozenset()
        longest = set(self._scan.findall(text))
        return frozenset().union(*(self._prefixes[s] for s in longest))

    def allows(self, regex: re.Pattern[str], present: frozenset[str]) -> bool:
        """False when `regex` cannot match a text holding exactly the literals `present` of the group."""
        entry = self._requirements.get(id(regex))
        if entry is None:
            return True
        test, every = entry
        return not every.isdisjoint(present) and test(present)


def split_alternation(regex: re.Pattern[str]) -> list[re.Pattern[str]]:
    """The top-level alternatives of `regex`, each compiled alone with its flags ([regex] when it has none).

    Searching each alternative and keeping the leftmost match (the earliest alternative on a tie) finds the match
    `regex.search` finds, with the same span (`leftmost_match`); each alternative gets its own prefilter, so only
    those whose literals a text holds are run. Patterns with group references are not split."""
    source = regex.pattern
    if not isinstance(source, str) or re.search(r"\\\d|\(\?P=|\(\?\(", source):
        return [regex]
    pieces: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            # A "]" right after "[" or "[^" is a member of the class, not its end.
            if source[i + 1 : i + 2] == "^":
                i += 1
            if source[i + 1 : i + 2] == "]":
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            pieces.append(source[start:i])
            start = i + 1
        i += 1
    pieces.append(source[start:])
    if len(pieces) < 2:
        return [regex]
    return [re.compile(piece, regex.flags & ~re.UNICODE) for piece in pieces]


def leftmost_match(
    alternatives: Sequence[re.Pattern[str]], text: str, gate: Gate, present: frozenset[str]
) -> re.Match[str] | None:
    """The match the pattern made of `alternatives` (`split_alternation`) finds in `text`: the leftmost, and of
    those starting at the same place the earliest alternative's; alternatives the gate rules out are not run."""
    best: re.Match[str] | None = None
    for alternative in alternatives:
        if not gate.allows(alternative, present):
            continue
        m = alternative.search(text)
        if m is not None and (best is None or m.start() < best.start()):
            best = m
    return best


def _trie(words: Iterable[str]) -> str:
    """A regular expression matching the longest of `words` that starts where it is tried, factored as a trie."""
    end = ""  # marks a node where a word ends
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[end] = {}

    def emit(node: dict[str, Any]) -> str:
        alternatives = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch != end]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        # Greedy: a longer word through this node is preferred, the word ending here is kept when none follows.
        return f"(?:{body})?" if end in node else body

    return emit(root)
