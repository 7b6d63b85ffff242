using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TraceExporter.Configuration;
using TraceExporter.Parsing;

namespace TraceExporter.Probes;

/// <summary>
/// Joins the probes of one group into the program bpftrace runs:
/// <list type="bullet">
/// <item>a BEGIN that prints <see cref="ControlLine.Ready"/> (BEGIN runs only once every probe is attached);</item>
/// <item>the probes' programs, built-ins' blocks on one attach point joined into one, every write of a delta
///   map pointed at one of its two copies (<see cref="MapRotation"/>);</item>
/// <item>an interval probe ticking twice per interval: one tick prints and clears the copies that are no longer
///   written (and prints the cumulative maps), then prints <see cref="ControlLine.Drained"/>; the next switches
///   writes to the copies just cleared. A copy is printed half an interval after writes left it, and written
///   again half an interval after its print: no event is lost between a print and a clear;</item>
/// <item>an END that prints what both copies still hold and clears them (no exit-time dump of them).</item>
/// </list>
/// A user program's leading <c>config = {…}</c> block is kept first, where bpftrace requires it.
/// </summary>
public static partial class ProgramAssembler
{
    public static AssembledProgram Assemble(IReadOnlyList<ProbePlan> members, TimeSpan interval)
    {
        var configBlocks = new StringBuilder();
        var bodies = new StringBuilder();

        // Members that give blocks (the built-ins) share one program per attach point.
        bodies.Append(ProbeBlock.Render(members.Where(m => m.Blocks is not null).SelectMany(m => m.Blocks!)));
        foreach (var member in members.Where(m => m.Blocks is null))
        {
            var (config, body) = SplitConfigBlock(member.Program ?? "");
            configBlocks.Append(config);
            bodies.Append(body.TrimEnd()).Append("\n\n");
        }

        var metricMaps = members.SelectMany(m => m.Metrics.SelectMany(x => MapsOf(x).Select(map => (Probe: m.Name, Map: map, x.Update)))).ToList();
        var delta = metricMaps.Where(m => m.Update == MapUpdate.Delta).Select(m => m.Map).ToHashSet(StringComparer.Ordinal);
        var cumulative = metricMaps.Where(m => m.Update == MapUpdate.Cumulative).Select(m => m.Map).Distinct(StringComparer.Ordinal).ToList();

        var program = new StringBuilder();
        if (configBlocks.Length > 0)
        {
            program.Append(configBlocks).Append('\n');
        }

        var text = MapRotation.Rewrite(bodies.ToString(), delta);

        // bpftrace before 0.25 allows one BEGIN and one END: where a program has its own, ours go inside it.
        var ready = $"printf(\"{ControlLine.Ready}\\n\");";
        text = InsertOrAdd(text, BeginBlock(), ready, out var beginAdded);
        if (beginAdded is not null)
        {
            program.Append("BEGIN { ").Append(ready).Append(" }\n\n");
        }

        var deltaCopies = delta.Order(StringComparer.Ordinal).ToList();
        var end = deltaCopies.Count == 0 ? null : EndStatements(deltaCopies);
        if (end is not null)
        {
            text = InsertOrAdd(text, EndBlock(), end, out var endAdded);
            program.Append(text);
            if (endAdded is not null)
            {
                program.Append("END {\n  ").Append(end).Append("\n}\n\n");
            }
        }
        else
        {
            program.Append(text);
        }

        program.Append(IntervalProbe(interval, deltaCopies, cumulative));

        var assembled = program.ToString();
        return new AssembledProgram(assembled, WritesOf(assembled, metricMaps.Select(m => (m.Probe, m.Map)).ToList()));
    }

    /// <summary>The maps of a metric: its map, and a histogram's sum map.</summary>
    public static IEnumerable<string> MapsOf(MapMetricConfig metric) =>
        metric.SumMap is { } sum ? [metric.Map, sum] : [metric.Map];

    /// <summary>The names a metric map is printed under: its two copies when it is a delta map, else itself.</summary>
    public static IEnumerable<string> PrintedNames(string map, MapUpdate update) =>
        update == MapUpdate.Delta ? [DaemonMapNames.Copy(map, 0), DaemonMapNames.Copy(map, 1)] : [map];

    /// <summary>Splits a leading <c>config = { … }</c> (bpftrace 0.20+) from the rest of a program.</summary>
    public static (string Config, string Body) SplitConfigBlock(string program)
    {
        var start = 0;
        while (start < program.Length && char.IsWhiteSpace(program[start]))
        {
            start++;
        }

        if (!program.AsSpan(start).StartsWith("config", StringComparison.Ordinal))
        {
            return ("", program);
        }

        var rest = program.AsSpan(start + "config".Length).TrimStart();
        if (rest.IsEmpty || rest[0] != '=')
        {
            return ("", program);
        }

        var open = program.IndexOf('{', start);
        var close = open < 0 ? -1 : program.IndexOf('}', open);
        return close < 0 ? ("", program) : (program[start..(close + 1)] + "\n", program[(close + 1)..]);
    }

