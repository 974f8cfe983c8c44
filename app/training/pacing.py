"""How often each live view may be redrawn while training (Qt-free).

Drawing runs on the GUI thread and, in Python, competes with the worker for the GIL; while a
view is drawn the worker even steps aside. To keep training throughput >= 90% of the headless
engine, every view gets a share of a small time budget: a view whose redraw costs c seconds
is redrawn at most every c / share seconds (and at most 30 times per second). Costs
are measured, so a cheap view updates often and a heavy network canvas rarely. Only the views
on screen share the budget: a panel behind another tab is refreshed at the slowest pace and
leaves its share to the ones a person sees."""

from __future__ import annotations


class ViewPacer:
    def __init__(
        self,
        names,
        budget: float = 0.05,
        min_interval: float = 1 / 30,
        max_interval: float = 2.0,
        assumed_cost: float = 0.005,
        weights=None,
    ):
        """names: the views; budget: the share of time all of them together may use;
        weights: {name: relative share} (default equal), e.g. to favour the cost curve."""
        self.names = tuple(names)
        self.budget = budget
        self._weights = {name: 1.0 for name in self.names} | dict(weights or {})
        self._shown = frozenset(self.names)
        self._share_out()
        self.min_interval = min_interval
        self.max_interval = max_interval
        self.assumed_cost = assumed_cost
        self.cost = dict.fromkeys(self.names, assumed_cost)
        self.last = dict.fromkeys(self.names, float("-inf"))

    def add(self, name: str, weight: float = 1.0) -> None:
        """Another view shares the budget from now on (the others' shares shrink)."""
        if name in self.names:
            raise ValueError(f"the pacer already paces a view named {name!r}")
        self.names += (name,)
        self._weights[name] = weight
        self._shown |= {name}
        self._share_out()
        self.cost[name] = self.assumed_cost
        self.last[name] = float("-inf")

    def set_shown(self, names) -> None:
        """The views on screen now: they share the budget; the others are redrawn every
        max_interval (a hidden view costs little, and is current soon after it is shown)."""
        shown = frozenset(names) & frozenset(self.names)
        if shown != self._shown:
            self._shown = shown
            self._share_out()

    def _share_out(self) -> None:
        sharing = [name for name in self.names if name in self._shown]
        total = sum(self._weights[name] for name in sharing)
        self.shares = {
            name: self.budget * self._weights[name] / total if name in sharing else 0.0
            for name in self.names
        }

    def interval(self, name: str) -> float:
        """Seconds between redraws of `name` at its measured cost."""
        share = self.shares[name]
        if share <= 0:
            return self.max_interval
        return min(self.max_interval, max(self.min_interval, self.cost[name] / share))

    def due(self, name: str, now: float) -> bool:
        return now - self.last[name] >= self.interval(name)

    def wait(self, name: str, now: float) -> float:
        """Seconds until `name` is due (0 if it is)."""
        return max(0.0, self.last[name] + self.interval(name) - now)

    def drawn(self, name: str, cost: float, now: float) -> None:
        """Record a redraw of `name` that took `cost` seconds and finished at `now`."""
        self.cost[name] = 0.7 * self.cost[name] + 0.3 * cost
        self.last[name] = now

    def restart(self, now: float) -> None:
        """A new run: the first redraws wait one interval (a short run is not all drawing)."""
        for name in self.names:
            self.last[name] = now
