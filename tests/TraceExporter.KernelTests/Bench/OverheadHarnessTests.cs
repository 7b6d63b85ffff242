using CliWrap;
using CliWrap.Buffered;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Bench;

/// <summary>
/// Keeps bench/overhead.sh working: its short mode runs end to end on the real kernel with the daemon built
/// beside these tests. A benchmark, not a timed test: no threshold is asserted on what it measures.
/// </summary>
public sealed class OverheadHarnessTests
{
    [SkippableFact]
    public async Task The_overhead_harness_in_short_mode_exits_0_and_prints_its_result_table_for_all_three_ways()
    {
        KernelPrerequisites.Require();
        if (KernelPrerequisites.FindOnPath("cc") is null)
        {
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), "'cc' not on PATH (the harness compiles bench/tcpload.c)");
            Skip.If(true, "'cc' not on PATH (the harness compiles bench/tcpload.c)");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var result = await Cli.Wrap("bash")
            .WithArguments([Path.Combine(RepositoryLayout.Root, "bench", "overhead.sh"), "--short", "--daemon", RepositoryLayout.DaemonDll])
            .WithWorkingDirectory(RepositoryLayout.Root)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);

        var output = $"exit {result.ExitCode}\n--- stdout\n{result.StandardOutput}\n--- stderr\n{result.StandardError}";
        Assert.True(result.ExitCode == 0, output);
        Assert.Contains("median rate", result.StandardOutput);
        foreach (var way in new[] { "none", "floor", "exporter", "naive" })
        {
            foreach (var load in new[] { "storm", "bulk" })
            {
                Assert.Matches($@"(?m)^{way}\s+{load}\s+\d+", result.StandardOutput);
            }
        }
    }
}
