using System.Globalization;
using System.Text;
using Prometheus;
using TraceExporter.Configuration;
using TraceExporter.Metrics;
using TraceExporter.Parsing;
using TraceExporter.Probes;

namespace TraceExporter.Tests.Metrics;

/// <summary>User probes end to end without the kernel: recorded bpftrace lines → parser → probe member → exposition text.</summary>
public sealed class UserMetricFamilyTests
{
    private readonly UserMetricSet _metrics = new();
    private readonly SelfMetrics _self = new(Prometheus.Metrics.NewCustomRegistry());

    [Theory]
    [InlineData("0.17.0")]
    [InlineData("0.23.2")]
    [InlineData("0.27.1")]
    public void Histograms_have_cumulative_le_buckets_an_Inf_bucket_equal_to_count_and_the_true_sum(string version)
    {
        var member = Member("""
            - { map: "@h", name: t_values, help: Values., type: histogram, sum_map: "@hs" }
            """, "BEGIN { @h = hist(1); @hs = sum(1); }");
        var sink = new ProbeGroupSink("t", [member], _self, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var parser = new BpftraceJsonParser();
        foreach (var line in File.ReadAllLines(Fixture.PathOf(version, "hist_lhist.jsonl")).Append("{\"type\": \"map\", \"data\": {\"@hs\": 5000001002}}"))
        {
            parser.Parse(Encoding.UTF8.GetBytes(line), sink);
        }

        var page = _metrics.Render();
        var buckets = Samples(page, "t_values_bucket");
        Assert.Equal(5, buckets[^1].Value); // hist(-1), hist(0), hist(3), hist(1000), hist(5000000000)
        Assert.Equal("+Inf", buckets[^1].Le);
        Assert.Equal(buckets[^1].Value, Samples(page, "t_values_count").Single().Value);
        Assert.Equal(5000001002, Samples(page, "t_values_sum").Single().Value);
        for (var i = 1; i < buckets.Count; i++)
        {
            Assert.True(buckets[i].Value >= buckets[i - 1].Value, $"bucket le={buckets[i].Le} decreased:\n{page}");
        }

        Assert.Contains("t_values_bucket{le=\"-1\"} 1\n", page, StringComparison.Ordinal);
        Assert.Contains("t_values_bucket{le=\"0\"} 2\n", page, StringComparison.Ordinal);
        Assert.Contains("t_values_bucket{le=\"3\"} 3\n", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Counters_continue_across_bpftrace_restarts_and_delta_maps_add_up()
    {
        var member = Member("""
            - { map: "@c", name: t_cumulative_total, help: C., labels: [{ name: k, kind: number }] }
            - { map: "@d", name: t_delta_total, help: D., labels: [{ name: k, kind: number }], update: delta }
            """, "BEGIN { @c[1] = count(); @d[1] = count(); }");
        Feed(member, "{\"type\": \"map\", \"data\": {\"@c\": {\"1\": 5}}}", "{\"type\": \"map\", \"data\": {\"@d\": {\"1\": 5}}}");
        member.StartGeneration();
        // The new process has already counted past the old total: all of it is new.
        Feed(member, "{\"type\": \"map\", \"data\": {\"@c\": {\"1\": 7}}}", "{\"type\": \"map\", \"data\": {\"@d\": {\"1\": 7}}}");

        var page = _metrics.Render();
        Assert.Contains("t_cumulative_total{k=\"1\"} 12\n", page, StringComparison.Ordinal);
        Assert.Contains("t_delta_total{k=\"1\"} 12\n", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Ten_times_the_limit_in_label_sets_leaves_the_limit_plus_one_series_and_counts_the_rest()
    {
        var member = Member("""
            - { map: "@m", name: t_keys_total, help: K., labels: [{ name: k, kind: number }], series_limit: 10 }
            """, "BEGIN { @m[1] = count(); }");
        var entries = string.Join(", ", Enumerable.Range(0, 110).Select(i => $"\"{i}\": 1"));
        Feed(member, $"{{\"type\": \"map\", \"data\": {{\"@m\": {{{entries}}}}}}}");
        Feed(member, $"{{\"type\": \"map\", \"data\": {{\"@m\": {{{entries}}}}}}}"); // the same keys again count no more

        var samples = Samples(_metrics.Render(), "t_keys_total");
        Assert.Equal(11, samples.Count);
        Assert.Equal(100, samples.Single(s => s.Labels.Contains(UserMetricFamily.Overflow, StringComparison.Ordinal)).Value);
        Assert.Equal(100, _self.SeriesDropped.WithLabels("t", "t_keys_total").Value);
    }

    [Fact]
    public void Stats_become_a_summary_with_count_and_sum()
    {
        var member = Member("""
            - { map: "@s", name: t_sizes_bytes, help: S., type: summary }
            """, "BEGIN { @s = stats(5); }");
        Feed(member, File.ReadAllLines(Fixture.PathOf("0.27.1", "stats_avg_minmax.jsonl")));

        var page = _metrics.Render();
        Assert.Contains("# TYPE t_sizes_bytes summary\n", page, StringComparison.Ordinal);
        Assert.Contains("t_sizes_bytes_sum 12\n", page, StringComparison.Ordinal);
        Assert.Contains("t_sizes_bytes_count 2\n", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Line_mode_counts_matching_lines_by_their_groups_and_counts_the_rest_as_unmatched()
    {
        var config = ConfigLoader.Parse("""
            probes:
              - name: t
                program: 'tracepoint:sched:sched_process_exec { printf("exec %s\n", comm); }'
                lines:
                  - { regex: '^exec (?<comm>\S+)$', name: t_execs_total, help: E. }
            """, "t.yaml");
        var member = new UserProbeMember(config.Probes[0], config.Probes[0].Program, _metrics, _self, null, new Version(0, 17, 0));
        Feed(member, "{\"type\": \"printf\", \"data\": \"exec curl\\n\"}", "{\"type\": \"printf\", \"data\": \"exec curl\\n\"}", "{\"type\": \"printf\", \"data\": \"exec nc\\n\"}", "{\"type\": \"printf\", \"data\": \"something else\\n\"}");

        var page = _metrics.Render();
        Assert.Contains("t_execs_total{comm=\"curl\"} 2\n", page, StringComparison.Ordinal);
        Assert.Contains("t_execs_total{comm=\"nc\"} 1\n", page, StringComparison.Ordinal);
        Assert.Equal(1, _self.UnmatchedLines.WithLabels("t").Value);
    }

    private UserProbeMember Member(string metricsYaml, string program)
    {
        var yaml = $"probes:\n  - name: t\n    program: '{program}'\n    metrics:\n" + string.Join('\n', metricsYaml.Split('\n').Select(l => "      " + l)) + "\n";
        var config = ConfigLoader.Parse(yaml, "t.yaml");
        return new UserProbeMember(config.Probes[0], config.Probes[0].Program, _metrics, _self, null, new Version(0, 17, 0));
    }

    private void Feed(ProbeMember member, params string[] lines)
    {
        var sink = new ProbeGroupSink("t", [member], _self, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var parser = new BpftraceJsonParser();
        foreach (var line in lines)
        {
            parser.Parse(Encoding.UTF8.GetBytes(line), sink);
        }
    }

    private static List<(string Labels, string? Le, double Value)> Samples(string page, string name) =>
        page.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(l =>
            {
                var space = l.LastIndexOf(' ');
                var labels = l[name.Length..space];
                var le = labels.Contains("le=\"", StringComparison.Ordinal) ? labels[(labels.IndexOf("le=\"", StringComparison.Ordinal) + 4)..labels.LastIndexOf('"')] : null;
                return (labels, le, double.Parse(l[(space + 1)..], CultureInfo.InvariantCulture));
            })
            .ToList();
}
