namespace TraceExporter.Configuration;

public sealed record BpftraceSettings
{
    /// <summary>Room for one interval's distinct keys in each map, as the shipped default: at least 10,000.</summary>
    public const int DefaultMaxMapKeys = 10_240;

    /// <summary>A name looked up on PATH, or an absolute path.</summary>
    public string Path { get; init; } = "bpftrace";

    /// <summary>Ring/perf buffer size for the built-in probes' process, in pages (BPFTRACE_PERF_RB_PAGES); null: bpftrace's default.</summary>
    public int? BufferPages { get; init; }

    /// <summary>
    /// Keys each map of the built-ins' process can hold (bpftrace's max_map_keys), and the default for user probes.
    /// With delta maps this is room for one interval's distinct keys; an update that finds no room is counted
    /// in the metric's <c>__overflow__</c> series and in trace_exporter_map_updates_failed_total.
    /// </summary>
    public int MaxMapKeys { get; init; } = DefaultMaxMapKeys;

    /// <summary>What the built-ins attach to: typed raw tracepoints where the running bpftrace has them, or always classic tracepoints.</summary>
    public BuiltinAttach Attach { get; init; } = BuiltinAttach.Auto;

    /// <summary>First wait before a bpftrace that ended is started again; doubles on each failure.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between restarts.</summary>
    public TimeSpan RestartDelayMax { get; init; } = TimeSpan.FromSeconds(30);
}
