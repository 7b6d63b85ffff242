using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.UserProbes;

/// <summary>
/// A user program may have its own BEGIN probe, the usual place to fill a map once. The daemon adds a BEGIN of
/// its own (the "ready" marker), and bpftrace before 0.2x refuses two: "More than one BEGIN probe defined".
/// </summary>
public sealed class BeginProbeTests
{
    private const string Metric = "kt_begin_total";

    private const string Config =
        """
        interval: 1s
        builtin: {}
        probes:
          - name: begin
            program: |
              BEGIN { @m["a,b c", 7] = count(); @m["x", 8] = count(); }
            metrics:
              - map: "@m"
                name: kt_begin_total
                help: Filled once by BEGIN.
                labels:
                  - { name: s, kind: string }
                  - { name: n, kind: number }

        """;

    [SkippableFact]
    public async Task A_program_with_its_own_BEGIN_probe_passes_check_and_exports_what_BEGIN_counted()
    {
        KernelPrerequisites.Require();
        using var config = new TemporaryConfigFile(Config);

        var check = await CheckRun.RunAsync(config.Path);

        Assert.True(check.ExitCode == 0 && check.StandardOutput.Contains("ok: probe begin attaches on this host", StringComparison.Ordinal), check.ToString());
        await using var daemon = await DaemonProcess.StartHealthyAsync(Config);
        var page = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Named(Metric).Count >= 2, TimeSpan.FromSeconds(15));
        var key = TestBpftrace.AsPrintedKey("a,b c"); // bpftrace 0.24+ deletes the space
        var message = FailureReport.Describe($"expected the two series BEGIN counted ({key}, x)", daemon, page, [Metric]);
        Assert.True(page.Value(Metric, ("s", key), ("n", "7")) == 1 && page.Value(Metric, ("s", "x"), ("n", "8")) == 1, message);
    }
}
