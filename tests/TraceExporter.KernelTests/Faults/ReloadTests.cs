using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;
using static TraceExporter.KernelTests.Faults.FaultConfigs;

namespace TraceExporter.KernelTests.Faults;

public sealed class ReloadTests
{
    private const string ReloadSuccessful = "trace_exporter_config_last_reload_successful";
    private const string ReloadTimestamp = "trace_exporter_config_last_reload_success_timestamp_seconds";
    private const int ExecsBefore = 3;
    private const int ExecsAfter = 2;
    private static readonly string[] Lifecycle = ["--web.enable-lifecycle"];
    private static readonly string[] Shown = [Execs, ProbeUp, Restarts, ReloadSuccessful, ReloadTimestamp];

    [SkippableFact]
    public async Task Sighup_with_the_file_unchanged_keeps_the_same_bpftrace_and_its_counters()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync(ConnectsAndExecs, Lifecycle);
        using var binary = new UniqueBinary("tfr");
        var history = new CounterHistory();
        var bpftrace = Assert.Single(BpftraceChildren.Of(daemon));
        var before = await CountExecsAsync(daemon, history, binary, ExecsBefore);
        var reloadsBefore = ReloadsLogged(daemon);

        UnixSignal.Send(daemon.ProcessId, UnixSignal.SigHup);
        var reloaded = await Poll.UntilAsync(() => Task.FromResult(ReloadsLogged(daemon)), n => n > reloadsBefore, TimeSpan.FromSeconds(15));
        var after = await Poll.ThroughoutAsync(() => history.ScrapeAsync(daemon), 2 * DaemonProcess.Interval + TimeSpan.FromMilliseconds(500));

        var message = FailureReport.Describe(
            "expected SIGHUP with an unchanged file to reload, keep the same bpftrace process and leave the counters as they were",
            daemon,
            after[^1],
            Shown,
            $"bpftrace before: {bpftrace}; now: {BpftraceChildren.Describe(BpftraceChildren.Of(daemon))}",
            $"'Configuration reloaded' lines: {reloadsBefore} before, {reloaded} after",
            $"execs of {binary.Name} before: {before}; after: [{string.Join(", ", after.Select(p => p.Counter(Execs, ("comm", binary.Name))))}]",
            history.Summary());
        Assert.True(reloaded > reloadsBefore, message);
        AssertSameBpftrace(daemon, bpftrace, message);
        Assert.True(after.All(p => p.Counter(Execs, ("comm", binary.Name)) == ExecsBefore), message);
        Assert.True(after.All(p => p.Value(ProbeUp, ("probe", "tcp_connects")) == 1 && p.Value(ProbeUp, ("probe", "process_execs")) == 1), message);
        Assert.True(after[^1].Counter(Restarts, ("probe", "tcp_connects")) == 0 && after[^1].Value(ReloadSuccessful) == 1, message);
        Assert.True(history.Violations.Count == 0, message);

