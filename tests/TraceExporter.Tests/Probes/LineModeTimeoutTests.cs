using System.Text;
using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Metrics;
using TraceExporter.Probes;

namespace TraceExporter.Tests.Probes;

/// <summary>A line-mode rule that cannot be matched in time is an unmatched line, never an exception out of the probe.</summary>
public sealed class LineModeTimeoutTests
{
    private const string Catastrophic = @"^(\w+\s?)*$";

    [Fact]
    public void A_line_that_would_backtrack_for_ever_is_an_unmatched_line_and_the_probe_goes_on()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var self = new SelfMetrics(registry);
        var config = ConfigLoader.Parse(
            "probes:\n  - name: p\n    program: 'BEGIN { printf(\"x\\n\"); }'\n    lines:\n" +
            $"      - {{ regex: '{Catastrophic}', name: p_lines_total, help: h }}\n",
            "cfg.yaml").Probes.Single();
        var member = new UserProbeMember(config, config.Program, new UserMetricSet(), self, null, new Version(0, 17));

        member.OnPrintf(Encoding.UTF8.GetBytes(new string('a', 65) + "!\n"));
        member.OnPrintf(Encoding.UTF8.GetBytes("hello world\n"));

        Assert.Equal(1, self.UnmatchedLines.WithLabels("p").Value);
    }
}
