namespace TraceExporter.Probes;

/// <summary>
/// One bpftrace process to keep running: the probes it runs (all built-ins share one; each user probe has
/// its own), how, and an <see cref="Identity"/> that changes whenever anything about it does, so a reload
/// restarts only the groups that changed.
/// </summary>
public sealed record GroupPlan
{
    public required string Name { get; init; }

    public required IReadOnlyList<ProbePlan> Members { get; init; }

    public required TimeSpan Interval { get; init; }

    public required string BpftracePath { get; init; }

    /// <summary>Environment of the bpftrace process (buffer size, map size).</summary>
    public required IReadOnlyDictionary<string, string?> Environment { get; init; }

    /// <summary>bpftrace arguments before the program (e.g. <c>-k</c> where failed map updates are reported only with it).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Keys each map of the process can hold.</summary>
    public required int MaxMapKeys { get; init; }

    public required RestartBackoff Backoff { get; init; }

    public required string Identity { get; init; }
}
