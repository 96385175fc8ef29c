"""The one table and the target checks, both computed from the results dict (also stored as JSON)."""

from __future__ import annotations

from typing import Any

# (id, description, path into results, comparison, threshold)
TARGETS: tuple[tuple[str, str, tuple[str, ...], str, float], ...] = (
    ("pure_items_per_s", "pure pipeline items/s on one core", ("pure", "items_per_s"), ">=", 10_000),
    ("classify_us_3kb", "classify µs per 3 KB item", ("pure", "stages", "classify", "us_per_3kb"), "<=", 50),
    ("enrich_us_3kb", "entities µs per 3 KB item", ("pure", "stages", "enrich", "us_per_3kb"), "<=", 100),
    ("e2e_items_per_s", "end to end items/s, one worker", ("e2e", "worker", "items_per_s"), ">=", 5_000),
    ("vs_passthrough", "worker / passthrough baseline", ("ratios", "worker_vs_passthrough"), ">=", 0.7),
    ("vs_peer", "worker / Quix Streams peer", ("ratios", "worker_vs_peer"), ">", 1.0),
    ("latency_p99_ms", "p99 latency ms at 500 items/s", ("latency", "steady", "p99_ms"), "<=", 50),
    ("rss_growth_mb", "worker RSS growth MB over the run", ("e2e", "worker", "rss_growth_mb"), "<=", 50),
)


