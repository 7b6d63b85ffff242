namespace TraceExporter.Configuration;

/// <summary>
/// Names of the maps the daemon adds to a program: the two copies of each delta map and the two maps of the
/// interval probe that switches between them. A user's program may not use them.
/// </summary>
public static class DaemonMapNames
{
    /// <summary>Which copy of every delta map is being written: 0 or 1.</summary>
    public const string Slot = "@te_slot";

    /// <summary>Counts the interval probe's ticks (two per interval: one drains, one switches).</summary>
    public const string Tick = "@te_tick";

    /// <summary>Copy 0 or 1 of a delta map.</summary>
    public static string Copy(string map, int copy) => $"{map}_te{copy}";

    public static bool IsReserved(string map) =>
        map is Slot or Tick || map.EndsWith("_te0", StringComparison.Ordinal) || map.EndsWith("_te1", StringComparison.Ordinal);
}
