using Xunit;

namespace TraceExporter.KernelTests.Bench;

/// <summary>
/// Keeps bench/scrape-latency.sh working: short mode, the daemon built beside these tests, a real page of
/// 10,000 series and real wrk. A benchmark, not a timed test: no threshold is asserted on the latencies.
/// </summary>
public sealed class ScrapeLatencyScriptTests
{
    private const string Percentiles = @"p50 [\d.]+(?:us|ms|s), p90 [\d.]+(?:us|ms|s), p99 [\d.]+(?:us|ms|s), [\d.]+ requests/s";

    [SkippableFact]
    public async Task The_scrape_latency_script_in_short_mode_serves_10000_series_and_prints_percentiles_gzipped_and_plain()
    {
        BenchScript.RequireTool("wrk", "scripts/setup installs it");

        var output = await BenchScript.RunShortAsync("scrape-latency.sh", TimeSpan.FromMinutes(3));

        Assert.Matches(@"scrape-latency\.sh: \d{5,} series", output);
        Assert.Matches($@"(?m)^scrapes \(gzip\): {Percentiles}", output);
        Assert.Matches($@"(?m)^scrapes \(identity\): {Percentiles}", output);
    }
}
