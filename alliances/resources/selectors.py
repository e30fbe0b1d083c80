"""Reads of the resource centre."""

from dataclasses import dataclass, field

from .models import ReferentielNode


@dataclass
class TreeNode:
    node: ReferentielNode
    number: str  # "2.1.3": positions from the root, as the référentiel is cited
    depth: int  # 1 part, 2 chapter, 3 question
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.node.pk

    @property
    def title(self) -> str:
        return self.node.title


def referentiel_tree() -> list[TreeNode]:
    """The whole référentiel as a numbered tree, in one query."""
    nodes = list(ReferentielNode.objects.order_by("position", "id"))
    by_parent: dict[int | None, list[ReferentielNode]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)

    def build(parent_id: int | None, prefix: str, depth: int) -> list[TreeNode]:
        made = []
        for n, node in enumerate(by_parent.get(parent_id, []), start=1):
            number = f"{prefix}{n}"
            made.append(
                TreeNode(node, number, depth, build(node.pk, f"{number}.", depth + 1))
            )
        return made

    return build(None, "", 1)


def referentiel_flat() -> list[TreeNode]:
    """The tree in reading order (depth first), for lists and choices."""
    out: list[TreeNode] = []

    def walk(items: list[TreeNode]) -> None:
        for item in items:
            out.append(item)
            walk(item.children)

    walk(referentiel_tree())
    return out
