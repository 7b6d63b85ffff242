using System.Globalization;

namespace TraceExporter.Configuration;

/// <summary>
/// One strace probe from the configuration. <see cref="Target"/> is a pid, a process name, or the program of a
/// command (with <see cref="Arguments"/>). <see cref="Filters"/> are strace <c>-e</c> expressions in strace's own
/// syntax, each passed as one <c>-e</c>: <c>trace=file</c>, <c>trace=network</c>, <c>trace=%process</c>,
/// <c>trace=openat,connect</c>, <c>status=failed</c>, <c>signal=none</c>.
/// </summary>
public sealed record StraceProbeSettings
{
    /// <summary>The only <c>-e</c> qualifiers a probe may use; others (inject, raw, quiet…) would change the target or the output format.</summary>
    public static readonly IReadOnlyList<string> AllowedQualifiers = ["trace", "status", "signal"];

    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Processes a <see cref="StraceTargetKind.Name"/> probe traces at once (one root strace each): any user can
    /// start processes of any name, and each costs the host a strace and its target a ~25× slowdown.
    /// </summary>
    public const int DefaultMaxProcesses = 8;

    /// <summary>Label sets per metric and probe; a probe that sees every one of Linux's ~450 calls ok and failing stays under it.</summary>
    public const int DefaultSeriesLimit = 1000;

    public required string Name { get; init; }

    public required StraceTargetKind TargetKind { get; init; }

    public required string Target { get; init; }

    /// <summary>Arguments of a <see cref="StraceTargetKind.Command"/> target.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public IReadOnlyList<string> Filters { get; init; } = [];

    /// <summary>strace on PATH, or an absolute path.</summary>
    public string StracePath { get; init; } = "strace";

    /// <summary>The most processes a <see cref="StraceTargetKind.Name"/> probe traces at once; more are skipped (logged, counted).</summary>
    public int MaxProcesses { get; init; } = DefaultMaxProcesses;

    /// <summary>Label sets per metric past which new ones fold into <c>syscall="__overflow__"</c>.</summary>
    public int SeriesLimit { get; init; } = DefaultSeriesLimit;

    /// <summary>How often a <see cref="StraceTargetKind.Name"/> probe looks through /proc for new processes.</summary>
    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;

    /// <summary>Every mistake at once (empty when valid), for the configuration validator to place in the file.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("a strace probe needs a name");
        }

        switch (TargetKind)
        {
            case StraceTargetKind.Pid when !int.TryParse(Target, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0:
                errors.Add($"pid target '{Target}' is not a positive number");
                break;
            case StraceTargetKind.Name when string.IsNullOrEmpty(Target) || Target.Contains('/', StringComparison.Ordinal):
                errors.Add($"name target '{Target}' must be a process name (as in /proc/PID/comm), not empty and without '/'");
                break;
            case StraceTargetKind.Name when System.Text.Encoding.UTF8.GetByteCount(Target) > 15:
                errors.Add($"name target '{Target}' is longer than 15 bytes; the kernel keeps only the first 15 bytes of a process name");
                break;
            case StraceTargetKind.Command when string.IsNullOrWhiteSpace(Target):
                errors.Add("command target is empty");
                break;
        }

        if (TargetKind != StraceTargetKind.Command && Arguments.Count > 0)
        {
            errors.Add("arguments are only for a command target");
        }

        foreach (var filter in Filters)
        {
            var equals = filter.IndexOf('=', StringComparison.Ordinal);
            var qualifier = equals < 0 ? "" : filter[..equals];
            if (equals <= 0 || equals == filter.Length - 1 || !AllowedQualifiers.Contains(qualifier, StringComparer.Ordinal))
            {
                errors.Add($"filter '{filter}' must be QUALIFIER=VALUE with QUALIFIER one of {string.Join(", ", AllowedQualifiers)}");
            }
        }

        if (MaxProcesses is < 1 or > 1024)
        {
            errors.Add($"max_processes {MaxProcesses} must be between 1 and 1024");
        }

        if (SeriesLimit is < 1 or > 1_000_000)
        {
            errors.Add($"series_limit {SeriesLimit} must be between 1 and 1000000");
        }

        if (PollInterval < TimeSpan.FromMilliseconds(100) || PollInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"poll interval {PollInterval} is outside 100ms to 1h");
        }

        return errors;
    }
}
