using System.Diagnostics;
using System.Globalization;
using System.Net;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Faults;

public sealed class ReloadStormTests
{
    private const string RunSeconds = "trace_exporter_probe_run_seconds_total";
    private const int Reloads = 100;
    private const int Scrapers = 20;
    private const string StatsSwitch = "/proc/sys/kernel/bpf_stats_enabled";

    [SkippableFact]
    public async Task A_hundred_reloads_by_sighup_and_post_while_twenty_scrapers_run_never_make_a_counter_go_down_nor_run_time_outgrow_the_wall_clock()
    {
        KernelPrerequisites.Require();
        var statsBefore = File.ReadAllText(StatsSwitch).Trim();
        File.WriteAllText(StatsSwitch, "1");
        try
        {
            await RunAsync();
        }
        finally
        {
            File.WriteAllText(StatsSwitch, statsBefore);
        }
    }

    private static async Task RunAsync()
    {
        await using var daemon = await DaemonProcess.StartHealthyAsync(DaemonProcess.AllProbesConfig, ["--web.enable-lifecycle"]);
        using var storm = await ExecStorm.CreateAsync("tkr" + UniqueName.Suffix(2), 200);
        using var stop = new CancellationTokenSource();
        var histories = Enumerable.Range(0, Scrapers).Select(_ => new CounterHistory()).ToList();
        var clock = Stopwatch.StartNew();
        var samples = new List<(double Wall, double RunSeconds)>();
        var failures = new List<string>();

        var scrapers = histories.Select((history, index) => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var wall = clock.Elapsed.TotalSeconds;
                    var page = await history.ScrapeAsync(daemon);
                    if (index == 0)
                    {
                        lock (samples)
                        {
                            samples.Add((wall, page.Named(RunSeconds).Sum(s => s.Value)));
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException)
                {
                    lock (failures)
                    {
                        failures.Add(e.Message);
                    }
                }
            }
        })).ToList();

        // Events throughout: each storm program execs, so process_execs and the built-ins' run time move.
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await storm.RunAsync(0, 200, 0);
            }
        });

        var statuses = new List<string>();
        for (var i = 0; i < Reloads; i++)
        {
            // Every fifth reload changes the built-ins (their bpftrace is replaced); the others change nothing.
            await daemon.RewriteConfigAsync(i % 5 == 4 && i % 10 != 9
                ? DaemonProcess.AllProbesConfig.Replace("process_execs: true", "process_execs: { series_limit: 20000 }", StringComparison.Ordinal)
                : DaemonProcess.AllProbesConfig);
            if (i % 2 == 0)
            {
                var reloads = ReloadsLogged(daemon);
                UnixSignal.Send(daemon.ProcessId, UnixSignal.SigHup);
                Assert.True(await Poll.UntilAsync(() => ReloadsLogged(daemon) > reloads, TimeSpan.FromSeconds(60)), $"reload {i} (SIGHUP) was not applied\n{FailureReport.Tail(daemon.Output, 30)}");
            }
            else
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(90) };
                using var response = await http.PostAsync(new Uri(daemon.BaseAddress, "-/reload"), null);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    statuses.Add($"reload {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        await Task.Delay(2 * DaemonProcess.Interval);
        await stop.CancelAsync();
        await Task.WhenAll([.. scrapers, load]);

        var faster = new List<string>();
        for (var i = 1; i < samples.Count; i++)
        {
            var wall = samples[i].Wall - samples[i - 1].Wall;
            var run = samples[i].RunSeconds - samples[i - 1].RunSeconds;
            // Both are read at scrape time; a render can be up to 2 s old (MetricsPageCache), so compare with slack.
            if (run > (wall + 2.5) * Environment.ProcessorCount)
            {
                faster.Add($"{samples[i - 1].Wall:F2}s → {samples[i].Wall:F2}s: run time +{run:F3} s in {wall:F3} s of wall time");
            }
        }

        var total = samples.Count > 1 ? samples[^1].RunSeconds - samples[0].RunSeconds : 0;
        var elapsed = samples.Count > 1 ? samples[^1].Wall - samples[0].Wall : 0;
        var last = await daemon.ScrapePageAsync();
        var message = FailureReport.Describe(
            $"{Reloads} reloads under {Scrapers} scrapers: no counter down, run time ≤ wall time × {Environment.ProcessorCount} CPUs",
            daemon, last, [RunSeconds, "trace_exporter_probe_restarts_total", "trace_exporter_config_last_reload_successful"],
            $"scrapes: {histories.Sum(h => h.Scrapes)}, failed scrapes: {failures.Count} {string.Join(" | ", failures.Take(3))}",
            $"non-200 reloads: {string.Join(" | ", statuses)}",
            $"run time over the test: {total:F3} s in {elapsed:F1} s of wall time",
            string.Join('\n', faster.Take(10)),
            string.Join('\n', histories.Where(h => h.Violations.Count > 0).Take(3).Select(h => h.Summary())));
        Assert.True(histories.All(h => h.Violations.Count == 0), message);
        Assert.True(faster.Count == 0 && total <= elapsed * Environment.ProcessorCount, message);
        Assert.True(statuses.Count == 0 && failures.Count == 0, message);
        Assert.True(total > 0, message); // run time was measured at all
        Assert.True(last.Named("trace_exporter_probe_up").All(s => s.Value == 1), message);
    }

    private static int ReloadsLogged(DaemonProcess daemon) =>
        daemon.Output.Split('\n').Count(l => l.Contains("Configuration reloaded from", StringComparison.Ordinal));
}
