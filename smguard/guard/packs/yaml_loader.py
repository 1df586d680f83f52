"""The YAML loader for pack files: safe YAML that also refuses duplicate keys."""

from __future__ import annotations

from typing import Any

import yaml

from smguard.safejson import short

__all__ = ["StrictLoader", "load_bounded_yaml", "load_pack_yaml", "yaml_problem"]

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster


class StrictLoader(_BaseLoader):  # type: ignore[misc]
    """Safe YAML that also refuses duplicate keys (a classic silent pack bug) and keys that
    are not text."""


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, str):
            # JSON (the pack cache) has text keys only, and every key of a pack is a name or a
            # word: a bare `null:`, `yes:`, `1:` or `&x:` key is a typing slip, said here once.
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a key must be text, not {_yaml_key(key_node, key)}: write it in quotes",
                key_node.start_mark,
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {short(key)}", key_node.start_mark
            )
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node)
    return mapping


def _yaml_key(node: yaml.Node, key: Any) -> str:
    """What YAML made of a key, as the pack's author wrote it (``yes`` is a boolean)."""
    written = node.value if isinstance(node, yaml.ScalarNode) else None
    if key is None:
        return f"empty ({short(written)} is null)" if written else "empty"
    kind = (
        "a boolean"
        if isinstance(key, bool)
        else "a number"
        if isinstance(key, int | float)
        else "a value"
    )
    return f"{short(written)} ({kind})" if isinstance(written, str) else kind


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


#: Most values a pack may expand to once its aliases are followed (the built-in packs, which
#: reuse word lists with ``&name`` / ``*name``, expand to a few tens of thousands).
MAX_EXPANDED_NODES = 1_000_000


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes ``root`` stands for with every alias copied out (linear, memoised)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if ready:
            total = 1 + sum(sizes.get(id(child), 1) for child in children)
            sizes[id(node)] = min(total, MAX_EXPANDED_NODES + 1)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _load(loader: Any, text: str) -> Any:
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        if "*" in text and _expanded_size(root) > MAX_EXPANDED_NODES:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"its aliases (*name) expand to more than {MAX_EXPANDED_NODES:,} values",
                root.start_mark,
            )
        return loader.construct_document(root)
    finally:
        loader.dispose()


def load_bounded_yaml(text: str) -> Any:
    """Safe YAML for the other files people give smguard (plans, detectors, national days,
    clarification templates), held to the rules of pack files: aliases may not expand past
    :data:`MAX_EXPANDED_NODES`, every key is text and no mapping repeats one (a plan post with
    two ``text:`` lines would otherwise keep the last one silently)."""
    return _load(StrictLoader(text), text)


def yaml_problem(exc: BaseException) -> str:
    """YAML's complaint in one line, where it is: `` at line 3, column 5: duplicate key 'text'``
    (the text after the file's name in an error message)."""
    mark = getattr(exc, "problem_mark", None)
    at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = (getattr(exc, "problem", None) or str(exc).splitlines()[0])[:200]
    return f"{at}: {problem}"


def load_pack_yaml(text: str) -> Any:
    """A pack file's data; one whose aliases expand past :data:`MAX_EXPANDED_NODES` is refused.

    An alias repeats a node without copying its text, so a few hundred bytes of nested aliases
    ("billion laughs") stand for billions of values. The size is computed on the node graph,
    before anything is built or quoted in a message.
    """
    return _load(StrictLoader(text), text)
