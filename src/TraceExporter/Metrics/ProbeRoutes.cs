namespace TraceExporter.Metrics;

/// <summary>
/// Where everything one bpftrace process prints goes: each printed map's route (a delta map's two copies
/// share one), the program lines that write metric maps (for failed updates), and the line-mode rules.
/// Built once per probe group by the planner's caller; a new process of the group uses the same routes.
/// </summary>
public sealed record ProbeRoutes
{
    /// <summary>The group's name: the probe label of its process-wide self-metrics.</summary>
    public required string Group { get; init; }

    /// <summary>Printed map name (with '@') → route.</summary>
    public required IReadOnlyDictionary<string, MapRoute> Maps { get; init; }

    /// <summary>Line of the program (from 1) → the metric map it writes.</summary>
    public IReadOnlyDictionary<int, WriteSite> Writes { get; init; } = new Dictionary<int, WriteSite>();

    /// <summary>Line-mode rules, in order: the first that matches counts the line.</summary>
    public IReadOnlyList<LineRoute> Lines { get; init; } = [];

    /// <summary>The probe whose unmatched lines are counted (line mode), if any.</summary>
    public string? LineProbe { get; init; }

    /// <summary>
    /// How long after a drain starts writes move back to the copy it prints (half an interval): a drain that
    /// bpftrace reports later than that may have missed events.
    /// </summary>
    public TimeSpan DrainDeadline { get; init; } = TimeSpan.MaxValue;

    /// <summary>Each metric map (probe, map as configured) and how many keys it can hold.</summary>
    public IReadOnlyList<(string Probe, string Map, int MaxKeys)> Capacities { get; init; } = [];
}
