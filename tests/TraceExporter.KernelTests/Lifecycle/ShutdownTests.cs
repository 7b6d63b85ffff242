using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Lifecycle;

public sealed class ShutdownTests
{
    [SkippableFact]
    public async Task Sigterm_makes_the_daemon_exit_zero_within_five_seconds_leaving_no_bpftrace_behind()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync();
        var started = ProcessTable.Descendants(daemon.ProcessId);
        Assert.True(
            started.Any(p => p.Comm == "bpftrace"),
            FailureReport.Describe("expected a healthy daemon to have bpftrace children", daemon, null, [],
                $"descendants: [{string.Join("; ", started)}]"));

        var (exitCode, elapsed) = await daemon.StopAsync(killAfter: TimeSpan.FromSeconds(10));

        List<ProcessEntry> remaining = [];
        // Orphans are reaped by init a moment after the daemon exits: give that a short deadline.
        await Poll.UntilAsync(() => (remaining = started.Where(ProcessTable.IsAlive).ToList()).Count == 0, TimeSpan.FromSeconds(5));
        var message = FailureReport.Describe(
            "expected exit code 0 within 5 s of SIGTERM and every process the daemon started gone",
            daemon,
            null,
            [],
            $"exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (killed after 10 s)"} after {elapsed.TotalSeconds:F2} s",
            $"descendants before SIGTERM: [{string.Join("; ", started)}]",
            $"still alive: [{string.Join("; ", remaining)}]");
        Assert.True(exitCode == 0 && elapsed <= TimeSpan.FromSeconds(5), message);
        Assert.True(remaining.Count == 0, message);
        foreach (var process in remaining)
        {
            UnixSignal.Send(process.Pid, UnixSignal.SigKill);
        }
    }
}
