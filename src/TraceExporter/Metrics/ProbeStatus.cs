namespace TraceExporter.Metrics;

public enum ProbeStatus
{
    /// <summary>Configured; its bpftrace process is starting.</summary>
    Starting,

    /// <summary>Attached and reporting.</summary>
    Up,

    /// <summary>Its bpftrace process ended; it is being started again.</summary>
    Restarting,

    /// <summary>This kernel or bpftrace cannot run it; see the reason. Not retried until the configuration is reloaded.</summary>
    Failed,
}
