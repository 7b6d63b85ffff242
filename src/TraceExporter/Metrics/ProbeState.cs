namespace TraceExporter.Metrics;

/// <summary>What the landing page and /healthz show about one probe; <see cref="Attach"/> names what it is attached to.</summary>
public sealed record ProbeState(string Name, string Source, ProbeStatus Status, string? Reason, string Attach = "")
{
    /// <summary>The kinds of attach point of <see cref="Attach"/> (<c>rawtracepoint</c>, <c>tracepoint</c>, <c>kprobe</c>, …), in order.</summary>
    public string AttachType => AttachTypes(Attach);

    /// <summary>The kinds of the attach points in <paramref name="attach"/> (<c>tracepoint:sock:x, kprobe:y</c> → <c>tracepoint, kprobe</c>).</summary>
    public static string AttachTypes(string attach) => string.Join(", ", attach
        .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(point => point.Split(':')[0])
        .Distinct(StringComparer.Ordinal));
}
