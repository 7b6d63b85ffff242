namespace TraceExporter.KernelTests.Faults;

/// <summary>Configurations of the fault tests: few probes (a fast attach), short restart delays.</summary>
internal static class FaultConfigs
{
    public const string ProbeUp = "trace_exporter_probe_up";
    public const string Restarts = "trace_exporter_probe_restarts_total";
    public const string Connects = "trace_tcp_connects_total";
    public const string Execs = "trace_process_execs_total";

    /// <summary>Only tcp_connects, restarted 100 ms to 500 ms after it ends.</summary>
    public const string ConnectsWithQuickRestart =
        """
        interval: 1s
        builtin:
          tcp_connects: true
        bpftrace:
          restart_delay: 100ms
          restart_delay_max: 500ms

        """;

    public const string ConnectsAndExecs =
        """
        interval: 1s
        builtin:
          tcp_connects: true
          process_execs: true

        """;

    public const string ConnectsExecsAndAccepts =
        """
        interval: 1s
        builtin:
          tcp_connects: true
          process_execs: true
          tcp_accepts: true

        """;
}
