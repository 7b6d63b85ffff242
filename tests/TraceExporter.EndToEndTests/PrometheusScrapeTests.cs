using System.Text.Json;
using TraceExporter.EndToEndTests.Infrastructure;
using Xunit;

namespace TraceExporter.EndToEndTests;

/// <summary>The daemon as Prometheus and Grafana see it: scraped by a real Prometheus while real traffic runs.</summary>
public sealed class PrometheusScrapeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task Prometheus_sees_the_daemon_up_every_probe_up_retransmits_under_nft_drops_and_data_for_every_dashboard_query()
    {
        EndToEndPrerequisites.Require();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await using var daemon = await DaemonUnderTest.StartHealthyAsync(http);
        var directory = PrometheusServer.NewDirectory();
        await using var prometheus = await PrometheusServer.StartAsync(directory,
            $"""
                static_configs:
                  - targets: ["{daemon.Target}"]

            """);
        await using var traffic = await DroppingNamespace.StartAsync(TimeSpan.FromSeconds(90));
        string Logs() => daemon.Output;

        await PrometheusAssert.EventuallyAsync(prometheus, "up{job=\"trace-exporter\"} == 1", r => r.Count == 1, Deadline, Logs);

        var probes = await PrometheusAssert.EventuallyAsync(prometheus, "trace_exporter_probe_up",
            r => r.Count == DaemonUnderTest.AllProbes.Length && r.All(s => s.Value == 1), Deadline, Logs);
        Assert.Equal(DaemonUnderTest.AllProbes.Order(StringComparer.Ordinal), probes.Select(p => p.Labels["probe"]).Order(StringComparer.Ordinal));

        var retransmits = await PrometheusAssert.EventuallyAsync(prometheus, "sum(rate(trace_tcp_retransmits_total[1m]))",
            r => r.Count == 1 && r[0].Value > 0, Deadline, Logs);
        Assert.True(retransmits[0].Value > 0);

        // Grafana's $__rate_interval for a 1 s scrape interval is a few seconds; 15s leaves room for a late sample.
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(RepositoryLayout.Deploy("grafana", "trace-exporter.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)
            .ToList();
        Assert.NotEmpty(expressions);
        foreach (var expression in expressions)
        {
            // Every other variable (instance, unit, pod_uid) as "All" does: .*, which matches a label the series lacks too.
            var query = System.Text.RegularExpressions.Regex.Replace(expression.Replace("$__rate_interval", "15s", StringComparison.Ordinal), @"\$[a-z_]+", ".*");
            await PrometheusAssert.EventuallyAsync(prometheus, query, r => r.Count > 0, Deadline, Logs);
        }
    }

    [SkippableFact]
    public async Task Promtool_check_metrics_finds_nothing_on_the_live_page()
    {
        EndToEndPrerequisites.Require();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await using var daemon = await DaemonUnderTest.StartHealthyAsync(http);
        var page = await http.GetStringAsync(new Uri(daemon.BaseAddress, "metrics"));
        Assert.Contains("trace_exporter_probe_up{probe=\"tcp_retransmits\"} 1", page, StringComparison.Ordinal);

        var report = await ChildProcess.RunAsync("promtool", ["check", "metrics"], page);
        Assert.True(report.Trim().Length == 0, $"promtool check metrics:\n{report}");
    }
}
