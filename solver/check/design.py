"""Independent checker of three-tier network plans (``Plan.kind == "network"``).

It recomputes, from the Scenario, the NetworkParams and the Plan alone, every
rule of ``docs/plan_contract.md`` and says in a sentence what is wrong, naming
the village / site / tier / stream and the numbers. It shares no code with the
network-design model (``solver/design/``): a bug there cannot hide
itself here. Distances come from ``scenario.travel.pairs(..., profile="truck")``, for the pairs the plan names.
The cost / KPI part lives in :mod:`solver.check.design_costs`.

What it checks:

* sites: known candidate of the stated tier, not closed, at a size level the
  site allows, capacity and fixed cost (× the shared-site factor) of that
  level, forced-open (existing / required) sites open, throughput equal to
  the tonnes entering the site and within capacity, site budgets per tier;
* assignments: every village's supply fully assigned (shares sum to 1, a single
  row with share 1 under single sourcing), servers open and of the right tier,
  mobile assignments only to open transfer stations within the mobile radius
  and only when allowed, coverage radius (urban vs rural), upper-leg radii,
  the stated distance equal to the travel matrix, the density rule
  (SB/T 10719) and the minimum share of shared points;
* flows: legs join the right tiers along assignments, amounts equal
  generation × share per stream (and inflow × share on the upper legs),
  balance per site and stream, centres receive all the material;
* costs ``fixed``, ``handling``, ``transport``, ``mobile_collection``,
  ``total`` and the KPIs recomputed within ``1e-6`` relative + ``1e-3``
  absolute, the fixed-cost budget, the CO2 cap and objective = total cost.

Example
-------
>>> problems = check_network_plan(scenario, plan, params)   # doctest: +SKIP
>>> assert problems == [], "\\n".join(problems)             # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections import defaultdict

from network.demand import Village
from network.network_params import NetworkParams
from network.plan import Assignment, Flow, OpenSite, Plan
from network.scenario import Scenario
from network.sites import CandidateSite, SiteStatus, SizeLevel, Tier
from solver.check.design_costs import ABS_TOL, LEG_TIERS, REL_TOL, CostChecks, close

_UPPER = {Tier.COLLECTION_POINT: Tier.TRANSFER_STATION, Tier.TRANSFER_STATION: Tier.SORTING_CENTRE}
KPI_KEYS: tuple[str, ...] = (
    "demand_t", "served_t", "coverage_share", "t_km", "co2_t", "mean_village_km", "max_village_km",
    "shared_site_share", "mobile_villages", "open_collection_point", "open_transfer_station",
    "open_sorting_centre")
COST_KEYS: tuple[str, ...] = ("fixed", "handling", "transport", "mobile_collection", "total")


def check_network_plan(scenario: Scenario, plan: Plan, params: NetworkParams) -> list[str]:
    """Every way ``plan`` breaks the network rules of ``scenario`` under ``params``.

    Parameters
    ----------
    scenario
        The planning problem the plan answers.
    plan
        A ``kind="network"`` plan (see ``docs/plan_contract.md``).
    params
        The network-design options the plan must respect.

    Returns
    -------
    list of str
        One sentence per violation; empty when the plan is clean.

    Raises
    ------
    Nothing on a bad plan (violations are returned); the travel model's own
    errors propagate.
    """
    return _Checker(scenario, plan, params).run()


class _Checker(CostChecks):
    """One pass over a plan; ``problems`` collects the sentences."""

    def __init__(self, scenario: Scenario, plan: Plan, params: NetworkParams) -> None:
        self.sc, self.plan, self.params = scenario, plan, params
        self.costs = scenario.costs
        self.problems: list[str] = []
        self.villages: dict[str, Village] = {v.village_id: v for v in scenario.villages}
        self.candidates: dict[str, CandidateSite] = {s.site_id: s for s in scenario.sites}
        self.levels: dict[tuple[Tier, str], SizeLevel] = {(lv.tier, lv.name): lv for lv in scenario.size_levels}
        self.open: dict[str, OpenSite] = {}
        for site in plan.sites:
            if site.site_id in self.open:
                self.say(f"site {site.site_id} is listed {sum(s.site_id == site.site_id for s in plan.sites)} "
                         "times among the open sites; expected once")
            self.open[site.site_id] = site
        self.km: dict[tuple[str, str], float] = {}
        self.throughput: dict[str, float] = defaultdict(float)

    def say(self, text: str) -> None:
        self.problems.append(text)

    def run(self) -> list[str]:
        if self.plan.kind != "network":
            return [f"plan kind is '{self.plan.kind}'; expected 'network'"]
        self._distances()
        self._check_sites()
        clients = self._check_assignments()
        self.assigned = set(clients)
        inflow = self._check_flows(clients)
        self._check_site_loads(inflow)
        self._check_costs_and_kpis(clients, inflow)
        return self.problems

    # -- distances --------------------------------------------------------
    def _open_points(self, tier: Tier) -> list[CandidateSite]:
        return [self.candidates[s] for s in self.open if s in self.candidates and self.candidates[s].tier is tier]

    def _distances(self) -> None:
        """Road km of every pair the plan states a distance for (assignments and flows), measured pairwise."""
        where = {v.village_id: v.point for v in self.sc.villages} | {s.site_id: s.point for s in self.sc.sites}
        pairs = {(a.client_id, a.server_id) for a in self.plan.assignments}
        pairs |= {(f.origin_id, f.destination_id) for f in self.plan.flows}
        known = sorted((o, d) for o, d in pairs if o in where and d in where)
        if not known:
            return
        km, _ = self.sc.travel.pairs([where[o] for o, _ in known], [where[d] for _, d in known], profile="truck")
        self.km = {pair: float(k) for pair, k in zip(known, km, strict=True)}

    # -- sites ------------------------------------------------------------
    def _level(self, site: OpenSite) -> SizeLevel | None:
        return self.levels.get((site.tier, site.size_level))

    def _check_sites(self) -> None:
        for site in self.open.values():
            cand = self.candidates.get(site.site_id)
            if cand is None:
                self.say(f"open site {site.site_id} is not a candidate site of the scenario")
                continue
            if cand.tier is not site.tier:
                self.say(f"open site {site.site_id} is stated as {site.tier.label} but the candidate is "
                         f"a {cand.tier.label}")
                continue
            if cand.status is SiteStatus.CLOSED:
                self.say(f"{cand.tier.label} {site.site_id} is open but its status is 'closed'")
            allowed = [lv.name for lv in self.sc.allowed_levels(cand)]
            level = self._level(site)
            if level is None or site.size_level not in allowed:
                self.say(f"{cand.tier.label} {site.site_id} is open at size level '{site.size_level}'; "
                         f"allowed levels: {', '.join(allowed) or 'none'}")
                continue
            if not close(site.capacity_t_per_year, level.capacity_t_per_year):
                self.say(f"{cand.tier.label} {site.site_id}: capacity stated {site.capacity_t_per_year:,.3f} t/yr, "
                         f"level '{level.name}' has {level.capacity_t_per_year:,.3f} t/yr")
            fixed = self._fixed_cost(cand, level)
            if not close(site.fixed_cost_cny_per_year, fixed):
                self.say(f"{cand.tier.label} {site.site_id}: fixed cost stated {site.fixed_cost_cny_per_year:,.2f} "
                         f"CNY/yr, recomputed {fixed:,.2f} CNY/yr (level '{level.name}'"
                         f"{', shared site' if cand.shared_with_garbage_sorting else ''})")
        for cand in self.sc.sites:
            if cand.status.forced_open and cand.site_id not in self.open:
                self.say(f"{cand.tier.label} {cand.site_id} has status '{cand.status}' (forced open) "
                         "but the plan does not open it")
        for tier, limit in self.params.max_sites.items():
            count = sum(1 for s in self.open.values() if s.tier is Tier(tier))
            if count > limit:
                self.say(f"{Tier(tier).label}: {count} sites open, budget max_sites allows {limit}")

    def _fixed_cost(self, cand: CandidateSite, level: SizeLevel) -> float:
        factor = self.costs.shared_site_fixed_cost_factor if cand.shared_with_garbage_sorting else 1.0
        return level.fixed_cost_cny_per_year * factor

    # -- assignments ------------------------------------------------------
    def _server_ok(self, a: Assignment, tier: Tier, what: str) -> bool:
        site = self.open.get(a.server_id)
        if site is None:
            known = self.candidates.get(a.server_id)
            state = f"a {known.tier.label} that is not open" if known else "not a site of the scenario"
            self.say(f"{what} {a.client_id} is assigned to {a.server_id}, which is {state}")
            return False
        if site.tier is not tier:
            self.say(f"{what} {a.client_id} is assigned ({a.mode}) to {a.server_id}, a {site.tier.label}; "
                     f"expected a {tier.label}")
            return False
        return True

    def _distance_ok(self, a: Assignment, limit: float | None, what: str, limit_name: str) -> bool:
        km = self.km.get((a.client_id, a.server_id))
        if km is None:
            return False
        if not math.isfinite(km):
            self.say(f"{what} → {a.server_id}: unreachable in the travel model")
            return False
        if not close(a.distance_km, km):
            self.say(f"{what} → {a.server_id}: assignment states {a.distance_km:.3f} km, "
                     f"the travel model gives {km:.3f} km")
        if limit is not None and km > limit + ABS_TOL:
            self.say(f"{what} → {a.server_id} is {km:.3f} km, beyond {limit_name} = {limit:g} km")
            return False
        return True

    def _check_assignments(self) -> dict[str, list[Assignment]]:
        by_client: dict[str, list[Assignment]] = defaultdict(list)
        p = self.params
        for a in self.plan.assignments:
            if not (0 < a.share <= 1 + REL_TOL):
                self.say(f"assignment {a.client_id} → {a.server_id}: share {a.share!r} is outside (0, 1]")
            if a.mode not in ("site", "mobile"):
                self.say(f"assignment {a.client_id} → {a.server_id}: mode '{a.mode}', expected 'site' or 'mobile'")
                continue
            by_client[a.client_id].append(a)
            village = self.villages.get(a.client_id)
            if village is not None:
                what = f"village {a.client_id} ({village.settlement.value})"
                if a.mode == "mobile":
                    if not p.allow_mobile_collection:
                        self.say(f"{what} is served by mobile collection from {a.server_id}, but "
                                 "allow_mobile_collection is false")
                    if self._server_ok(a, Tier.TRANSFER_STATION, "village"):
                        self._distance_ok(a, p.mobile_max_distance_km, what, "mobile_max_distance_km")
                elif self._server_ok(a, Tier.COLLECTION_POINT, "village"):
                    urban = village.settlement.is_urban
                    self._distance_ok(a, p.max_distance_urban_km if urban else p.max_distance_rural_km, what,
                                      "max_distance_urban_km" if urban else "max_distance_rural_km")
                continue
            client = self.open.get(a.client_id)
            if client is None or client.tier not in _UPPER:
                found = (f"a {client.tier.label}" if client else
                         "a site that is not open" if a.client_id in self.candidates else "unknown")
                self.say(f"assignment {a.client_id} → {a.server_id}: client is {found}; expected a village, "
                         "an open collection point or an open transfer station")
                continue
            if a.mode != "site":
                self.say(f"{client.tier.label} {a.client_id} → {a.server_id}: mode '{a.mode}', expected 'site'")
            upper = _UPPER[client.tier]
            if self._server_ok(a, upper, client.tier.label):
                limit = (p.max_distance_point_station_km if upper is Tier.TRANSFER_STATION
                         else p.max_distance_station_centre_km)
                name = ("max_distance_point_station_km" if upper is Tier.TRANSFER_STATION
                        else "max_distance_station_centre_km")
                self._distance_ok(a, limit, f"{client.tier.label} {a.client_id}", name)
        for client_id, rows in by_client.items():
            self._check_shares(client_id, rows)
        for village in self.sc.villages:
            if village.total_t_per_year > 0 and village.village_id not in by_client:
                self.say(f"village {village.village_id}: {village.total_t_per_year:,.3f} t/yr generated "
                         "but not assigned to any collection point or mobile station")
        self._check_density()
        self._check_shared_share()
        return by_client

    def _check_shares(self, client_id: str, rows: list[Assignment]) -> None:
        total = sum(a.share for a in rows)
        if not math.isclose(total, 1.0, rel_tol=0, abs_tol=1e-6):
            self.say(f"{client_id}: assignment shares sum to {total:.6f}; expected 1")
        keys = [(a.server_id, a.mode) for a in rows]
        if len(set(keys)) != len(keys):
            self.say(f"{client_id}: the same server is assigned more than once ({len(keys)} rows)")
        if self.params.single_sourcing and len(rows) > 1:
            servers = ", ".join(f"{a.server_id} ({a.share:.3f}, {a.mode})" for a in rows)
            self.say(f"{client_id}: single sourcing is required but it is served by {len(rows)} sites: {servers}")

    def _check_density(self) -> None:
        if not self.params.density_rule:
            return
        need: dict[str, float] = defaultdict(float)
        for v in self.sc.villages:
            per = (self.params.households_per_point_urban if v.settlement.is_urban
                   else self.params.households_per_point_rural)
            need[v.county_code] += v.households / per
        for county, amount in sorted(need.items()):
            usable = sum(1 for s in self.sc.sites_of(Tier.COLLECTION_POINT)
                         if s.county_code == county and s.status is not SiteStatus.CLOSED)
            required = min(math.ceil(amount - 1e-9), usable)
            opened = sum(1 for s in self._open_points(Tier.COLLECTION_POINT) if s.county_code == county)
            if opened < required:
                self.say(f"county {self.sc.county_name(county)} ({county}): density rule (SB/T 10719) needs "
                         f"{required} open collection points ({amount:.2f} by households, {usable} usable "
                         f"candidates), {opened} open")

    def _check_shared_share(self) -> None:
        points = self._open_points(Tier.COLLECTION_POINT)
        shared = sum(1 for s in points if s.shared_with_garbage_sorting)
        share = shared / len(points) if points else 0.0
        if share < self.params.min_shared_point_share - 1e-9:
            self.say(f"shared collection points (两网融合): {shared} of {len(points)} open = {share:.3f}, "
                     f"below min_shared_point_share = {self.params.min_shared_point_share:g}")

    # -- flows ------------------------------------------------------------
    def _check_flows(self, clients: dict[str, list[Assignment]]) -> dict[tuple[str, str], float]:
        """Check each flow; return tonnes entering each (site, stream)."""
        actual: dict[tuple[str, str, str, str], float] = {}
        inflow: dict[tuple[str, str], float] = defaultdict(float)
        outflow: dict[tuple[str, str], float] = defaultdict(float)
        for f in self.plan.flows:
            key = (f.origin_id, f.destination_id, str(f.stream), f.leg)
            if f.leg not in LEG_TIERS:
                self.say(f"flow {f.origin_id} → {f.destination_id} ({f.stream}): unknown leg '{f.leg}'")
                continue
            if key in actual:
                self.say(f"flow {f.origin_id} → {f.destination_id} ({f.stream}, {f.leg}) is listed twice")
            if not (f.amount_t > 0 and math.isfinite(f.amount_t)):
                self.say(f"flow {f.origin_id} → {f.destination_id} ({f.stream}): amount {f.amount_t!r} t/yr; "
                         "expected a positive number")
            actual[key] = actual.get(key, 0.0) + f.amount_t
            self._flow_ends(f)
            inflow[(f.destination_id, str(f.stream))] += f.amount_t
            outflow[(f.origin_id, str(f.stream))] += f.amount_t
        expected = self._expected_flows(clients, inflow)
        for key in sorted(set(actual) | set(expected)):
            got, want = actual.get(key, 0.0), expected.get(key, 0.0)
            if not close(got, want):
                o, d, stream, leg = key
                self.say(f"flow {o} → {d} ({stream}, {leg}): {got:,.3f} t/yr in the plan, {want:,.3f} t/yr "
                         "from the generation and the assignment shares")
        self._check_balance(inflow, outflow)
        return inflow

    def _flow_ends(self, f: Flow) -> None:
        origin_tier, dest_tier = LEG_TIERS[f.leg]
        origin_ok = (f.origin_id in self.villages if origin_tier is None else
                     f.origin_id in self.open and self.open[f.origin_id].tier is origin_tier)
        dest = self.open.get(f.destination_id)
        if not origin_ok:
            wanted = "a village" if origin_tier is None else f"an open {origin_tier.label}"
            self.say(f"flow {f.origin_id} → {f.destination_id} ({f.stream}, {f.leg}): origin is not {wanted}")
        if dest is None or dest.tier is not dest_tier:
            self.say(f"flow {f.origin_id} → {f.destination_id} ({f.stream}, {f.leg}): destination is not "
                     f"an open {dest_tier.label}")
        km = self.km.get((f.origin_id, f.destination_id))
        if km is not None and not close(f.distance_km, km):
            self.say(f"flow {f.origin_id} → {f.destination_id} ({f.stream}): states {f.distance_km:.3f} km, "
                     f"the travel model gives {km:.3f} km")

    def _expected_flows(self, clients: dict[str, list[Assignment]],
                        inflow: dict[tuple[str, str], float]) -> dict[tuple[str, str, str, str], float]:
        expected: dict[tuple[str, str, str, str], float] = defaultdict(float)
        for client_id, rows in clients.items():
            village = self.villages.get(client_id)
            for a in rows:
                if village is not None:
                    leg = "mobile_collection" if a.mode == "mobile" else "village_to_point"
                    for stream, amount in village.generation_t_per_year.items():
                        if amount > 0:
                            expected[(client_id, a.server_id, str(stream), leg)] += amount * a.share
                elif client_id in self.open and self.open[client_id].tier in _UPPER:
                    leg = ("point_to_station" if self.open[client_id].tier is Tier.COLLECTION_POINT
                           else "station_to_centre")
                    for (site_id, stream), amount in inflow.items():
                        if site_id == client_id and amount > 0:
                            expected[(client_id, a.server_id, stream, leg)] += amount * a.share
        return expected

    def _check_balance(self, inflow: dict[tuple[str, str], float],
                       outflow: dict[tuple[str, str], float]) -> None:
        for site_id, site in sorted(self.open.items()):
            if site.tier not in _UPPER:
                continue
            streams = {s for (i, s) in inflow if i == site_id} | {s for (o, s) in outflow if o == site_id}
            for stream in sorted(streams):
                got_in, got_out = inflow.get((site_id, stream), 0.0), outflow.get((site_id, stream), 0.0)
                if not close(got_in, got_out):
                    self.say(f"{site.tier.label} {site_id}, stream {stream}: {got_in:,.3f} t/yr enter but "
                             f"{got_out:,.3f} t/yr leave")
        generated: dict[str, float] = defaultdict(float)
        for v in self.sc.villages:
            for stream, amount in v.generation_t_per_year.items():
                generated[str(stream)] += amount
        at_centres: dict[str, float] = defaultdict(float)
        for (site_id, stream), amount in inflow.items():
            if site_id in self.open and self.open[site_id].tier is Tier.SORTING_CENTRE:
                at_centres[stream] += amount
        for stream in sorted(set(generated) | set(at_centres)):
            if not close(generated.get(stream, 0.0), at_centres.get(stream, 0.0)):
                self.say(f"stream {stream}: {generated.get(stream, 0.0):,.3f} t/yr generated, "
                         f"{at_centres.get(stream, 0.0):,.3f} t/yr reach sorting centres")

    def _check_site_loads(self, inflow: dict[tuple[str, str], float]) -> None:
        through = self.throughput
        for (site_id, _stream), amount in inflow.items():
            through[site_id] += amount
        for site in self.open.values():
            got = through.get(site.site_id, 0.0)
            if site.tier in _UPPER and got > ABS_TOL and site.site_id not in self.assigned:
                self.say(f"{site.tier.label} {site.site_id} receives {got:,.3f} t/yr but is not assigned "
                         f"to any {_UPPER[site.tier].label}")
            if not close(site.throughput_t_per_year, got):
                self.say(f"{site.tier.label} {site.site_id}: throughput stated {site.throughput_t_per_year:,.3f} "
                         f"t/yr, the flows bring {got:,.3f} t/yr")
            level = self._level(site)
            if level is not None and got > level.capacity_t_per_year + ABS_TOL:
                self.say(f"{site.tier.label} {site.site_id}: {got:,.3f} t/yr enter, above the capacity "
                         f"{level.capacity_t_per_year:,.3f} t/yr of size level '{level.name}'")
