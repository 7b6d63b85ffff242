using TraceExporter.Kernel;
using TraceExporter.Metrics;

namespace TraceExporter.Probes;

/// <summary>
/// Where a group's output goes, built once for the group's life (so the routes' decoded keys outlive a
/// restart): every printed map name → its route, every (probe, metric map) → its route and aggregation,
/// and the line-mode rules.
/// </summary>
public sealed record GroupRouting(
    IReadOnlyDictionary<string, MapRoute> PrintedMaps,
    IReadOnlyDictionary<(string Probe, string Map), (MapRoute Route, string? Aggregation)> MetricMaps,
    IReadOnlyList<LineRoute> Lines,
    string? LineProbe)
{
    /// <summary>The routes of a group about to start: each metric's family (kept when its shape is unchanged), decoder and printed maps.</summary>
    public static GroupRouting Build(GroupPlan plan, MetricFamilySet families, SelfMetrics self, HostFacts host, Version bpftrace, CgroupSweeper? cgroups = null)
    {
        var printed = new Dictionary<string, MapRoute>(StringComparer.Ordinal);
        var metricMaps = new Dictionary<(string, string), (MapRoute, string?)>();
        var lines = new List<LineRoute>();
        string? lineProbe = null;
        var escapedTwice = KeyDecoder.EscapesStringKeysTwice(bpftrace);
        foreach (var member in plan.Members)
        {
            foreach (var metric in member.Metrics)
            {
                var family = families.GetOrCreate(MetricShape.Of(metric));
                var dropped = self.SeriesDropped.WithLabels(member.Name, metric.Name);
                var decoder = new KeyDecoder(metric.Labels, host.DropReasons, escapedTwice, host.EphemeralPorts, cgroups?.Names);
                var byCgroup = metric.Labels.Any(l => l.Kind == Configuration.LabelKind.Cgroup);
                foreach (var map in ProgramAssembler.MapsOf(metric))
                {
                    var sums = map != metric.Map;
                    var route = new MapRoute(member.Name, map, family, decoder, metric.Update, sums, dropped);
                    if (byCgroup)
                    {
                        cgroups?.Register(route);
                    }

                    metricMaps[(member.Name, map)] = (route, sums ? "sum" : metric.Aggregation);
                    foreach (var name in ProgramAssembler.PrintedNames(map, metric.Update))
                    {
                        printed[name] = route;
                    }
                }
            }

            foreach (var rule in member.Lines)
            {
                var family = families.GetOrCreate(MetricShape.Of(rule));
                lines.Add(new LineRoute(rule, family, self.SeriesDropped.WithLabels(member.Name, rule.Name)));
                lineProbe = member.Name;
            }
        }

        return new GroupRouting(printed, metricMaps, lines, lineProbe);
    }

    /// <summary>The routes of one process of the group: every map, and the lines of its program that write metric maps.</summary>
    public ProbeRoutes ForProcess(GroupPlan plan, IReadOnlyList<ProbePlan> active, AssembledProgram program)
    {
        var writes = new Dictionary<int, WriteSite>();
        foreach (var (line, probe, map) in program.Writes)
        {
            if (MetricMaps.TryGetValue((probe, map), out var target))
            {
                writes[line] = new WriteSite(target.Route, target.Aggregation);
            }
        }

        return new ProbeRoutes
        {
            Group = plan.Name,
            Maps = PrintedMaps,
            Writes = writes,
            Lines = Lines,
            LineProbe = LineProbe,
            DrainDeadline = plan.Interval / 2,
            Capacities = [.. active.SelectMany(m => m.Metrics.SelectMany(metric => ProgramAssembler.MapsOf(metric).Select(map => (m.Name, map, plan.MaxMapKeys))))],
        };
    }
}
