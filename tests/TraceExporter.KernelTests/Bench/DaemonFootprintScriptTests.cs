using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Bench;

/// <summary>
/// Keeps bench/daemon-footprint.sh working: short mode, the published native daemon next to the JIT build
/// beside these tests. A benchmark, not a timed test: no threshold is asserted on what it measures.
/// </summary>
public sealed class DaemonFootprintScriptTests
{
    private const string Row = @"\s+\d+\s+\d+\s+[\d.]+\s+[\d.]+$";

    [SkippableFact]
    public async Task The_footprint_script_in_short_mode_prints_start_up_and_memory_of_the_native_and_the_jit_daemon()
    {
        KernelPrerequisites.Require();

        var output = await BenchScript.RunShortAsync(
            "daemon-footprint.sh",
            TimeSpan.FromMinutes(3),
            ["--native", RepositoryLayout.Daemon.Path, "--jit", RepositoryLayout.JitDaemonDll]);

        Assert.Matches($"(?m)^native{Row}", output);
        Assert.Matches($"(?m)^jit{Row}", output);
    }
}