        var total = await CountExecsAsync(daemon, history, binary, ExecsAfter);
        Assert.True(total == ExecsBefore + ExecsAfter, message + $"\nafter {ExecsAfter} more runs: {total}");
        AssertSameBpftrace(daemon, bpftrace, message);
    }

    [SkippableFact]
    public async Task Post_reload_with_tcp_accepts_added_attaches_it_and_process_execs_continues_from_its_value()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync(ConnectsAndExecs, Lifecycle);
        using var binary = new UniqueBinary("tfr");
        var history = new CounterHistory();
        var first = await history.ScrapeAsync(daemon);
        var bpftrace = Assert.Single(BpftraceChildren.Of(daemon));
        var before = await CountExecsAsync(daemon, history, binary, ExecsBefore);

        await daemon.RewriteConfigAsync(ConnectsExecsAndAccepts);
        var (status, body) = await PostReloadAsync(daemon);
        var accepting = await Poll.UntilAsync(
            () => history.ScrapeAsync(daemon), p => p.Value(ProbeUp, ("probe", "tcp_accepts")) == 1, TimeSpan.FromSeconds(60));
        var steady = await Poll.ThroughoutAsync(() => history.ScrapeAsync(daemon), 2 * DaemonProcess.Interval + TimeSpan.FromMilliseconds(500));

        var message = FailureReport.Describe(
            "expected POST /-/reload of a file adding tcp_accepts to return 200, bring tcp_accepts up and keep every counter",
            daemon,
            steady[^1],
            Shown,
            $"POST /-/reload: {status} {body.Trim()}",
            $"tcp_accepts probe_up before the reload: {first.Value(ProbeUp, ("probe", "tcp_accepts"))?.ToString(CultureInfo.InvariantCulture) ?? "absent"}",
            $"execs of {binary.Name} before: {before}; after: [{string.Join(", ", steady.Select(p => p.Counter(Execs, ("comm", binary.Name))))}]",
            // The built-ins share one process, so adding one replaces it: a new pid here is expected.
            $"bpftrace before: {bpftrace}; now: {BpftraceChildren.Describe(BpftraceChildren.Of(daemon))}",
            history.Summary());
        Assert.True(status == HttpStatusCode.OK, message);
        Assert.True(first.Value(ProbeUp, ("probe", "tcp_accepts")) is null, message);
        Assert.True(accepting.Value(ProbeUp, ("probe", "tcp_accepts")) == 1, message);
        Assert.True(steady.All(p => p.Counter(Execs, ("comm", binary.Name)) == ExecsBefore), message);
        Assert.True(
            steady.All(p => p.Value(ProbeUp, ("probe", "tcp_connects")) == 1 && p.Value(ProbeUp, ("probe", "process_execs")) == 1),
            message);
        Assert.True(history.Violations.Count == 0, message);

        var total = await CountExecsAsync(daemon, history, binary, ExecsAfter);
        Assert.True(total == ExecsBefore + ExecsAfter, message + $"\nafter {ExecsAfter} more runs: {total}");
        Assert.True(history.Violations.Count == 0, message + "\n" + history.Summary());
    }

    [SkippableFact]
    public async Task Post_reload_of_a_broken_file_returns_400_with_file_line_column_and_changes_nothing()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync(ConnectsAndExecs, Lifecycle);
        using var binary = new UniqueBinary("tfr");
        var history = new CounterHistory();
        var bpftrace = Assert.Single(BpftraceChildren.Of(daemon));
        var before = await CountExecsAsync(daemon, history, binary, ExecsBefore);

        // Line 5 names an unknown probe and line 6 has an unknown key: both must be reported, each where it is.
        await daemon.RewriteConfigAsync(ConnectsAndExecs.Replace("  process_execs: true", "  process_execs: true\n  tcp_teleports: true\nbogus_key: 1", StringComparison.Ordinal));
        var (status, body) = await PostReloadAsync(daemon);
        var after = await Poll.ThroughoutAsync(() => history.ScrapeAsync(daemon), 2 * DaemonProcess.Interval + TimeSpan.FromMilliseconds(500));
        var located = FileLineColumn(daemon.ConfigFile).Matches(body).Select(m => m.Value).ToList();

        var message = FailureReport.Describe(
            "expected POST /-/reload of a broken file to return 400 naming file:line:column, and to leave the probes and counters as they were",
            daemon,
            after[^1],
            Shown,
            $"POST /-/reload: {status}\n{body}",
            $"file:line:column found: [{string.Join(", ", located)}]",
            $"bpftrace before: {bpftrace}; now: {BpftraceChildren.Describe(BpftraceChildren.Of(daemon))}",
            $"execs of {binary.Name} before: {before}; after: [{string.Join(", ", after.Select(p => p.Counter(Execs, ("comm", binary.Name))))}]",
            history.Summary());
        Assert.True(status == HttpStatusCode.BadRequest, message);
        Assert.True(
            located.Any(l => l.StartsWith($"{daemon.ConfigFile}:5:3: ", StringComparison.Ordinal) && l.Contains("tcp_teleports", StringComparison.Ordinal))
                && located.Any(l => l.StartsWith($"{daemon.ConfigFile}:6:1: ", StringComparison.Ordinal) && l.Contains("bogus_key", StringComparison.Ordinal)),
            message);
        Assert.True(after.All(p => p.Value(ReloadSuccessful) == 0), message);
        Assert.True(after.All(p => p.Value(ProbeUp, ("probe", "tcp_connects")) == 1 && p.Value(ProbeUp, ("probe", "process_execs")) == 1), message);
        Assert.True(after.All(p => p.Counter(Execs, ("comm", binary.Name)) == ExecsBefore), message);
        AssertSameBpftrace(daemon, bpftrace, message);

        var total = await CountExecsAsync(daemon, history, binary, ExecsAfter);
        Assert.True(total == ExecsBefore + ExecsAfter, message + $"\nafter {ExecsAfter} more runs: {total}");
        Assert.True(history.Violations.Count == 0, message + "\n" + history.Summary());
    }

    /// <summary>Runs the binary <paramref name="runs"/> times and returns its exec count once it has grown by that much (or after 15 s).</summary>
    private static async Task<double> CountExecsAsync(DaemonProcess daemon, CounterHistory history, UniqueBinary binary, int runs)
    {
        var start = (await history.ScrapeAsync(daemon)).Counter(Execs, ("comm", binary.Name));
        await binary.RunAsync(runs);
        var page = await Poll.UntilAsync(
            () => history.ScrapeAsync(daemon), p => p.Counter(Execs, ("comm", binary.Name)) >= start + runs, TimeSpan.FromSeconds(15));
        return page.Counter(Execs, ("comm", binary.Name));
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostReloadAsync(DaemonProcess daemon)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(90) };
        using var response = await http.PostAsync(new Uri(daemon.BaseAddress, "-/reload"), null);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static void AssertSameBpftrace(DaemonProcess daemon, ProcessEntry bpftrace, string message)
    {
        var now = BpftraceChildren.Of(daemon);
        Assert.True(
            ProcessTable.IsAlive(bpftrace) && now.Count == 1 && now[0].Pid == bpftrace.Pid,
            message + $"\nbpftrace children now: {BpftraceChildren.Describe(now)}");
    }

    private static int ReloadsLogged(DaemonProcess daemon) =>
        daemon.Output.Split('\n').Count(l => l.Contains("Configuration reloaded from", StringComparison.Ordinal));

    private static Regex FileLineColumn(string file) => new(Regex.Escape(file) + @":\d+:\d+: \S.*");
}
