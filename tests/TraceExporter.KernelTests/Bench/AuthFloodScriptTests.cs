using Xunit;

namespace TraceExporter.KernelTests.Bench;

/// <summary>
/// bench/auth-flood.sh in short mode (15 s; the full run is 60 s, see bench/README.md): 200 connections of
/// wrong basic-auth passwords, each never sent before, against the daemon built beside these tests. The script
/// itself fails when a correct scrape's p99 is 1 s or more, one fails, or bpftrace lost an event.
/// </summary>
public sealed class AuthFloodScriptTests
{
    [SkippableFact]
    public async Task A_correct_scrape_stays_under_a_second_and_no_event_is_lost_during_a_flood_of_wrong_passwords()
    {
        BenchScript.RequireTool("wrk", "scripts/setup installs it");

        var output = await BenchScript.RunShortAsync("auth-flood.sh", TimeSpan.FromMinutes(3));

        Assert.Matches(@"(?m)^correct scrapes: \d+, p50 [\d.]+s, p99 0\.\d+s, max [\d.]+s; failed 0$", output);
        Assert.Matches(@"(?m)^lost events: flood_ticks (\d+) -> \1, builtin (\d+) -> \2$", output);
        Assert.Matches(@"trace_exporter_web_auth_refused_total\{reason=""(busy|wrong)""\} \d+", output);
    }
}
