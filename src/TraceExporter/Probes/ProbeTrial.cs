using Microsoft.Extensions.Logging;
using TraceExporter.Parsing;

namespace TraceExporter.Probes;

/// <summary>
/// Loads a program into the kernel just long enough to see it attach, then stops it: how the supervisor
/// finds which probe of a shared program this host cannot run, and how <c>check</c> tries every probe.
/// Nothing it reads is counted.
/// </summary>
public static class ProbeTrial
{
    /// <summary>Null when the program attached; otherwise bpftrace's error lines (or its exit status).</summary>
    public static async Task<string?> RunAsync(
        BpftraceRunner bpftrace,
        string program,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        string name,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var sink = new ReadySink();
        var errors = new StderrLog(name, logger);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = bpftrace.RunAsync(program, arguments, environment, sink, errors.Add, null, stop.Token);
        await Task.WhenAny(sink.Ready.Task, running).ConfigureAwait(false);
        var attached = sink.Ready.Task.IsCompleted;
        await stop.CancelAsync().ConfigureAwait(false);
        var exit = await running.ConfigureAwait(false);
        if (attached)
        {
            return null;
        }

        var summary = errors.Summary();
        return summary.Length > 0 ? summary : $"bpftrace exited ({exit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "killed"}) before attaching";
    }

    private sealed class ReadySink : IRecordSink
    {
        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnPrintf(ReadOnlySpan<byte> text)
        {
            if (TraceExporter.Parsing.ControlLine.IsReady(text))
            {
                Ready.TrySetResult();
            }
        }

        public void OnAttachedProbes(long count) { }

        public void OnLostEvents(long count) { }

        public void OnMapStart(ReadOnlySpan<byte> mapName) { }

        public void OnValue(ReadOnlySpan<byte> key, long value) { }

        public void OnHistogram(ReadOnlySpan<byte> key, ReadOnlySpan<HistogramBucket> buckets) { }

        public void OnStats(ReadOnlySpan<byte> key, long? count, long average, long? total) { }

        public void OnMapEnd() { }

        public void OnRuntimeError(ReadOnlySpan<byte> type, ReadOnlySpan<byte> helper, int line, ReadOnlySpan<byte> message) { }

        public void OnMalformed(ParseError kind) { }
    }
}
