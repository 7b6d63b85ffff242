using CliWrap;
using CliWrap.Buffered;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Bench;

/// <summary>
/// Keeps bench/scrape-latency.sh working: short mode, the daemon built beside these tests, a real page of
/// 10,000 series and real wrk. A benchmark, not a timed test: no threshold is asserted on the latencies.
/// </summary>
public sealed class ScrapeLatencyScriptTests
{
    [SkippableFact]
    public async Task The_scrape_latency_script_in_short_mode_serves_10000_series_and_prints_percentiles_gzipped_and_plain()
    {
        KernelPrerequisites.Require();
        if (KernelPrerequisites.FindOnPath("wrk") is null)
        {
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), "'wrk' not on PATH (scripts/setup installs it)");
            Skip.If(true, "'wrk' not on PATH (scripts/setup installs it)");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var result = await Cli.Wrap("bash")
            .WithArguments([Path.Combine(RepositoryLayout.Root, "bench", "scrape-latency.sh"), "--short", "--daemon", RepositoryLayout.DaemonDll])
            .WithWorkingDirectory(RepositoryLayout.Root)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);

        var output = $"exit {result.ExitCode}\n--- stdout\n{result.StandardOutput}\n--- stderr\n{result.StandardError}";
        Assert.True(result.ExitCode == 0, output);
        Assert.Matches(@"scrape-latency\.sh: \d{5,} series", result.StandardOutput);
        Assert.Matches(@"(?m)^scrapes \(gzip\): p50 [\d.]+(?:us|ms|s), p90 [\d.]+(?:us|ms|s), p99 [\d.]+(?:us|ms|s), [\d.]+ requests/s", result.StandardOutput);
        Assert.Matches(@"(?m)^scrapes \(identity\): p50 [\d.]+(?:us|ms|s), p90 [\d.]+(?:us|ms|s), p99 [\d.]+(?:us|ms|s), [\d.]+ requests/s", result.StandardOutput);
    }
}
