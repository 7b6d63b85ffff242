using System.Net;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Lifecycle;

public sealed class HealthTests
{
    private const string ProbeUp = "trace_exporter_probe_up";

    [SkippableFact]
    public async Task Healthz_turns_200_once_every_probe_is_attached_and_every_probe_up_gauge_is_one()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartAsync();
        var statuses = new List<HttpStatusCode>();
        var healthy = await Poll.UntilAsync(
            async () =>
            {
                using var response = await daemon.TryGetAsync("healthz");
                if (response is not null && (statuses.Count == 0 || statuses[^1] != response.StatusCode))
                {
                    statuses.Add(response.StatusCode);
                }

                return response?.StatusCode == HttpStatusCode.OK || daemon.HasExited;
            },
            TimeSpan.FromSeconds(90));
        Assert.True(healthy && !daemon.HasExited, FailureReport.Describe(
            "expected /healthz to return 200 within 90 s", daemon, null, [], $"statuses seen: [{string.Join(", ", statuses)}]"));
        // Before 200 the only honest answer is 503.
        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));

        var page = await daemon.ScrapePageAsync();
        var up = page.Named(ProbeUp);
        var message = FailureReport.Describe(
            $"expected {ProbeUp} == 1 for exactly the probes {string.Join(", ", DaemonProcess.AllProbes)}",
            daemon,
            page,
            [ProbeUp]);
        Assert.True(
            up.Select(s => s.Labels.GetValueOrDefault("probe")).Order(StringComparer.Ordinal)
                .SequenceEqual(DaemonProcess.AllProbes.Order(StringComparer.Ordinal)),
            message);
        Assert.True(up.All(s => s.Value == 1), message);
    }

    [SkippableFact]
    public async Task The_landing_page_is_html_links_to_metrics_and_says_what_each_builtin_attaches_to()
    {
        KernelPrerequisites.Require();
        await using var daemon = await DaemonProcess.StartHealthyAsync();
        using var response = await daemon.TryGetAsync("");
        Assert.NotNull(response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(
            response.StatusCode == HttpStatusCode.OK
                && response.Content.Headers.ContentType?.MediaType == "text/html"
                && body.Contains("/metrics", StringComparison.Ordinal),
            FailureReport.Describe("expected GET / to be an HTML page linking /metrics", daemon, null, [],
                $"status {(int)response.StatusCode}, content type {response.Content.Headers.ContentType}", body));

        // Typed raw tracepoints where the tests' bpftrace has them, classic tracepoints elsewhere.
        var type = AttachTypeTests.ExpectedBuiltinAttachType;
        foreach (var probe in DaemonProcess.AllProbes)
        {
            Assert.True(body.Contains($"<tr><td>{probe}</td><td>builtin</td><td>{type}</td><td>{type}:", StringComparison.Ordinal),
                FailureReport.Describe($"expected the landing page to say {probe} attaches as {type}", daemon, null, [], "", body));
        }
    }
}
