using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Metrics;

/// <summary>
/// What a host with endless new process names does to the counts: kernel maps hold one interval (so they
/// never fill for good), and a map that does fill still counts every event, in its metric's __overflow__.
/// </summary>
public sealed class CardinalityTests
{
    private const string Execs = "trace_process_execs_total";
    private const string Connects = "trace_tcp_connects_total";
    private const string ReadBytes = "trace_tcp_read_bytes_total";
    private const string Accepts = "trace_tcp_accepts_total";
    private const string Failed = "trace_exporter_map_updates_failed_total";
    private const int Programs = 20_000;

    [SkippableFact]
    public async Task Twenty_thousand_programs_with_distinct_names_in_a_minute_are_each_counted_exactly_by_every_built_in_and_so_is_a_new_one_after_them()
    {
        KernelPrerequisites.Require();
        // The kernel maps keep their default size; the daemon's own series limit is raised so each name keeps
        // its own series here (past the limit they would add up in __overflow__; see the test below).
        await using var daemon = await DaemonProcess.StartHealthyAsync(DaemonProcess.AllProbesConfig
            .Replace("tcp_connects: true", "tcp_connects: { series_limit: 30000 }", StringComparison.Ordinal)
            .Replace("tcp_read_bytes: true", "tcp_read_bytes: { series_limit: 30000 }", StringComparison.Ordinal)
            .Replace("process_execs: true", "process_execs: { series_limit: 30000 }", StringComparison.Ordinal));
        await using var server = ReplyServer.Start();
        using var storm = await ExecStorm.CreateAsync("tkc" + UniqueName.Suffix(2), Programs + 1);
        var port = (Name: "port", Value: server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var before = await daemon.ScrapePageAsync();

        var took = await storm.RunAsync(0, Programs, server.Port);
        for (var i = 0; i < 3; i++)
        {
            await storm.RunAsync(Programs, 1, server.Port); // a new name, after all of them
        }

        var expectedAccepts = Programs + 3;
        var page = await Poll.UntilAsync(
            daemon.ScrapePageAsync,
            p => p.Counter(Accepts, port) - before.Counter(Accepts, port) >= expectedAccepts && Ours(p, Execs, storm).Count > Programs,
            TimeSpan.FromSeconds(30));
        await Task.Delay(2 * DaemonProcess.Interval); // anything late would show now
        page = await daemon.ScrapePageAsync();

        var newName = storm.NameOf(Programs);
        var problems = new List<string>();
        foreach (var (metric, each) in new[] { (Execs, 1.0), (Connects, 1.0), (ReadBytes, ReplyServer.Reply.Length) })
        {
            var ours = Ours(page, metric, storm);
            var wrong = ours.Where(s => s.Value != (s.Comm == newName ? 3 * each : each)).Take(5).ToList();
            if (ours.Count != Programs + 1 || wrong.Count > 0)
            {
                problems.Add($"{metric}: {ours.Count} of our {Programs + 1} names have a series; wrong values: {string.Join(", ", wrong)}");
            }
        }

        var accepts = page.Counter(Accepts, port) - before.Counter(Accepts, port);
        if (accepts != expectedAccepts)
        {
            problems.Add($"{Accepts}{{port=\"{server.Port}\"}} grew by {accepts}, the server accepted {server.Accepted}");
        }

        var failed = page.Named(Failed).Sum(s => s.Value) - before.Named(Failed).Sum(s => s.Value);
        if (failed != 0)
        {
            problems.Add($"{failed} failed map updates: {page.Excerpt(Failed)}");
        }

        Assert.True(problems.Count == 0, FailureReport.Describe(
            $"every one of {Programs} programs (run in {took.TotalSeconds:F0} s) and a new one run 3 times after them counted exactly once per event",
            daemon, page, [Accepts, Failed, "trace_exporter_map_entries", "trace_exporter_map_max_entries"], [.. problems]));
    }

    [SkippableFact]
    public async Task A_map_too_small_for_an_interval_counts_what_finds_no_room_in_overflow_and_a_name_that_comes_later_is_counted_exactly()
    {
        KernelPrerequisites.Require();
        const int Keys = 64;
        const int Storm = 2_000;
        var prefix = "tkf" + UniqueName.Suffix(2);
        await using var daemon = await DaemonProcess.StartHealthyAsync($$"""
            interval: 1s
            builtin: {}
            probes:
              - name: full
                max_map_keys: {{Keys}}
                program: |
                  tracepoint:sched:sched_process_exec /strncmp(comm, "{{prefix}}", 5) == 0/ {
                    @execs[*(uint64 *)((uint64)curtask + {{"{{offsetof task_struct.comm}}"}}),
                           *(uint64 *)((uint64)curtask + {{"{{offsetof task_struct.comm}}"}} + 8)] = count();
                  }
                metrics:
                  - { map: "@execs", name: full_execs_total, help: Execs., labels: [{ name: comm, kind: packed_name }], series_limit: 100000 }
            """);
        using var storm = await ExecStorm.CreateAsync(prefix, Storm + 1);
        var entriesSeen = 0.0;

        var running = storm.RunAsync(0, Storm, 0);
        while (!running.IsCompleted)
        {
            var during = await daemon.ScrapePageAsync();
            entriesSeen = Math.Max(entriesSeen, during.Counter("trace_exporter_map_entries", ("probe", "full"), ("map", "@execs")));
            await Task.Delay(100);
        }

        await running;
        var page = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Named("full_execs_total").Sum(s => s.Value) >= Storm, TimeSpan.FromSeconds(15));
        await Task.Delay(3 * DaemonProcess.Interval); // a full interval with no new names: the map is empty again
        await storm.RunAsync(Storm, 1, 0);
        await storm.RunAsync(Storm, 1, 0);
        var latecomer = storm.NameOf(Storm);
        page = await Poll.UntilAsync(daemon.ScrapePageAsync, p => p.Counter("full_execs_total", ("comm", latecomer)) >= 2, TimeSpan.FromSeconds(15));
        await Task.Delay(2 * DaemonProcess.Interval);
        page = await daemon.ScrapePageAsync();

        // The gauge is the peak of the last minute: a storm over before a scrape saw it still shows in it now.
        entriesSeen = Math.Max(entriesSeen, page.Counter("trace_exporter_map_entries", ("probe", "full"), ("map", "@execs")));
        var total = page.Named("full_execs_total").Sum(s => s.Value);
        var overflow = page.Counter("full_execs_total", ("comm", "__overflow__"));
        var failed = page.Counter(Failed, ("probe", "full"), ("map", "@execs"));
        var message = FailureReport.Describe(
            $"{Storm} + 2 execs through a map of {Keys} keys: every one counted, those that found the map full in __overflow__",
            daemon, page, ["full_execs_total", Failed, "trace_exporter_map_entries", "trace_exporter_map_max_entries"],
            $"total {total}, overflow {overflow}, failed updates {failed}, most entries seen {entriesSeen}");
        Assert.True(total == Storm + 2, message);
        Assert.True(overflow > 0 && overflow == failed, message);
        Assert.True(page.Counter("full_execs_total", ("comm", latecomer)) == 2, message);
        Assert.True(entriesSeen == Keys, message);
        Assert.True(page.Counter("trace_exporter_map_max_entries", ("probe", "full"), ("map", "@execs")) == Keys, message);
    }

    /// <summary>The series of a metric whose comm is one of the storm's names.</summary>
    private static List<(string Comm, double Value)> Ours(MetricsPage page, string metric, ExecStorm storm) =>
        [.. page.Named(metric)
            .Where(s => s.Labels.TryGetValue("comm", out var comm) && comm.StartsWith(storm.Prefix, StringComparison.Ordinal))
            .Select(s => (s.Labels["comm"], s.Value))];
}
