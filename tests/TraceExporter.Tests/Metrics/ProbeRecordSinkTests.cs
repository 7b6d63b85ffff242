using TraceExporter.Configuration;
using TraceExporter.Metrics;
using TraceExporter.Probes;

namespace TraceExporter.Tests.Metrics;

/// <summary>Probes end to end without the kernel: recorded bpftrace lines → parser → record sink → exposition text.</summary>
public sealed class ProbeRecordSinkTests
{
    [Theory]
    [InlineData("0.17.0")]
    [InlineData("0.23.2")]
    [InlineData("0.27.1")]
    public void Histograms_have_cumulative_le_buckets_an_Inf_bucket_equal_to_count_and_the_true_sum(string version)
    {
        var output = Probe("""
            - { map: "@h", name: t_values, help: Values., type: histogram, sum_map: "@hs", update: cumulative }
            """, "BEGIN { @h = hist(1); @hs = sum(1); }");
        output.Feed([.. File.ReadAllLines(Fixture.PathOf(version, "hist_lhist.jsonl")), "{\"type\": \"map\", \"data\": {\"@hs\": 5000001002}}"]);

        var buckets = output.Samples("t_values_bucket");
        Assert.Equal(5, buckets[^1].Value); // hist(-1), hist(0), hist(3), hist(1000), hist(5000000000)
        Assert.Equal("+Inf", buckets[^1].Le);
        Assert.Equal(buckets[^1].Value, output.Samples("t_values_count").Single().Value);
        Assert.Equal(5000001002, output.Samples("t_values_sum").Single().Value);
        for (var i = 1; i < buckets.Count; i++)
        {
            Assert.True(buckets[i].Value >= buckets[i - 1].Value, $"bucket le={buckets[i].Le} decreased:\n{output.Page}");
        }

        Assert.Contains("t_values_bucket{le=\"-1\"} 1\n", output.Page, StringComparison.Ordinal);
        Assert.Contains("t_values_bucket{le=\"0\"} 2\n", output.Page, StringComparison.Ordinal);
        Assert.Contains("t_values_bucket{le=\"3\"} 3\n", output.Page, StringComparison.Ordinal);
    }

    [Fact]
    public void Prints_of_both_copies_of_a_delta_map_add_up_and_cumulative_totals_continue_across_restarts()
    {
        var output = Probe("""
            - { map: "@c", name: t_cumulative_total, help: C., labels: [{ name: k, kind: number }], update: cumulative }
            - { map: "@d", name: t_delta_total, help: D., labels: [{ name: k, kind: number }] }
            """, "BEGIN { @c[1] = count(); @d[1] = count(); }");
        output.FeedMap("@c", "\"1\": 5");
        output.FeedMap("@d_te0", "\"1\": 5");
        output.FeedMap("@d_te1", "\"1\": 2");
        output.Restart();
        // The new process has already counted past the old total: all of it is new.
        output.FeedMap("@c", "\"1\": 7");
        output.FeedMap("@d_te0", "\"1\": 7");

        Assert.Contains("t_cumulative_total{k=\"1\"} 12\n", output.Page, StringComparison.Ordinal);
        Assert.Contains("t_delta_total{k=\"1\"} 14\n", output.Page, StringComparison.Ordinal);
    }

    [Fact]
    public void Ten_times_the_limit_in_label_sets_leaves_the_limit_plus_one_series_whose_sum_is_every_event()
    {
        var output = Probe("""
            - { map: "@m", name: t_keys_total, help: K., labels: [{ name: k, kind: number }], series_limit: 10 }
            """, "BEGIN { @m[1] = count(); }");
        var entries = string.Join(", ", Enumerable.Range(0, 110).Select(i => $"\"{i}\": 1"));
        output.FeedMap("@m_te0", entries);
        output.FeedMap("@m_te1", entries); // the next interval: the same keys again

        var samples = output.Samples("t_keys_total");
        Assert.Equal(11, samples.Count);
        Assert.Equal(200, samples.Single(s => s.Labels.Contains(MetricFamily.Overflow, StringComparison.Ordinal)).Value);
        Assert.Equal(220, output.Sum("t_keys_total"));
        Assert.Equal(200, output.Self.SeriesDropped.WithLabels("t", "t_keys_total").Value);
    }

