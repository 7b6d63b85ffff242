using TraceExporter.Configuration;

namespace TraceExporter.Tests.Configuration;

/// <summary>Names that would make Prometheus reject or mis-read the whole page are refused where they are written.</summary>
public sealed class NameValidationTests
{
    private const string Program =
        "    program: |\n" +
        "      tracepoint:sched:sched_process_exec { @execs[pid] = count(); @lat[pid] = hist(5); @lat_sum[pid] = sum(5); @s[pid] = stats(3); }\n";

    private static string Metric(string metric) => "probes:\n  - name: p\n" + Program + "    metrics:\n" + metric;

    public static TheoryData<string, string> Cases => new()
    {
        // A block scalar ends in a newline, which '$' lets through.
        { Metric("      - map: \"@execs\"\n        help: h\n        name: |\n          p_execs_total\n"), "cfg.yaml:8:15: 'p_execs_total\\n' is not a valid Prometheus metric name" },
        { Metric("      - map: \"@execs\"\n        help: h\n        name: p_execs_total\n        labels:\n          - name: |\n              pid\n"), "cfg.yaml:10:19: 'pid\\n' is not a valid Prometheus label name" },
        { "probes:\n  - name: |\n      p\n" + Program + "    metrics: [{ map: \"@execs\", name: p_total, help: h }]\n", "cfg.yaml:2:11: probe name 'p\\n' must be lowercase" },
        { Metric("      - map: |\n          @execs\n        help: h\n        name: p_total\n"), "cfg.yaml:6:14: map '@execs\\n' is not a bpftrace map name" },
        { "probes:\n  - kind: strace\n    name: |\n      s\n    target: { pid: 1 }\n", "probe name 's\\n' must be lowercase" },
        // Reserved label names of histograms and summaries.
        { Metric("      - { map: \"@lat\", name: p_latency_seconds, help: h, type: histogram, sum_map: \"@lat_sum\", labels: [{ name: le }] }\n"), "cfg.yaml:6:113: label 'le' is reserved in a histogram" },
        { Metric("      - { map: \"@s\", name: p_sizes_bytes, help: h, type: summary, labels: [{ name: quantile }] }\n"), "cfg.yaml:6:84: label 'quantile' is reserved in a summary" },
        // Names of the process metrics and of the exporter's own.
        { Metric("      - { map: \"@execs\", name: process_cpu_seconds_total, help: h }\n"), "cfg.yaml:6:32: metric name 'process_cpu_seconds_total' starts with process_" },
        { Metric("      - { map: \"@execs\", name: dotnet_collection_count_total, help: h }\n"), "cfg.yaml:6:32: metric name 'dotnet_collection_count_total' starts with dotnet_" },
        { Metric("      - { map: \"@execs\", name: trace_exporter_my_total, help: h }\n"), "cfg.yaml:6:32: metric name 'trace_exporter_my_total' starts with trace_exporter_" },
        { "probes:\n  - name: p\n" + Program + "    lines:\n      - { regex: '^x$', name: process_lines_total, help: h }\n", "cfg.yaml:6:31: metric name 'process_lines_total' starts with process_" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_name_that_breaks_the_page_is_refused_with_file_line_column(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "cfg.yaml"));

        Assert.Contains(e.Errors, error => error.ToString().Replace("\n", "\\n", StringComparison.Ordinal).Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Le_and_quantile_stay_allowed_on_counters()
    {
        var config = ConfigLoader.Parse(Metric("      - { map: \"@execs\", name: p_total, help: h, labels: [{ name: le }] }\n"), "cfg.yaml");

        Assert.Equal("le", Assert.Single(Assert.Single(config.Probes).Metrics[0].Labels).Name);
    }
}
