using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary>A map with ten times more keys than its series limit: the limit, one overflow series, the rest counted.</summary>
public sealed class SeriesLimitTests
{
    private const string Metric = "kt_flood_total";
    private const string Dropped = "trace_exporter_series_dropped_total";
    private const string Overflow = "__overflow__";

    // 110 keys 0..109 with count 1 each, written once 100 ms after attaching; series_limit 10.
    private const string Config =
        """
        interval: 1s
        builtin: {}
        probes:
          - name: flood
            program: |
              interval:ms:100 /@once == 0/ {
                @once = 1;
                $i = 0;
                unroll(100) { @m[$i] = count(); $i++; }
                unroll(10) { @m[$i] = count(); $i++; }
              }
            metrics:
              - map: "@m"
                name: kt_flood_total
                help: One series per key, up to the limit.
                series_limit: 10
                labels:
                  - { name: i, kind: number }

        """;

    [SkippableFact]
    public async Task A_hundred_and_ten_label_sets_past_a_limit_of_ten_leave_eleven_series_and_count_a_hundred_dropped()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync(Config);
        var droppedLabels = new[] { ("probe", "flood"), ("metric", Metric) };

        var first = await Poll.UntilAsync(
            daemon.ScrapePageAsync, p => p.Counter(Dropped, droppedLabels) >= 100, TimeSpan.FromSeconds(15));
        // Every snapshot repeats all 110 keys: the drop count and the series must not grow with the snapshots.
        var later = await Poll.ThroughoutAsync(daemon.ScrapePageAsync, 3 * DaemonProcess.Interval + TimeSpan.FromMilliseconds(500));
        var page = later[^1];
        var series = page.Named(Metric);
        var kept = series.Where(s => s.Labels["i"] != Overflow).ToList();
        var keptKeys = kept.Select(s => int.Parse(s.Labels["i"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var promtool = await PromtoolCheck.RunAsync(page);

        var message = FailureReport.Describe(
            $"expected 10 series of value 1 with keys from 0..109, plus {Metric}{{i=\"{Overflow}\"}} 100, and {Dropped} 100, on every scrape for three intervals",
            daemon,
            page,
            [Metric, Dropped],
            $"dropped when first reaching 100 (or at the deadline): {first.Counter(Dropped, droppedLabels)}",
            $"series per scrape: [{string.Join(", ", later.Select(p => p.Named(Metric).Count))}]",
            $"dropped per scrape: [{string.Join(", ", later.Select(p => p.Counter(Dropped, droppedLabels)))}]",
            promtool.Report);
        Assert.True(later.All(p => p.Named(Metric).Count == 11 && p.Counter(Dropped, droppedLabels) == 100), message);
        Assert.True(page.Value(Metric, ("i", Overflow)) == 100, message);
        Assert.True(kept.Count == 10 && kept.All(s => s.Value == 1), message);
        Assert.True(keptKeys.Distinct().Count() == 10 && keptKeys.All(k => k is >= 0 and < 110), message);
        Assert.True(promtool.Clean, message);
    }
}
