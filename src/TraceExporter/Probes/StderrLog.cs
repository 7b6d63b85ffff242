using Microsoft.Extensions.Logging;

namespace TraceExporter.Probes;

/// <summary>
/// bpftrace's stderr, line by line, into the daemon's log under the probe's name; keeps the error lines
/// of the current process so a failure can be explained.
/// </summary>
public sealed partial class StderrLog(string probe, ILogger logger)
{
    private const int Kept = 20;
    private readonly Queue<string> _errors = new();
    private readonly Lock _lock = new();

    public void Add(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        // bpftrace 0.17 cannot raise RLIMIT_MEMLOCK in some sandboxes, says ERROR, and works anyway
        // (kernels ≥ 5.11 account BPF memory to the cgroup instead).
        if (line.Contains("RLIMIT_MEMLOCK", StringComparison.Ordinal))
        {
            LogDebugLine(probe, line);
            return;
        }

        if (line.Contains("ERROR", StringComparison.Ordinal) || line.Contains("Error", StringComparison.Ordinal))
        {
            LogErrorLine(probe, line);
            lock (_lock)
            {
                if (_errors.Count == Kept)
                {
                    _errors.Dequeue();
                }

                _errors.Enqueue(line.Trim());
            }
        }
        else if (line.Contains("WARNING", StringComparison.Ordinal))
        {
            LogWarningLine(probe, line);
        }
        else
        {
            LogDebugLine(probe, line);
        }
    }

    /// <summary>The error lines seen so far, joined.</summary>
    public string Summary()
    {
        lock (_lock)
        {
            return string.Join(" | ", _errors);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "bpftrace[{Probe}]: {Line}")]
    private partial void LogErrorLine(string probe, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "bpftrace[{Probe}]: {Line}")]
    private partial void LogWarningLine(string probe, string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "bpftrace[{Probe}]: {Line}")]
    private partial void LogDebugLine(string probe, string line);
}