    [Fact]
    public void A_cumulative_map_past_its_limit_keeps_an_exact_overflow_total_without_remembering_its_keys()
    {
        var output = Probe("""
            - { map: "@m", name: t_keys_total, help: K., labels: [{ name: k, kind: number }], series_limit: 2, update: cumulative }
            """, "BEGIN { @m[1] = count(); }");
        output.FeedMap("@m", "\"1\": 1, \"2\": 1, \"3\": 4, \"4\": 5");
        output.FeedMap("@m", "\"1\": 1, \"2\": 1, \"3\": 6, \"4\": 5, \"5\": 1");

        Assert.Equal(12, output.Samples("t_keys_total").Single(s => s.Labels.Contains(MetricFamily.Overflow, StringComparison.Ordinal)).Value);
        Assert.Equal(3, output.Families.Find("t_keys_total")!.SeriesCount);
    }

    [Fact]
    public void A_hundred_thousand_label_sets_cost_no_more_series_than_the_limit()
    {
        var output = Probe("""
            - { map: "@m", name: t_keys_total, help: K., labels: [{ name: k, kind: number }], series_limit: 1000 }
            """, "BEGIN { @m[1] = count(); }");
        for (var batch = 0; batch < 100; batch++)
        {
            output.FeedMap(batch % 2 == 0 ? "@m_te0" : "@m_te1", string.Join(", ", Enumerable.Range(batch * 1000, 1000).Select(i => $"\"{i}\": 1")));
        }

        Assert.Equal(1001, output.Families.Find("t_keys_total")!.SeriesCount);
        Assert.Equal(100_000, output.Sum("t_keys_total"));
    }

    [Fact]
    public void Stats_become_a_summary_with_count_and_sum()
    {
        var output = Probe("""
            - { map: "@s", name: t_sizes_bytes, help: S., type: summary, update: cumulative }
            """, "BEGIN { @s = stats(5); }");
        output.Feed(File.ReadAllLines(Fixture.PathOf("0.27.1", "stats_avg_minmax.jsonl")));

        Assert.Contains("# TYPE t_sizes_bytes summary\n", output.Page, StringComparison.Ordinal);
        Assert.Contains("t_sizes_bytes_sum 12\n", output.Page, StringComparison.Ordinal);
        Assert.Contains("t_sizes_bytes_count 2\n", output.Page, StringComparison.Ordinal);
    }

    [Fact]
    public void Line_mode_counts_matching_lines_by_their_groups_and_counts_the_rest_as_unmatched()
    {
        var output = ProbeOutput.FromConfig("""
            probes:
              - name: t
                program: 'tracepoint:sched:sched_process_exec { printf("exec %s\n", comm); }'
                lines:
                  - { regex: '^exec (?<comm>\S+)$', name: t_execs_total, help: E. }
            """);
        output.Feed("{\"type\": \"printf\", \"data\": \"exec curl\\n\"}", "{\"type\": \"printf\", \"data\": \"exec curl\\n\"}", "{\"type\": \"printf\", \"data\": \"exec nc\\n\"}", "{\"type\": \"printf\", \"data\": \"something else\\n\"}");

        Assert.Contains("t_execs_total{comm=\"curl\"} 2\n", output.Page, StringComparison.Ordinal);
        Assert.Contains("t_execs_total{comm=\"nc\"} 1\n", output.Page, StringComparison.Ordinal);
        Assert.Equal(1, output.Self.UnmatchedLines.WithLabels("t").Value);
    }

