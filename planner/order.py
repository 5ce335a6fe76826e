"""Order in which to walk blocks of doors (one block per lane), and which way round.

Each block is walked from one end door to the other; it can be walked either way
round. Endpoint y of block y // 2 is where the walk enters it; it then leaves from
the other end, y ^ 1. The walk starts at a fixed point and is open: it ends at the
last door, so the last block's way back out is saved. A few blocks are ordered
exactly (dynamic programming over subsets); more are ordered by local search.
"""
from __future__ import annotations

import random
from functools import lru_cache

import numpy as np

EXACT_MAX_BLOCKS = 10   # 2^10 subsets: a few milliseconds
KICKS_PER_BLOCK = 0.5   # perturbations after the sweeps: a safety net for unusual layouts


def best_block_order(dist: np.ndarray, n_blocks: int, along=None) -> list[int]:
    """Entry endpoints in walking order. `dist` is (2n+1)^2: the block ends, then the start.

    `along` (optional, n + 1 numbers): where each block, then the start, lies along the
    street; it seeds the search with walks that sweep the street one way then the other.
    """
    if n_blocks == 0:
        return []
    if n_blocks <= EXACT_MAX_BLOCKS:
        return _exact(dist, n_blocks)
    return _local_search(dist, n_blocks, along)


def walk_cost(dist: np.ndarray, entries: list[int]) -> float:
    """Metres between blocks for this order (the walk inside blocks does not depend on it)."""
    start = len(dist) - 1
    exits = [start] + [y ^ 1 for y in entries[:-1]]
    return float(dist[exits, entries].sum()) if entries else 0.0


