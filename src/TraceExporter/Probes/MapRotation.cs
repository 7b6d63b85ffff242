using System.Text;
using TraceExporter.Configuration;

namespace TraceExporter.Probes;

/// <summary>
/// Points every write of a delta map at one of its two copies (<see cref="DaemonMapNames.Copy"/>), chosen by
/// <see cref="DaemonMapNames.Slot"/>: <c>@m[k] = count();</c> becomes
/// <code>
/// if (@te_slot == 1) {
///   @m_te1[k] = count();
/// } else {
///   @m_te0[k] = count();
/// }
/// </code>
/// so the interval probe can print and clear the copy that is no longer written. Each write ends up on a
/// line of its own, which is how bpftrace's report of a failed update is traced back to its map.
/// </summary>
public static class MapRotation
{
    /// <summary>The program with every accumulating write of <paramref name="deltaMaps"/> rotated.</summary>
    /// <exception cref="ArgumentException">A delta map is used other than by an aggregation or increment.</exception>
    public static string Rewrite(string program, IReadOnlySet<string> deltaMaps)
    {
        if (deltaMaps.Count == 0)
        {
            return program;
        }

        var uses = ProgramMaps.Scan(program).Where(u => deltaMaps.Contains(u.Map)).ToList();
        if (uses.FirstOrDefault(u => !u.IsAccumulating) is { } other)
        {
            throw new ArgumentException($"{other.Map} is a delta map but line {other.Line} of the program uses it otherwise than by aggregating into it", nameof(program));
        }

        var text = new StringBuilder(program.Length + (uses.Count * 64));
        var at = 0;
        foreach (var use in uses)
        {
            var write = program[(use.Start + use.Map.Length)..use.End];
            text.Append(program, at, use.Start - at)
                .Append("if (").Append(DaemonMapNames.Slot).Append(" == 1) {\n")
                .Append(DaemonMapNames.Copy(use.Map, 1)).Append(write).Append(";\n} else {\n")
                .Append(DaemonMapNames.Copy(use.Map, 0)).Append(write).Append(";\n}");
            at = use.StatementEnd;
        }

        return text.Append(program, at, program.Length - at).ToString();
    }
}
