"""The body of a document as a numbered tree, and plain text ⇄ points.

Numbers are derived, never stored: numbered points at each level count 1, 2, 3…, and a child's
number extends its parent's («2.2.1.»). Bullets print with a dash, paragraphs without a mark.

``parse_body_text`` turns pasted text — the way acts arrive from Word — into the same structure,
so a real order or regulation can be entered in one go and then corrected point by point:

    1. Общие положения.            → numbered, level 1
    1.1. Центр создан …            → numbered, level 2 (child of «1.»)
    2.2.1. Поиск …                 → numbered, level 3
    - обеспечивает …               → bullet under the last numbered point
    Текст без номера               → paragraph of the last numbered point (a paragraph that
                                     stands inside a clause stays in it)

A line joins the previous one only where it cannot start a paragraph: it begins in lower case
(text pasted from a PDF wraps mid-sentence), or the previous line breaks off — after a comma, a
hyphen, an opening quote or bracket, a short word («в», «по»), or longer than a title without
closing punctuation. Text pasted from Word has one paragraph per line, and keeps them.
"""

import re
from dataclasses import dataclass, field

NUMBER_RE = re.compile(r"^\s*((?:\d+\.)+\d*)\s*(.*)$", re.S)
BULLET_RE = re.compile(r"^\s*[-–—•]\s+(.*)$", re.S)
CLOSING = (".", ";", ":", "!", "?", "»", ")", "…")


@dataclass
class Node:
    """A point with its derived number, as templates print it."""

    pk: int | None
    style: str
    text: str
    number: str = ""
    level: int = 1
    executor: str = ""
    deadline: str = ""
    children: list["Node"] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def build_tree(points) -> list[Node]:
    """Number the points of one document (any order in, document order out): no queries."""
    by_parent: dict[int | None, list] = {}
    for p in points:
        by_parent.setdefault(p.parent_id, []).append(p)
    for siblings in by_parent.values():
        siblings.sort(key=lambda p: (p.position, p.pk or 0))

    def nodes(parent_id, prefix, level):
        result = []
        counter = 0
        for p in by_parent.get(parent_id, []):
            number = ""
            if p.style == "numbered":
                counter += 1
                number = f"{prefix}{counter}."
            node = Node(
                pk=p.pk,
                style=p.style,
                text=p.text,
                number=number,
                level=level,
                executor=p.executor,
                deadline=p.deadline,
            )
            node.children = nodes(p.pk, number or prefix, level + 1)
            result.append(node)
        return result

    return nodes(None, "", 1)


def flatten(tree: list[Node]) -> list[Node]:
    return [node for root in tree for node in root.walk()]


@dataclass
class ParsedPoint:
    style: str
    text: str
    children: list["ParsedPoint"] = field(default_factory=list)


BREAKS_OFF_RE = re.compile(r"(?:[,\-‐(«„“]|\b\w{1,2})$")


# Longer than a section title: a paragraph this long that stops without punctuation was cut
# by a line or page break of the source.
TITLE_MAX = 80


def _broken_off(previous: str) -> bool:
    previous = previous.rstrip()
    return bool(BREAKS_OFF_RE.search(previous)) or (
        len(previous) > TITLE_MAX and not previous.endswith(CLOSING)
    )


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` goes on with the paragraph ``previous`` ends (a wrapped line)."""
    return line[:1].islower() or line[:1] in ",;:)»" or _broken_off(previous)


def _join_wrapped_lines(text: str) -> list[str]:
    """Split into logical paragraphs: a blank line, a new number or dash, or a line that can
    start a paragraph starts a new one; a wrapped line continues the current one."""
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        starts_new = bool(NUMBER_RE.match(line) and NUMBER_RE.match(line).group(2)) or bool(
            BULLET_RE.match(line)
        )
        if current and (starts_new or not _continues(current[-1], line)):
            paragraphs.append(" ".join(current))
            current = []
        current.append(line)
    if current:
        paragraphs.append(" ".join(current))
    # A page break of the source document may fall inside a sentence (blank lines around it):
    # an unnumbered paragraph continues the previous one as a wrapped line would.
    merged: list[str] = []
    for paragraph in paragraphs:
        starts_point = NUMBER_RE.match(paragraph) and NUMBER_RE.match(paragraph).group(2)
        continues = merged and not starts_point and not BULLET_RE.match(paragraph)
        if continues and _continues(merged[-1], paragraph):
            merged[-1] = f"{merged[-1]} {paragraph}"
        else:
            merged.append(paragraph)
    return merged


def parse_body_text(text: str) -> list[ParsedPoint]:
    """Parse numbered text into a tree. Explicit numbers decide the level; their values are
    not kept (numbering is derived), so «1.» «3.» «4.» simply become 1, 2, 3."""
    roots: list[ParsedPoint] = []
    # stack[i] is the last numbered point at level i + 1
    stack: list[ParsedPoint] = []
    for paragraph in _join_wrapped_lines(text):
        bullet = BULLET_RE.match(paragraph)
        numbered = NUMBER_RE.match(paragraph)
        if bullet:
            # A dash sub-item also written with a number («- 1.1. Центр …») is a numbered clause.
            inner = NUMBER_RE.match(bullet.group(1))
            if inner and inner.group(2):
                numbered, bullet = inner, None
        if numbered and numbered.group(2) and not bullet:
            digits = [d for d in numbered.group(1).split(".") if d]
            level = max(1, len(digits))
            point = ParsedPoint("numbered", numbered.group(2).strip())
            del stack[level - 1 :]
            parent = stack[-1] if stack else None
            (parent.children if parent else roots).append(point)
            stack.append(point)
        elif bullet:
            point = ParsedPoint("bullet", bullet.group(1).strip())
            parent = stack[-1] if stack else None
            (parent.children if parent else roots).append(point)
        else:
            point = ParsedPoint("paragraph", paragraph.strip())
            # A paragraph inside a clause belongs to that clause (it prints as its paragraph).
            parent = stack[-1] if stack else None
            (parent.children if parent else roots).append(point)
    return roots


def tree_to_text(tree: list[Node]) -> str:
    """The inverse of ``parse_body_text`` for the «edit as text» form."""
    lines = []
    for node in flatten(tree):
        if node.style == "numbered":
            lines.append(f"{node.number} {node.text}")
        elif node.style == "bullet":
            lines.append(f"- {node.text}")
        else:
            lines.append(node.text)
    return "\n".join(lines)
