using System.Globalization;
using System.Text;

namespace TraceExporter.Probes;

/// <summary>
/// Joins probe fragments into one bpftrace program: a BEGIN that says "ready" (BEGIN runs only after every
/// probe is attached, in all versions), the fragments, and one interval block printing every map.
/// Maps are never cleared: they stay cumulative and the daemon turns snapshots into counter increments,
/// so no event between a print and a clear is lost.
/// </summary>
public static class ProgramAssembler
{
    public const string ReadyMarker = "trace_exporter:ready";

    public static string Assemble(IEnumerable<(string MapName, string Fragment)> probes, TimeSpan interval)
    {
        var list = probes.ToList();
        var program = new StringBuilder();
        program.Append(CultureInfo.InvariantCulture, $"BEGIN {{ printf(\"{ReadyMarker}\\n\"); }}\n\n");
        foreach (var (_, fragment) in list)
        {
            program.Append(fragment.TrimEnd()).Append("\n\n");
        }

        program.Append(IntervalProbe(interval)).Append(" {");
        foreach (var (mapName, _) in list)
        {
            program.Append(" print(").Append(mapName).Append(");");
        }

        program.Append(" }\n");
        return program.ToString();
    }

    /// <summary>Whole seconds where possible (every version has interval:s), milliseconds otherwise.</summary>
    private static string IntervalProbe(TimeSpan interval) =>
        interval.TotalMilliseconds % 1000 == 0
            ? $"interval:s:{(long)interval.TotalSeconds}"
            : $"interval:ms:{(long)interval.TotalMilliseconds}";
}
