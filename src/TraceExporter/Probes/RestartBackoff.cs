namespace TraceExporter.Probes;

/// <summary>
/// How long to wait before starting a bpftrace process again: 1 s after the first failure, doubling each
/// time up to <see cref="Cap"/>, with ±20 % jitter so a fleet does not restart in step. A process that ran
/// for <see cref="StableAfter"/> resets the count.
/// </summary>
public sealed class RestartBackoff(TimeSpan first, TimeSpan cap)
{
    public static RestartBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    public TimeSpan Cap { get; } = cap;

    public static TimeSpan StableAfter { get; } = TimeSpan.FromSeconds(60);

    /// <param name="failures">Consecutive failures so far, at least 1.</param>
    /// <param name="random01">A uniform random number in [0, 1) for the jitter.</param>
    public TimeSpan Delay(int failures, double random01)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var baseDelay = Math.Min(first.TotalMilliseconds * Math.Pow(2, exponent), Cap.TotalMilliseconds);
        var jitter = 0.8 + (0.4 * random01);
        return TimeSpan.FromMilliseconds(Math.Min(baseDelay * jitter, Cap.TotalMilliseconds));
    }
}
