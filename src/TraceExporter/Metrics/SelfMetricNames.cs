namespace TraceExporter.Metrics;

/// <summary>
/// The names of the exporter's own metric families, in one place: the classes that create them use these,
/// and the configuration refuses a user metric that takes one (<see cref="All"/>).
/// </summary>
public static class SelfMetricNames
{
    public const string ProbeUp = "trace_exporter_probe_up";
    public const string BuildInfo = "trace_exporter_build_info";
    public const string Restarts = "trace_exporter_probe_restarts_total";
    public const string ParseErrors = "trace_exporter_parse_errors_total";
    public const string LostEvents = "trace_exporter_lost_events_total";
    public const string ReloadSuccessful = "trace_exporter_config_last_reload_successful";
    public const string ReloadTimestamp = "trace_exporter_config_last_reload_success_timestamp_seconds";
    public const string SeriesDropped = "trace_exporter_series_dropped_total";
    public const string UnmatchedLines = "trace_exporter_unmatched_lines_total";
    public const string RuntimeErrors = "trace_exporter_runtime_errors_total";
    public const string ProbeRunSeconds = "trace_exporter_probe_run_seconds_total";
    public const string ProbeRuns = "trace_exporter_probe_runs_total";
    public const string ProbeMissedEvents = "trace_exporter_probe_missed_events_total";
    public const string BpftraceResidentMemory = "trace_exporter_bpftrace_resident_memory_bytes";
    public const string MapEntries = "trace_exporter_map_entries";
    public const string MapMaxEntries = "trace_exporter_map_max_entries";
    public const string MapUpdatesFailed = "trace_exporter_map_updates_failed_total";
    public const string DrainsLate = "trace_exporter_map_drains_late_total";
    public const string Syscalls = "trace_syscalls_total";
    public const string SyscallErrors = "trace_syscall_errors_total";
    public const string WebAuthRefused = "trace_exporter_web_auth_refused_total";
    public const string StraceLinesSkipped = "trace_exporter_strace_lines_skipped_total";
    public const string StraceProcessesSkipped = "trace_exporter_strace_processes_skipped_total";

    public static readonly IReadOnlyList<string> All =
    [
        ProbeUp, BuildInfo, Restarts, ParseErrors, LostEvents, ReloadSuccessful, ReloadTimestamp, SeriesDropped,
        UnmatchedLines, RuntimeErrors, ProbeRunSeconds, ProbeRuns, ProbeMissedEvents, BpftraceResidentMemory,
        MapEntries, MapMaxEntries, MapUpdatesFailed, DrainsLate, Syscalls, SyscallErrors, WebAuthRefused, StraceLinesSkipped, StraceProcessesSkipped,
    ];
}