    [Fact]
    public void A_line_the_regex_cannot_match_in_time_is_an_unmatched_line_not_a_crash()
    {
        var output = ProbeOutput.FromConfig("""
            probes:
              - name: redos
                program: 'tracepoint:sched:sched_process_exec { printf("%s\n", comm); }'
                lines:
                  - { regex: '^(\w+\s?)*$', name: t_words_total, help: W. }
            """);
        output.Feed($"{{\"type\": \"printf\", \"data\": \"{new string('a', 65)}!\\n\"}}", "{\"type\": \"printf\", \"data\": \"fine words\\n\"}");

        Assert.Equal(1, output.Self.UnmatchedLines.WithLabels("redos").Value);
        Assert.Equal(1, output.Sum("t_words_total"));
    }

    [Fact]
    public void A_failed_update_of_a_full_count_map_counts_the_event_in_the_overflow_series()
    {
        var output = Probe("""
            - { map: "@m", name: t_events_total, help: E., labels: [{ name: pid, kind: number }] }
            """, "tracepoint:sched:sched_process_exec { @m[pid] = count(); }");
        var line = WriteLine(output, "@m_te1");
        output.FeedMap("@m_te0", "\"1\": 3, \"2\": 4");
        output.Feed(HelperError(line), HelperError(line), HelperError(line + 100));

        Assert.Equal(9, output.Sum("t_events_total"));
        Assert.Equal(2, output.Samples("t_events_total").Single(s => s.Labels.Contains(MetricFamily.Overflow, StringComparison.Ordinal)).Value);
        Assert.Equal(2, output.Self.MapUpdatesFailed.WithLabels("t", "@m").Value);
        Assert.Equal(1, output.Self.RuntimeErrors.WithLabels("t").Value); // a line that writes no metric map
    }

    [Fact]
    public void A_failed_update_of_a_full_sum_map_is_counted_but_adds_no_amount_it_cannot_know()
    {
        var output = Probe("""
            - { map: "@b", name: t_bytes_total, help: B., labels: [{ name: pid, kind: number }] }
            """, "tracepoint:sock:sock_recv_length { @b[pid] = sum(args->ret); }");
        var line = WriteLine(output, "@b_te0");
        output.FeedMap("@b_te0", "\"1\": 300");
        output.Feed(HelperError(line));

        Assert.Equal(300, output.Sum("t_bytes_total"));
        Assert.Equal(1, output.Self.MapUpdatesFailed.WithLabels("t", "@b").Value);
    }

    [Fact]
    public void A_drain_sets_each_delta_maps_peak_entries_of_the_last_minute_and_one_reported_too_late_is_counted()
    {
        var output = Probe("""
            - { map: "@a", name: t_a_total, help: A., labels: [{ name: k, kind: number }] }
            - { map: "@b", name: t_b_total, help: B., labels: [{ name: k, kind: number }] }
            """, "tracepoint:x:y { @a[1] = count(); @b[2] = count(); }");
        output.FeedMap("@a_te1", "\"1\": 1, \"2\": 1, \"3\": 1");
        output.FeedDrained(TimeSpan.FromMilliseconds(20));

        Assert.Equal(3, output.Self.MapEntries.WithLabels("t", "@a").Value);
        Assert.Equal(0, output.Self.MapEntries.WithLabels("t", "@b").Value);
        Assert.Equal(BpftraceSettings.DefaultMaxMapKeys, output.Self.MapMaxEntries.WithLabels("t", "@a").Value);
        Assert.Equal(0, output.Self.DrainsLate.WithLabels("t").Value);

        output.FeedDrained(TimeSpan.FromSeconds(3)); // half of the 5 s interval has passed: writes were back
        Assert.Equal(1, output.Self.DrainsLate.WithLabels("t").Value);
        Assert.Equal(3, output.Self.MapEntries.WithLabels("t", "@a").Value); // the peak of the last minute

        output.Time.Advance(TimeSpan.FromSeconds(61));
        output.FeedDrained();
        Assert.Equal(0, output.Self.MapEntries.WithLabels("t", "@a").Value);
    }

