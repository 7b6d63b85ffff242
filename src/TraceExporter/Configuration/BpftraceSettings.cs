namespace TraceExporter.Configuration;

public sealed record BpftraceSettings
{
    /// <summary>A name looked up on PATH, or an absolute path.</summary>
    public string Path { get; init; } = "bpftrace";

    /// <summary>Ring/perf buffer size for the built-in probes' process, in pages (BPFTRACE_PERF_RB_PAGES); null: bpftrace's default.</summary>
    public int? BufferPages { get; init; }

    /// <summary>First wait before a bpftrace that ended is started again; doubles on each failure.</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between restarts.</summary>
    public TimeSpan RestartDelayMax { get; init; } = TimeSpan.FromSeconds(30);
}
