using TraceExporter.EndToEndTests.Infrastructure;
using Xunit;

namespace TraceExporter.EndToEndTests;

/// <summary>deploy/prometheus as promtool reads it: valid rules and configuration, and the unit tests of every alert and recording rule pass.</summary>
public sealed class AlertRuleTests
{
    [SkippableFact]
    public async Task Promtool_accepts_the_rules_and_the_scrape_configuration()
    {
        EndToEndPrerequisites.Require("promtool");
        var rules = await ChildProcess.RunAsync("promtool", ["check", "rules", RepositoryLayout.Deploy("prometheus", "trace-exporter.rules.yml")]);
        Assert.Contains("SUCCESS: 12 rules found", rules, StringComparison.Ordinal); // 9 alerts, 3 recording rules (pods)
        await ChildProcess.RunAsync("promtool", ["check", "config", RepositoryLayout.Deploy("prometheus", "prometheus.yml")]);
    }

    [SkippableFact]
    public async Task Promtool_unit_tests_of_every_alert_pass()
    {
        EndToEndPrerequisites.Require("promtool");
        var output = await ChildProcess.RunAsync("promtool", ["test", "rules", RepositoryLayout.Deploy("prometheus", "trace-exporter.rules.test.yml")]);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);

        // Every alert in the rules has a test group of its own.
        var rules = await File.ReadAllTextAsync(RepositoryLayout.Deploy("prometheus", "trace-exporter.rules.yml"));
        var tests = await File.ReadAllTextAsync(RepositoryLayout.Deploy("prometheus", "trace-exporter.rules.test.yml"));
        var alerts = rules.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("- alert: ", StringComparison.Ordinal)).Select(l => l["- alert: ".Length..]).ToList();
        Assert.Equal(9, alerts.Count);
        Assert.All(alerts, alert => Assert.Contains($"alertname: {alert}", tests, StringComparison.Ordinal));

        // Every recording rule's result is checked by an expression test.
        var records = rules.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("- record: ", StringComparison.Ordinal)).Select(l => l["- record: ".Length..]).ToList();
        Assert.Equal(3, records.Count);
        Assert.All(records, record => Assert.Contains($"- expr: {record}\n", tests, StringComparison.Ordinal));
    }
}
