using System.Text.RegularExpressions;
using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary>The shipped <c>config/examples/*.yaml</c>, as files for <c>check</c> and as text for a 1 s daemon.</summary>
internal static partial class ExampleConfig
{
    /// <summary>Every example, its one user probe and the metric that probe exports.</summary>
    public static readonly IReadOnlyList<(string File, string Probe, string Metric)> All =
    [
        ("tcp-connections.yaml", "connections", "example_tcp_connects_total"),
        ("tcp-read-bytes.yaml", "read_bytes", "example_tcp_read_bytes_total"),
        ("drops-by-reason.yaml", "drops", "example_skb_drops_total"),
        ("tcp-retransmits.yaml", "retransmits", "example_tcp_retransmits_total"),
        ("suspicious-execs.yaml", "suspicious_execs", "example_suspicious_execs_total"),
        ("tcp-connect-latency.yaml", "connect_latency", "example_tcp_connect_duration_seconds"),
    ];

    public static string Directory { get; } = Path.Combine(RepositoryLayout.Root, "config", "examples");

    public static string PathOf(string file) => Path.Combine(Directory, file);

    /// <summary>
    /// The example as it ships, with its top-level <c>interval</c> set to the daemon fixture's 1 s so the tests
    /// wait seconds, not minutes; nothing else changes.
    /// </summary>
    public static string WithOneSecondInterval(string file)
    {
        var text = File.ReadAllText(PathOf(file));
        var intervals = TopLevelInterval().Count(text);
        if (intervals != 1)
        {
            throw new InvalidOperationException($"{file} has {intervals} top-level 'interval:' lines, expected 1:\n{text}");
        }

        return TopLevelInterval().Replace(text, "interval: 1s");
    }

    /// <summary>The real daemon on a free port running this example, once /healthz says its probe is attached.</summary>
    public static Task<DaemonProcess> StartDaemonAsync(string file) => DaemonProcess.StartHealthyAsync(WithOneSecondInterval(file));

    [GeneratedRegex(@"^interval:[^\n]*$", RegexOptions.Multiline)]
    private static partial Regex TopLevelInterval();
}
