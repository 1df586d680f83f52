"""``[plugins.hate]``: an organisation's own vocabulary files and the window, checked at load."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from smguard.config.schema import NAMES, Table, invalid, listing, str_list

__all__ = ["HateTable", "vocabulary_files"]


class HateTable(Table, frozen=True):
    """``[plugins.hate]``: extra vocabulary for the hate/SARA structure rules."""

    vocabulary: Annotated[
        NAMES,
        listing('a list of YAML files, e.g. ["hate-local.yaml"]'),
        Meta(description="Files of the shape of rules/hate/structure.yaml, merged in order."),
    ] = ()
    window: (
        Annotated[
            int,
            Meta(ge=1, le=20, description="Words allowed between a group word and an attack word."),
        ]
        | None
    ) = None

    def __post_init__(self) -> None:
        if any(not path.strip() for path in str_list(self.vocabulary)):
            invalid("vocabulary", "must be a list of file paths")


def vocabulary_files(table: HateTable) -> tuple[str, ...]:
    return tuple(p.strip() for p in str_list(table.vocabulary))
