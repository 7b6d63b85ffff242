namespace TraceExporter.Configuration;

/// <summary>What the built-in probes attach to (<c>bpftrace.attach</c>).</summary>
public enum BuiltinAttach
{
    /// <summary>Typed raw tracepoints where the running bpftrace has them (0.24+), classic tracepoints elsewhere.</summary>
    Auto,

    /// <summary>Classic tracepoints always.</summary>
    Tracepoint,
}
