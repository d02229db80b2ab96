"""The reference for routemap's scale figures (docs/performance.md): a plain networkx forecast
of a generated routemap (`cargo run --release --example dag -- N`), timed beside routemap's
`forecast --format json` as a whole process:

    /usr/bin/time -f "%e s %M KB" python3 benches/networkx_forecast.py dag-100k.json > /dev/null

It reads the model, builds the dependency graph (work, and an edge from each task to the
outcome its action serves), and in one pass in topological order forecasts each piece of work as
the later of its own target (the end of the month the phrase names; none for an empty phrase)
and what it waits on, then writes each outcome's forecast as JSON. It makes none of routemap's
judgements (no rules, statuses, assumptions or verdicts): it is the floor a general graph library
sets for the same reading and pass, not a second implementation.
"""

import calendar
import json
import re
import sys

import networkx as nx

MONTHS = {m: i + 1 for i, m in enumerate(
    ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"])}


def month_end(phrase):
    """The last day of the month a phrase such as `June 2005` names, as `YYYY-MM-DD`."""
    parts = (phrase or "").split()
    if len(parts) != 2 or parts[0] not in MONTHS:
        return None
    year, month = int(parts[1]), MONTHS[parts[0]]
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def main(path):
    with open(path, encoding="utf-8") as f:
        model = json.load(f)
    g = nx.DiGraph()
    for p in model.get("projects", []):
        g.add_node(p["id"], own=month_end(p.get("finish")))
        for d in p.get("waits_on", []):
            g.add_edge(d["id"], p["id"])
    for a in model.get("actions", []):
        action = re.sub(r"[^0-9A-Za-z]+", "-", a["ref"].strip()).strip("-")
        for j, t in enumerate(a.get("tasks", [])):
            # A task with no id is `<action id>.<n>`, as routemap names it.
            t["id"] = t.get("id") or f"{action}.{j + 1}"
            g.add_node(t["id"], own=month_end(t.get("proposed") or t.get("original")))
            for d in t.get("waits_on", []):
                g.add_edge(d["id"], t["id"])
            for code in a.get("outcomes", []):
                g.add_edge(t["id"], code)
    forecast = {}
    for n in nx.topological_sort(g):
        dates = [forecast[p] for p in g.predecessors(n) if forecast.get(p)]
        own = g.nodes[n].get("own")
        if own:
            dates.append(own)
        forecast[n] = max(dates) if dates else None
    outcomes = sorted(n for n in g.nodes if "own" not in g.nodes[n])
    json.dump({code: forecast[code] for code in outcomes}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
