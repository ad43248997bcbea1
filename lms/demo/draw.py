"""The demo academy's random draws: weighted choices from a seeded
``random.Random``, never the global generator, in an order that does not
depend on string hashing."""

from bisect import bisect
from itertools import accumulate


def words(text):
    return tuple(text.split())


def chars(text):
    """``"伟wei 强qiang"`` → ``(("伟", "wei"), ("强", "qiang"))``."""
    return tuple((item[0], item[1:]) for item in text.split())


def weighted_picker(pairs):
    """A function choosing among ``(item, weight)`` pairs with a given rng;
    cumulative weights are computed once, as this runs for every teacher."""
    items = [item for item, _weight in pairs]
    cumulative = list(accumulate(weight for _item, weight in pairs))
    total = cumulative[-1]

    def pick(rng):
        return items[bisect(cumulative, rng.random() * total)]

    return pick


def largest_remainder(weights, total):
    """Split ``total`` into integers proportional to ``weights``; ties go to
    the earlier entry so the split is deterministic."""
    weight_sum = sum(weights)
    quotas = [total * weight / weight_sum for weight in weights]
    shares = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def weighted_sample(rng, population, weights, k):
    """``k`` distinct items, each drawn with probability proportional to its
    weight among those left."""
    population, weights, chosen = list(population), list(weights), []
    for _ in range(min(k, len(population))):
        i = bisect(list(accumulate(weights)), rng.random() * sum(weights))
        chosen.append(population.pop(i))
        weights.pop(i)
    return chosen


def pick(rng, items):
    """``rng.choice`` for the hot loops: one call to ``random()`` where
    ``choice`` makes several, for every one of a large academy's entries."""
    return items[int(rng.random() * len(items))]
