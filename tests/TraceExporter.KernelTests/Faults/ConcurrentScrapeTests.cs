using System.Net;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;
using static TraceExporter.KernelTests.Faults.FaultConfigs;

namespace TraceExporter.KernelTests.Faults;

public sealed class ConcurrentScrapeTests
{
    private const int Scrapers = 50;
    private const int RequestsBeforeKill = 5;
    private const int RequestsAfterKill = 5;

    [SkippableFact]
    public async Task Fifty_concurrent_scrapers_get_a_valid_page_every_time_while_bpftrace_is_killed_and_restarted()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync(ConnectsWithQuickRestart);
        var bpftrace = Assert.Single(BpftraceChildren.Of(daemon));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Scrapers }) { Timeout = TimeSpan.FromSeconds(60) };
        var metrics = new Uri(daemon.BaseAddress, "metrics");

        // Every scraper does its first requests, then all wait for the kill, so the second half overlaps the restart.
        using var firstHalfDone = new CountdownEvent(Scrapers);
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var problems = new System.Collections.Concurrent.ConcurrentBag<string>();
        var pagesWithProbeDown = 0;
        async Task ScrapeAsync(int scraper, int request)
        {
            try
            {
                using var response = await http.GetAsync(metrics);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    problems.Add($"scraper {scraper} request {request}: {(int)response.StatusCode}");
                    return;
                }

                var page = MetricsPage.Parse(body);
                var up = page.Value(ProbeUp, ("probe", "tcp_connects"));
                if (up is null)
                {
                    problems.Add($"scraper {scraper} request {request}: no {ProbeUp}{{probe=\"tcp_connects\"}} in a page of {body.Length} chars");
                }
                else if (up == 0)
                {
                    Interlocked.Increment(ref pagesWithProbeDown);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException)
            {
                problems.Add($"scraper {scraper} request {request}: {e.GetType().Name}: {e.Message}");
            }
        }

        var scrapers = Enumerable.Range(0, Scrapers).Select(scraper => Task.Run(async () =>
        {
            for (var request = 0; request < RequestsBeforeKill; request++)
            {
                await ScrapeAsync(scraper, request);
            }

            firstHalfDone.Signal();
            await killed.Task;
            for (var request = RequestsBeforeKill; request < RequestsBeforeKill + RequestsAfterKill; request++)
            {
                await ScrapeAsync(scraper, request);
            }
        })).ToList();

        await Task.Run(() => firstHalfDone.Wait(TimeSpan.FromSeconds(120)));
        UnixSignal.Send(bpftrace.Pid, UnixSignal.SigKill);
        killed.SetResult();
        await Task.WhenAll(scrapers).WaitAsync(TimeSpan.FromSeconds(180));

        var restarted = await Poll.UntilAsync(
            daemon.ScrapePageAsync,
            p => p.Value(ProbeUp, ("probe", "tcp_connects")) == 1 && p.Counter(Restarts, ("probe", "tcp_connects")) >= 1,
            TimeSpan.FromSeconds(30));
        var message = FailureReport.Describe(
            $"expected all {Scrapers * (RequestsBeforeKill + RequestsAfterKill)} scrapes to return 200 with {ProbeUp}, and bpftrace back afterwards",
            daemon,
            restarted,
            [ProbeUp, Restarts],
            $"problems ({problems.Count}): [{string.Join("; ", problems.Take(20))}]",
            $"pages showing the probe down during the restart: {pagesWithProbeDown}");
        Assert.True(problems.IsEmpty, message);
        Assert.True(restarted.Value(ProbeUp, ("probe", "tcp_connects")) == 1 && restarted.Counter(Restarts, ("probe", "tcp_connects")) >= 1, message);
    }
}