    private static string EndStatements(IReadOnlyList<string> deltaMaps)
    {
        var end = new StringBuilder();
        foreach (var map in deltaMaps)
        {
            end.Append("print(").Append(DaemonMapNames.Copy(map, 0)).Append("); print(").Append(DaemonMapNames.Copy(map, 1)).Append("); ");
        }

        foreach (var map in deltaMaps)
        {
            end.Append("clear(").Append(DaemonMapNames.Copy(map, 0)).Append("); clear(").Append(DaemonMapNames.Copy(map, 1)).Append("); ");
        }

        return end.Append("clear(").Append(DaemonMapNames.Slot).Append("); clear(").Append(DaemonMapNames.Tick).Append(");").ToString();
    }

    private static string IntervalProbe(TimeSpan interval, List<string> delta, List<string> cumulative)
    {
        if (delta.Count == 0 && cumulative.Count == 0)
        {
            return "";
        }

        var text = new StringBuilder();
        if (delta.Count == 0)
        {
            text.Append(Interval(interval)).Append(" {");
            foreach (var map in cumulative)
            {
                text.Append(" print(").Append(map).Append(");");
            }

            return text.Append(" }\n").ToString();
        }

        text.Append(Interval(interval / 2)).Append(" {\n")
            .Append("  ").Append(DaemonMapNames.Tick).Append(" = ").Append(DaemonMapNames.Tick).Append(" + 1;\n")
            .Append("  if ((uint64)").Append(DaemonMapNames.Tick).Append(" % 2 == 1) {\n");
        for (var copy = 0; copy < 2; copy++)
        {
            // Writes go to the copy the slot names: drain the other one.
            text.Append(copy == 0 ? "    if (" + DaemonMapNames.Slot + " == 1) {" : " else {");
            foreach (var map in delta)
            {
                var name = DaemonMapNames.Copy(map, copy);
                text.Append(" print(").Append(name).Append("); clear(").Append(name).Append(");");
            }

            text.Append(" }");
        }

        text.Append('\n');
        foreach (var map in cumulative)
        {
            text.Append("    print(").Append(map).Append(");\n");
        }

        return text.Append("    printf(\"").Append(ControlLine.Drained).Append(" %llu\\n\", nsecs);\n")
            .Append("  } else {\n")
            .Append("    ").Append(DaemonMapNames.Slot).Append(" = 1 - ").Append(DaemonMapNames.Slot).Append(";\n")
            .Append("  }\n}\n")
            .ToString();
    }

    /// <summary>Inserts <paramref name="statements"/> first in the block the pattern finds, or returns them in <paramref name="notFound"/>.</summary>
    private static string InsertOrAdd(string text, Regex block, string statements, out string? notFound)
    {
        var match = block.Match(text);
        if (!match.Success)
        {
            notFound = statements;
            return text;
        }

        notFound = null;
        return text.Insert(match.Index + match.Length, $" {statements}");
    }

    /// <summary>Each line of the program that writes a metric map (or a copy of one), with the probe and metric map.</summary>
    private static List<(int Line, string Probe, string Map)> WritesOf(string program, IReadOnlyList<(string Probe, string Map)> maps)
    {
        var owner = new Dictionary<string, (string Probe, string Map)>(StringComparer.Ordinal);
        foreach (var (probe, map) in maps)
        {
            owner[map] = (probe, map);
            owner[DaemonMapNames.Copy(map, 0)] = (probe, map);
            owner[DaemonMapNames.Copy(map, 1)] = (probe, map);
        }

        var writes = new List<(int Line, string Probe, string Map)>();
        foreach (var use in ProgramMaps.Scan(program).Where(u => u.Kind != MapUseKind.Other))
        {
            if (owner.TryGetValue(use.Map, out var target))
            {
                var lines = program.AsSpan(use.Start, use.End - use.Start).Count('\n');
                for (var line = use.Line; line <= use.Line + lines; line++)
                {
                    writes.Add((line, target.Probe, target.Map));
                }
            }
        }

        return writes;
    }

    /// <summary>Whole seconds where possible (every version has interval:s), milliseconds otherwise.</summary>
    private static string Interval(TimeSpan interval) =>
        interval.TotalMilliseconds % 1000 == 0
            ? $"interval:s:{(long)interval.TotalSeconds}"
            : $"interval:ms:{Math.Max(1, (long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A BEGIN probe's opening brace (not part of a longer name, e.g. a map @BEGIN_x).</summary>
    [GeneratedRegex(@"(?<![\w@$])BEGIN\s*\{")]
    private static partial Regex BeginBlock();

    [GeneratedRegex(@"(?<![\w@$])END\s*\{")]
    private static partial Regex EndBlock();
}
