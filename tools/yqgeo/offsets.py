"""Offset slots: lines that share a corridor are drawn side by side.

Schematic lines through the same places share identical segments (nine features run 綦江–三江).
Each line gets an integer `offset_slot` (0, 1, -1, 2, -2, …): the web map shifts it by that many
offset steps to the right of its direction (MapLibre `line-offset`), so that lines sharing a
segment are all visible and clickable. Two lines that share a segment never take the same side
of it: a line drawn against another's direction has its sides swapped, which the assignment
takes into account.

The assignment is greedy and deterministic: lines in order of how many shared segments they
have (most first), then by id; each takes the slot of least magnitude (0 first, right before
left) that puts it on a side no line already placed on any of its segments holds.
"""

from __future__ import annotations


def _key(c) -> tuple[float, float]:
    return (round(c[0], 6), round(c[1], 6))


def _segments(coords):
    """(segment key, direction) of each segment: the key is the unordered pair of its ends, the
    direction +1 where the line runs from the smaller end to the larger, else -1."""
    out = []
    for a, b in zip(coords, coords[1:]):
        ka, kb = _key(a), _key(b)
        if ka == kb:
            continue
        out.append(((min(ka, kb), max(ka, kb)), 1 if ka < kb else -1))
    return out


def _slots():
    yield 0
    n = 1
    while True:
        yield n
        yield -n
        n += 1


def assign(features: list[dict]) -> dict[str, int]:
    """Feature id -> offset slot, for GeoJSON LineString features (other geometries get none)."""
    segs: dict[str, list] = {}
    users: dict[tuple, list[str]] = {}
    for f in features:
        if f["geometry"]["type"] != "LineString":
            continue
        segs[f["id"]] = _segments(f["geometry"]["coordinates"])
        for s, _ in segs[f["id"]]:
            if f["id"] not in users.setdefault(s, []):
                users[s].append(f["id"])
    shared = {fid: sum(1 for s, _ in ss if len(users[s]) > 1) for fid, ss in segs.items()}
    taken: dict[tuple, set[int]] = {}  # segment -> sides held (slot × direction)
    out: dict[str, int] = {}
    for fid in sorted(segs, key=lambda i: (-shared[i], i)):
        mine = [(s, d) for s, d in segs[fid] if len(users[s]) > 1]
        for slot in _slots():
            if all(slot * d not in taken.get(s, set()) for s, d in mine):
                break
        out[fid] = slot
        for s, d in mine:
            taken.setdefault(s, set()).add(slot * d)
    return out
