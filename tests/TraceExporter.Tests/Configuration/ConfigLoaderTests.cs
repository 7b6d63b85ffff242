using TraceExporter.Configuration;

namespace TraceExporter.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void The_shipped_default_config_enables_every_builtin_probe()
    {
        var path = Path.Combine(RepoRoot(), "config", "trace-exporter.yaml");

        var config = ConfigLoader.Load(path);

        Assert.Equal(TimeSpan.FromSeconds(5), config.Interval);
        Assert.Equal(BuiltinCatalogue.Names, config.Builtins.Select(b => b.Name));
        Assert.All(config.Builtins, b => Assert.True(b.Enabled));
    }

    [Fact]
    public void A_builtin_section_runs_only_the_probes_it_enables_each_with_its_options()
    {
        var config = ConfigLoader.Parse("""
            builtin:
              tcp_connects: true
              tcp_accepts: { ephemeral_ports: keep, series_limit: 50 }
              process_execs: { enabled: true, series_ttl: 1h }
              skb_drops: false
            bpftrace:
              max_map_keys: 20000
              attach: tracepoint
            """, "b.yaml");

        var enabled = config.Builtins.Where(b => b.Enabled).ToDictionary(b => b.Name);
        Assert.Equal(["tcp_connects", "tcp_accepts", "process_execs"], enabled.Keys);
        Assert.False(enabled["tcp_accepts"].FoldEphemeralPorts);
        Assert.Equal(50, enabled["tcp_accepts"].SeriesLimit);
        Assert.Equal(BuiltinProbeConfig.DefaultSeriesLimit, enabled["tcp_connects"].SeriesLimit);
        Assert.Equal(TimeSpan.FromHours(1), enabled["process_execs"].SeriesTtl);
        Assert.Equal(20000, config.Bpftrace.MaxMapKeys);
        Assert.Equal(BuiltinAttach.Tracepoint, config.Bpftrace.Attach);
        Assert.Equal(BuiltinAttach.Auto, ConfigLoader.Parse("interval: 5s\n", "a.yaml").Bpftrace.Attach);
        Assert.Equal(LabelKind.Number, BuiltinCatalogue.Metric(enabled["tcp_accepts"]).Labels.Single().Kind);
        Assert.Equal(LabelKind.Port, BuiltinCatalogue.Metric(config.Builtins.Single(b => b.Name == "tcp_accepts") with { FoldEphemeralPorts = true }).Labels.Single().Kind);
    }

    [Fact]
    public void A_map_the_program_only_aggregates_into_is_a_delta_map_unless_the_configuration_says_otherwise()
    {
        var config = ConfigLoader.Parse("""
            probes:
              - name: p
                program: |
                  k { @counts[pid] = count(); @last[pid] = nsecs; @kept = sum(1); }
                  k2 /@last[pid] != 0/ { @counts[tid]++; }
                metrics:
                  - { map: "@counts", name: p_counts_total, help: h, labels: [{ name: pid, kind: number }] }
                  - { map: "@last", name: p_last_seconds, help: h, type: gauge, labels: [{ name: pid, kind: number }] }
                  - { map: "@kept", name: p_kept_total, help: h, update: cumulative }
            """, "d.yaml");

        var metrics = config.Probes.Single().Metrics.ToDictionary(m => m.Map);
        Assert.Equal((MapUpdate.Delta, "count"), (metrics["@counts"].Update, metrics["@counts"].Aggregation));
        Assert.Equal(MapUpdate.Cumulative, metrics["@last"].Update); // a plain assignment, read in a predicate
        Assert.Equal(MapUpdate.Cumulative, metrics["@kept"].Update);
    }

    [Fact]
    public void An_empty_file_means_all_defaults()
    {
        var config = ConfigLoader.Parse("", "empty.yaml");

        Assert.All(config.Builtins, b => Assert.True(b.Enabled));
        Assert.Equal("bpftrace", config.Bpftrace.Path);
        Assert.Equal(BpftraceSettings.DefaultMaxMapKeys, config.Bpftrace.MaxMapKeys);
    }

    [Fact]
    public void Every_mistake_is_reported_at_once_with_file_line_and_column()
    {
        const string yaml = """
            interval: 5 seconds
            builtin:
              tcp_connects: yes
              tcp_conects: true
            bpftrace:
              path: ""
              flags: -k
            scrape: 1
            """;

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "bad.yaml"));

        Assert.Equal(
            [
                "bad.yaml:1:11: interval must be a duration such as 500ms, 5s or 1m",
                "bad.yaml:3:17: builtin.tcp_connects must be true or false",
                "bad.yaml:4:3: unknown built-in probe 'tcp_conects' (expected one of: tcp_connects, tcp_accepts, skb_drops, tcp_read_bytes, tcp_retransmits, process_execs)",
                "bad.yaml:6:9: bpftrace.path must be a non-empty string",
                "bad.yaml:7:3: unknown key 'flags' (expected one of: path, buffer_pages, max_map_keys, attach, restart_delay, restart_delay_max)",
                "bad.yaml:8:1: unknown key 'scrape' (expected one of: interval, builtin, bpftrace, cgroups, probes)",
            ],
            e.Errors.Select(error => error.ToString()));
    }

    [Theory]
    [InlineData("interval: 50ms", "between 100ms and 1h")]
    [InlineData("interval: 2h", "between 100ms and 1h")]
    [InlineData("builtin: [tcp_connects]", "builtin must be a mapping")]
    [InlineData("- just\n- a list", "the configuration must be a mapping")]
    [InlineData("interval: [5s", "invalid YAML")]
    public void Wrong_values_are_named(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "x.yaml"));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("x.yaml:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_one_clear_error()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/trace-exporter.yaml"));

        Assert.Contains("cannot read the configuration file", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("interval: 500ms", 500)]
    [InlineData("interval: 1s", 1000)]
    [InlineData("interval: 1m", 60_000)]
    public void Durations_use_prometheus_units(string yaml, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ConfigLoader.Parse(yaml, "x.yaml").Interval);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TraceExporter.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