def _get(results: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = results
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _ratios(results: dict[str, Any]) -> dict[str, float]:
    e2e = results.get("e2e") or {}
    worker = _get(e2e, ("worker", "items_per_s"))
    out = {}
    for name, key in (("worker_vs_passthrough", "passthrough"), ("worker_vs_peer", "peer")):
        other = _get(e2e, (key, "items_per_s"))
        if worker and other:
            out[name] = round(worker / other, 3)
    return out


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    results["ratios"] = _ratios(results)
    checks = []
    for ident, text, path, op, threshold in TARGETS:
        value = _get(results, path)
        ok = None
        if isinstance(value, int | float):
            ok = {">=": value >= threshold, "<=": value <= threshold, ">": value > threshold}[op]
        checks.append({"id": ident, "target": f"{op} {threshold:g}", "description": text, "value": value, "ok": ok})
    return checks


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(results: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str, str]] = []
    checks = {c["id"]: c for c in results.get("targets", [])}

    def row(label: str, value: str, target_id: str | None = None, target: str = "") -> None:
        mark = ""
        if target_id and target_id in checks:
            check = checks[target_id]
            target = target or check["target"]
            mark = {True: "ok", False: "MISS", None: "-"}[check["ok"]]
        rows.append((label, value, target, mark))

    pure = results.get("pure")
    if pure:
        st = pure["stages"]
        row("pure pipeline, one core: items/s", _fmt(pure["items_per_s"]), "pure_items_per_s")
        row("  µs/item mean (p50 / p99)",
            f"{_fmt(pure['us_per_item'])} ({_fmt(pure['p50_us'])} / {_fmt(pure['p99_us'])})")
        row("  mean input item", f"{_fmt(pure['mean_item_bytes'])} B")
        if pure.get("cpu_share") is not None:
            row(f"  CPU share of the pass (cpu {pure.get('pinned_cpu')}; < 0.95: disturbed)",
                f"{pure['cpu_share']:.2f}")
        row("  decode µs/item", _fmt(st["decode"]["us_per_item"]))
        for stage, label, check in (("classify", "classify", "classify_us_3kb"),
                                    ("enrich", "enrich/entities", "enrich_us_3kb")):
            row(f"  {label} µs/item (per 3 KB)",
                f"{_fmt(st[stage]['us_per_item'])} ({_fmt(st[stage]['us_per_3kb'])})", check)
        row("  route µs/item (rules + casualty figures)", _fmt(st["route"]["us_per_item"]))
        row("  serialise µs/item", _fmt(st["serialise"]["us_per_item"]))
        row("  other µs/item (memory, bookkeeping)", _fmt(st["other"]["us_per_item"]))
    e2e = results.get("e2e") or {}
    for key, label in (("worker", "e2e newswire worker"), ("passthrough", "e2e passthrough baseline (Faust)"),
                       ("peer", "e2e Quix Streams peer (same pipeline)")):
        fig = e2e.get(key)
        if not fig:
            continue
        row(f"{label}: items/s", _fmt(fig["items_per_s"]), "e2e_items_per_s" if key == "worker" else None)
        detail = (f"{_fmt(fig['items'])} items, {_fmt(fig['window_s'], 1)} s, cpu {_fmt(fig['cpu_util'], 2)} core"
                  f" ({_fmt(fig['cpu_us_per_item'])} µs/item), broker {_fmt(fig['broker_cpu_util'], 2)},"
                  f" others {_fmt(fig.get('other_cpu_util'), 2)}")
        row("  " + detail, "" if fig["outputs_ok"] else f"outputs {fig['outputs']}/{fig['expected_outputs']}!")
    ratios = results.get("ratios") or {}
    if "worker_vs_passthrough" in ratios:
        row("worker / passthrough", _fmt(ratios["worker_vs_passthrough"], 2), "vs_passthrough")
    if "worker_vs_peer" in ratios:
        row("worker / Quix Streams peer", _fmt(ratios["worker_vs_peer"], 2), "vs_peer")
    lat = results.get("latency")
    if lat:
        s = lat["steady"]
        row(f"latency @ {lat['offered_rate']:.0f}/s (achieved {lat['achieved_rate']:.0f}/s), p50/p95/p99 ms",
            f"{s['p50_ms']:.0f} / {s['p95_ms']:.0f} / {s['p99_ms']:.0f}", "latency_p99_ms")
        row(f"  max {s['max_ms']:.0f} ms; incl. first {lat['warmup_s']:.0f} s: p99 {lat['all']['p99_ms']:.0f} ms",
            f"{lat['items_with_outputs']} items")
    lpt = results.get("latency_passthrough")
    if lpt:
        s = lpt["steady"]
        row("  passthrough baseline at the same load, p50/p95/p99 ms",
            f"{s['p50_ms']:.0f} / {s['p95_ms']:.0f} / {s['p99_ms']:.0f}")
    worker = e2e.get("worker")
    if worker:
        row(f"worker RSS MB: start / end / peak over {_fmt(worker['items'])} items",
            f"{worker['rss_start_mb']:.0f} / {worker['rss_end_mb']:.0f} / {worker['rss_peak_mb']:.0f}")
        row("  RSS growth MB", f"{worker['rss_growth_mb']:.1f}", "rss_growth_mb")
    prof = (results.get("profile") or {}).get("profile")
    if prof and prof.get("samples"):
        row(f"profile (py-spy, {prof['samples']} CPU samples): in Pipeline.process", f"{prof['pipeline_share']:.0%}")
        for cat in prof["categories"][:12]:
            per_item = f" ({cat['us_per_item']:.0f} µs/item)" if "us_per_item" in cat else ""
            row(f"  {cat['name']}", f"{cat['share']:.0%}{per_item}")

    git = results.get("git", {})
    env = results.get("environment", {})
    items = _fmt(results.get("corpus", {}).get("items"))
    head = (f"newswire bench {results.get('timestamp', '')}  commit {git.get('commit', '?')}"
            f"{' (streams/ modified)' if git.get('streams_dirty') else ''}  items {items}"
            f"  broker {env.get('broker', '?')}  cpus {env.get('cpus', '?')}  load {env.get('load_avg', '?')}")
    w0 = max([len(r[0]) for r in rows] + [40])
    w1 = max([len(r[1]) for r in rows] + [10])
    w2 = max([len(r[2]) for r in rows] + [8])
    if results.get("whatif"):
        head += (f"\nWHAT-IF RUN: worker patched with {results['whatif']} (tests/bench/whatif.py);"
                 " the passthrough gets fetch_wait only")
    lines = [head, f"{'measure':<{w0}}  {'value':>{w1}}  {'target':<{w2}}  ok", "-" * (w0 + w1 + w2 + 8)]
    lines += [f"{a:<{w0}}  {b:>{w1}}  {c:<{w2}}  {d}" for a, b, c, d in rows]
    return "\n".join(lines)