def _exact(dist: np.ndarray, n: int) -> list[int]:
    """Held-Karp over subsets of blocks; state = (blocks done, endpoint left from)."""
    e, full = 2 * n, (1 << n) - 1
    ends = dist[:e, :e]
    ys = np.arange(e)
    bit = 1 << (ys // 2)
    best = np.full((1 << n, e), np.inf)
    best[bit, ys ^ 1] = dist[e, ys]
    for masks in _masks_by_size(n):
        arrive = (best[masks][:, :, None] + ends[None]).min(axis=1)  # cost to reach each endpoint
        free = (masks[:, None] & bit[None]) == 0
        target = (masks[:, None] | bit[None]) * e + (ys ^ 1)[None]
        np.minimum.at(best.ravel(), target[free], arrive[free])
    last = int(best[full].argmin())
    entries, mask = [], full
    while True:  # walk the table back to recover the order
        y = last ^ 1
        entries.append(y)
        mask ^= 1 << (y // 2)
        if not mask:
            return entries[::-1]
        last = int((best[mask] + ends[:, y]).argmin())


@lru_cache(maxsize=None)
def _masks_by_size(n: int) -> list[np.ndarray]:
    """The subsets of n blocks with 1, 2, ..., n - 1 members (the same for every walk of n)."""
    popcount = np.array([bin(m).count("1") for m in range(1 << n)])
    return [np.flatnonzero(popcount == size) for size in range(1, n)]


def _local_search(dist: np.ndarray, n: int, along=None) -> list[int]:
    """Several first walks improved by 2-opt and or-opt, then perturbed and repeated; best kept."""
    d = _with_free_end(dist)
    firsts = [_nearest_first(d, n)] + (_sweeps(d, n, np.asarray(along)) if along is not None else [])
    best, best_cost = None, np.inf
    for tour in firsts:
        tour = _improve(d, tour)
        if _cost(d, tour) < best_cost - 1e-9:
            best, best_cost = tour, _cost(d, tour)
    rng = random.Random(n)  # fixed: the same input always gives the same walk
    for _ in range(int(KICKS_PER_BLOCK * n)):
        trial = _improve(d, _kick(best, rng))
        cost = _cost(d, trial)
        if cost < best_cost - 1e-9:
            best, best_cost = trial, cost
    return [int(y) for y in best[1:-1]]


def _with_free_end(dist):
    """Adds a free end node Z reached from anywhere at no cost: the walk is open."""
    m = len(dist)
    d = np.zeros((m + 1, m + 1))
    d[:m, :m] = dist
    return d


def _partner(tour, e):
    """The endpoint each tour node is left from (the start and the free end are themselves)."""
    return np.where(tour < e, tour ^ 1, tour)


def _cost(d, tour):
    e = len(d) - 2
    return float(d[_partner(tour, e)[:-1], tour[1:]].sum())


def _nearest_first(d, n):
    e, start = 2 * n, 2 * n
    todo, at, tour = set(range(n)), start, [start]
    while todo:
        y = min((y for k in todo for y in (2 * k, 2 * k + 1)), key=lambda y: (d[at, y], y))
        tour.append(y)
        todo.discard(y // 2)
        at = y ^ 1
    return np.array(tour + [e + 1])


def _sweeps(d, n, along):
    """Walks out along the street to one end, then past the start to the other end."""
    out = []
    offset = along[:n] - along[n]
    for first_side in (-1.0, 1.0):
        later = np.sign(offset) != first_side  # lanes on the other side come second
        order = sorted(range(n), key=lambda k: (later[k], abs(offset[k]), k))
        tour, at = [2 * n], 2 * n
        for k in order:  # each lane entered at whichever end door is nearer
            y = 2 * k if d[at, 2 * k] <= d[at, 2 * k + 1] else 2 * k + 1
            tour.append(y)
            at = y ^ 1
        out.append(np.array(tour + [2 * n + 1]))
    return out


def _kick(tour, rng):
    """Moves a random run of blocks elsewhere, maybe reversed, to leave a local optimum."""
    inner = list(tour[1:-1])
    n = len(inner)
    i = rng.randrange(n)
    j = min(n, i + rng.randint(1, max(1, n // 4)))
    run, rest = inner[i:j], inner[:i] + inner[j:]
    if rng.random() < 0.5:
        run = [y ^ 1 for y in reversed(run)]
    k = rng.randrange(len(rest) + 1)
    return np.array([tour[0]] + rest[:k] + run + rest[k:] + [tour[-1]])


def _improve(d, tour):
    """Best-improvement 2-opt and or-opt (runs of 1-3 blocks) until no move shortens the walk."""
    e = len(d) - 2
    while True:
        p = _partner(tour, e)
        # Rows: the endpoint each position is left from (p) or entered at (tour).
        pt, pp, tt = d[np.ix_(p, tour)], d[np.ix_(p, p)], d[np.ix_(tour, tour)]
        gain2, move2 = _best_two_opt(pt, pp, tt)
        gain3, move3 = _best_or_opt(pt, pp, tt)
        if max(gain2, gain3) <= 1e-9:
            return tour
        tour = _apply_two_opt(tour, *move2) if gain2 >= gain3 else _apply_or_opt(tour, *move3)


def _best_two_opt(pt, pp, tt):
    """Reverse tour[i..j] (1 <= i <= j <= n): enters where it left, leaves where it entered."""
    n = len(pt) - 2
    link = np.diagonal(pt, 1)  # link[k]: from position k to k + 1
    old = link[:n][:, None] + link[1:][None, :]
    new = pp[:n, 1:n + 1] + tt[1:n + 1, 2:n + 2]
    gain = np.triu(old - new)
    k = int(gain.argmax())
    return float(gain.flat[k]), (k // n + 1, k % n + 1)


def _apply_two_opt(tour, i, j):
    tour = tour.copy()
    seg = tour[i:j + 1][::-1]
    tour[i:j + 1] = seg ^ 1
    return tour


def _best_or_opt(pt, pp, tt):
    """Move the run tour[i..i+L-1] between tour[k] and tour[k+1], as it is or reversed."""
    n = len(pt) - 2
    link = np.diagonal(pt, 1)
    k = np.arange(0, n + 1)
    best = (0.0, None)
    for length in (1, 2, 3):
        if length > n - 1:
            break
        i = np.arange(1, n - length + 2)
        j = i + length - 1
        cut = link[i - 1] + link[j] - pt[i - 1, j + 1]
        fwd = pt[:n + 1, i].T + pt[j, 1:n + 2] - link[None]
        rev = pp[:n + 1, j].T + tt[i, 1:n + 2] - link[None]
        bad = (k[None, :] >= i[:, None] - 1) & (k[None, :] <= j[:, None])
        for flip, add in ((False, fwd), (True, rev)):
            gain = np.where(bad, -np.inf, cut[:, None] - add)
            at = int(gain.argmax())
            if gain.flat[at] > best[0]:
                r, c = divmod(at, n + 1)
                best = (float(gain.flat[at]), (int(i[r]), length, int(k[c]), flip))
    return best


def _apply_or_opt(tour, i, length, k, flip):
    run = tour[i:i + length]
    if flip:
        run = run[::-1] ^ 1
    rest = np.concatenate((tour[:i], tour[i + length:]))
    at = k + 1 if k < i else k + 1 - length  # position in `rest` after which the run goes
    return np.concatenate((rest[:at], run, rest[at:]))
