namespace TraceExporter.Configuration;

public sealed record BpftraceSettings
{
    /// <summary>A name looked up on PATH, or an absolute path.</summary>
    public string Path { get; init; } = "bpftrace";
}