    [Fact]
    public void A_series_unchanged_for_its_ttl_is_removed_and_one_that_changes_stays()
    {
        var output = Probe("""
            - { map: "@m", name: t_keys_total, help: K., labels: [{ name: k, kind: number }], series_ttl: 1m }
            """, "BEGIN { @m[1] = count(); }");
        output.FeedMap("@m_te0", "\"1\": 1, \"2\": 1");
        output.Time.Advance(TimeSpan.FromSeconds(40));
        output.FeedMap("@m_te1", "\"2\": 1");
        output.Time.Advance(TimeSpan.FromSeconds(40));
        output.FeedMap("@m_te0", "\"3\": 1");

        Assert.Equal(["{k=\"2\"}", "{k=\"3\"}"], output.Samples("t_keys_total").Select(s => s.Labels));
        output.FeedMap("@m_te1", "\"1\": 5"); // it comes back: a new series from what it counts now
        Assert.Equal(5, output.Samples("t_keys_total").Single(s => s.Labels == "{k=\"1\"}").Value);
    }

    [Fact]
    public void Built_in_metrics_are_the_same_model_ephemeral_ports_fold_into_one_series_and_no_device_is_unknown()
    {
        var accepts = BuiltinCatalogue.Metric(new BuiltinProbeConfig { Name = BuiltinCatalogue.TcpAccepts });
        var retransmits = BuiltinCatalogue.Metric(new BuiltinProbeConfig { Name = BuiltinCatalogue.TcpRetransmits });
        var output = ProbeOutput.FromMembers(
            [
                new ProbePlan { Name = "tcp_accepts", Source = ProbePlan.BuiltinSource, Program = "tracepoint:x:y { @tcp_accepts[(uint64)1] = count(); }", Metrics = [accepts] },
                new ProbePlan { Name = "tcp_retransmits", Source = ProbePlan.BuiltinSource, Program = "tracepoint:x:z { @tcp_retransmits[1, 2] = sum(1); }", Metrics = [retransmits] },
            ],
            ephemeralRange: "32768\t60999\n");
        output.FeedMap("@tcp_accepts_te0", "\"22\": 2, \"40000\": 3, \"50000\": 4");
        output.FeedMap("@tcp_retransmits_te0", "\"28524,0\": 5, \"0,0\": 1");

        Assert.Contains("trace_tcp_accepts_total{port=\"22\"} 2\n", output.Page, StringComparison.Ordinal);
        Assert.Contains("trace_tcp_accepts_total{port=\"ephemeral\"} 7\n", output.Page, StringComparison.Ordinal);
        Assert.Contains("trace_tcp_retransmits_total{interface=\"lo\"} 5\n", output.Page, StringComparison.Ordinal);
        Assert.Contains("trace_tcp_retransmits_total{interface=\"unknown\"} 1\n", output.Page, StringComparison.Ordinal);
    }

    private static ProbeOutput Probe(string metricsYaml, string program)
    {
        var yaml = $"probes:\n  - name: t\n    program: '{program}'\n    metrics:\n" + string.Join('\n', metricsYaml.Split('\n').Select(l => "      " + l)) + "\n";
        return ProbeOutput.FromConfig(yaml);
    }

    /// <summary>The line of the assembled program that writes <paramref name="copy"/>.</summary>
    private static int WriteLine(ProbeOutput output, string copy) =>
        output.Program.Text.Split('\n').Select((text, index) => (text, index)).First(l => l.text.TrimStart().StartsWith(copy + "[", StringComparison.Ordinal)).index + 1;

    private static string HelperError(int line) =>
        $"{{\"type\": \"helper_error\", \"msg\": \"Map full; can't update element. Try increasing max_map_keys config\", \"helper\": \"map_update_elem\", \"retcode\": -7, \"line\": {line}, \"col\": 13}}";
}
