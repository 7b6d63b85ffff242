using Xunit;

namespace TraceExporter.KernelTests.Bench;

/// <summary>
/// Keeps bench/overhead.sh working: its short mode runs end to end on the real kernel with the daemon built
/// beside these tests. A benchmark, not a timed test: no threshold is asserted on what it measures.
/// </summary>
public sealed class OverheadHarnessTests
{
    [SkippableFact]
    public async Task The_overhead_harness_in_short_mode_exits_0_and_prints_its_result_table_for_all_four_ways()
    {
        BenchScript.RequireTool("cc", "the harness compiles bench/tcpload.c");

        var output = await BenchScript.RunShortAsync("overhead.sh", TimeSpan.FromMinutes(5));

        Assert.Contains("median rate", output);
        foreach (var way in new[] { "none", "floor", "exporter", "naive" })
        {
            foreach (var load in new[] { "storm", "bulk" })
            {
                Assert.Matches($@"(?m)^{way}\s+{load}\s+\d+", output);
            }
        }
    }
}
