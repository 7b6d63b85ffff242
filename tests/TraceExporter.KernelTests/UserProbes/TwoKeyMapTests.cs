using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary>A map keyed by a string and a number: bpftrace joins key parts with ',', so a comma inside the string must not split it.</summary>
public sealed class TwoKeyMapTests
{
    private const string Metric = "kt_two_key_total";

    // Runs once, 100 ms after attaching (see BeginProbeTests for why not BEGIN); @once is not exported.
    private const string Config =
        """
        interval: 1s
        builtin: {}
        probes:
          - name: two_key
            program: |
              interval:ms:100 /@once == 0/ { @once = 1; @m["a,b c", 7] = count(); @m["x", 8] = count(); }
            metrics:
              - map: "@m"
                name: kt_two_key_total
                help: A string and a number as key.
                labels:
                  - { name: s, kind: string }
                  - { name: n, kind: number }

        """;

    [SkippableFact]
    public async Task A_string_key_part_with_a_comma_and_a_space_keeps_both_labels_exact()
    {
        KernelPrerequisites.Require();
        var key = TestBpftrace.AsPrintedKey("a,b c"); // bpftrace 0.24+ prints "a,bc": nothing can bring the space back
        await using var daemon = await DaemonProcess.StartHealthyAsync(Config);

        var first = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Named(Metric).Count >= 2, TimeSpan.FromSeconds(15));
        var later = await Poll.ThroughoutAsync(daemon.ScrapePageAsync, 2 * DaemonProcess.Interval + TimeSpan.FromMilliseconds(500));
        var page = later[^1];
        var promtool = await PromtoolCheck.RunAsync(page);

        var message = FailureReport.Describe(
            $"expected exactly {Metric}{{s=\"{key}\",n=\"7\"}} 1 and {Metric}{{s=\"x\",n=\"8\"}} 1, on every scrape for two intervals",
            daemon,
            page,
            [Metric],
            $"series when two first appeared (or at the deadline): {string.Join("; ", first.Named(Metric))}",
            $"series per scrape afterwards: [{string.Join(", ", later.Select(p => p.Named(Metric).Count))}]",
            promtool.Report);
        Assert.True(
            later.All(p => p.Named(Metric).Count == 2
                && p.Value(Metric, ("s", key), ("n", "7")) == 1
                && p.Value(Metric, ("s", "x"), ("n", "8")) == 1),
            message);
        Assert.True(promtool.Clean, message);
    }
}
