using TraceExporter.Configuration;

namespace TraceExporter.Tests.Configuration;

/// <summary>Each broken configuration is refused with its file, line, column and the mistake, never a stack trace.</summary>
public sealed class BrokenConfigTests
{
    private const string Program =
        "    program: |\n" +
        "      tracepoint:sched:sched_process_exec { @execs[pid] = count(); @lat = hist(5); @lat_sum = sum(5); @s = stats(3); @a = avg(3); }\n";

    public static TheoryData<string, string> Cases => new()
    {
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_execs_total, help: h, colour: red }\n", "cfg.yaml:6:56: unknown key 'colour'" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_execs_total, help: h, type: countr }\n", "cfg.yaml:6:62: type must be one of: counter, gauge, histogram, summary" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p-execs-total, help: h }\n", "cfg.yaml:6:32: 'p-execs-total' is not a valid Prometheus metric name" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_execs, help: h }\n", "cfg.yaml:6:32: counter 'p_execs' must end in _total" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_execs_total, help: h }\n      - { map: \"@execs\", name: p_execs_total, help: h }\n", "cfg.yaml:7:32: metric name 'p_execs_total' is already used" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: trace_tcp_connects_total, help: h }\n", "cfg.yaml:6:32: metric name 'trace_tcp_connects_total' is already used" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: trace_exporter_bpftrace_resident_memory_bytes, help: h, type: gauge }\n", "cfg.yaml:6:32: metric name 'trace_exporter_bpftrace_resident_memory_bytes' is already used" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@nothere\", name: p_total, help: h }\n", "cfg.yaml:6:9: map @nothere is never assigned in the program" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_total, help: h, labels: [{ name: 0pid, kind: number }] }\n", "cfg.yaml:6:67: '0pid' is not a valid Prometheus label name" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_total, help: h, labels: [{ name: pid }, { name: pid }] }\n", "cfg.yaml:6:82: label 'pid' appears twice" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_total, help: h, labels: [{ name: a, kind: string }, { name: b, kind: string }] }\n", "cfg.yaml:6:58: at most one label of kind string per key" },
        { "probes:\n  - name: p\n    program_file: does-not-exist.bt\n    metrics:\n      - { map: \"@x\", name: p_total, help: h }\n", "cfg.yaml:3:19: program_file 'does-not-exist.bt' cannot be read" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@lat\", name: p_latency_seconds, help: h, type: histogram }\n", "cfg.yaml:6:9: histogram p_latency_seconds needs sum_map" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_latency_seconds, help: h, type: histogram, sum_map: \"@lat_sum\" }\n", "cfg.yaml:6:9: p_latency_seconds is a histogram, so @execs must be assigned hist() or lhist(), not count()" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@a\", name: p_avg, help: h, type: gauge }\n", "cfg.yaml:6:9: @a is an avg(), which bpftrace prints without its count: use stats() and type: summary" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_total, help: h, scale: -1 }\n", "cfg.yaml:6:57: scale must be a positive number" },
        { "probes:\n  - name: p\n" + Program + "    lines:\n      - { regex: '^exec (?<comm', name: p_lines_total, help: h }\n", "cfg.yaml:6:18: invalid regular expression" },
        { "probes:\n  - name: tcp_connects\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_total, help: h }\n", "cfg.yaml:2:5: probe name 'tcp_connects' is already taken by a built-in probe" },
        { "probes:\n  - name: p\n    metrics:\n      - { map: \"@x\", name: p_total, help: h }\n", "cfg.yaml:2:5: probe 'p' needs a program or a program_file" },
        { "probes:\n  - name: p\n" + Program, "cfg.yaml:2:5: probe 'p' exports nothing" },
        { "probes:\n  - name: P\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_total, help: h }\n", "cfg.yaml:2:11: probe name 'P' must be lowercase" },
        { "probes:\n  - name: p\n" + Program + "    interval: 5 minutes\n    metrics:\n      - { map: \"@execs\", name: p_total, help: h }\n", "cfg.yaml:5:15: interval must be a duration" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: execs, name: p_total, help: h }\n", "cfg.yaml:6:16: map 'execs' is not a bpftrace map name" },
        { "probes:\n  - name: p\n    program: 'k { @m[pid] = count(); } interval:s:1 { print(@m); }'\n    metrics:\n      - { map: \"@m\", name: p_total, help: h, update: delta }\n", "cfg.yaml:5:9: @m is a delta map, which the daemon itself prints and clears each interval (it keeps two copies), so the program may only aggregate into it; program line 1 uses it otherwise" },
        { "probes:\n  - name: p\n    program: 'k { @m_te0 = count(); }'\n    metrics:\n      - { map: \"@m_te0\", name: p_total, help: h }\n", "cfg.yaml:3:14: map name @m_te0 is reserved for the daemon's own maps" },
        { "probes:\n  - name: p\n" + Program + "    metrics:\n      - { map: \"@execs\", name: p_total, help: h, update: cumulative, series_ttl: 1h }\n", "cfg.yaml:6:9: series_ttl needs update: delta" },
        { "probes:\n  - name: p\n" + Program + "    max_map_keys: 0\n    metrics:\n      - { map: \"@execs\", name: p_total, help: h }\n", "cfg.yaml:5:19: max_map_keys must be between 1 and 4194304, not 0" },
        { "bpftrace:\n  attach: raw\n", "cfg.yaml:2:11: bpftrace.attach must be one of: auto, tracepoint" },
        { "bpftrace:\n  max_map_keys: 99999999999\n", "cfg.yaml:2:17: bpftrace.max_map_keys must be between 1 and 4194304" },
        { "builtin:\n  tcp_connects: { series_limit: 0 }\n", "cfg.yaml:2:33: builtin.tcp_connects.series_limit must be between 1 and 1000000, not 0" },
        { "builtin:\n  tcp_connects: { ephemeral_ports: keep }\n", "cfg.yaml:2:19: unknown key 'ephemeral_ports' (expected one of: enabled, labels, series_limit, series_ttl)" },
        { "builtin:\n  tcp_accepts: { ephemeral_ports: sometimes }\n", "cfg.yaml:2:35: builtin.tcp_accepts.ephemeral_ports must be fold" },
        { "builtin:\n  process_execs: { series_ttl: forever }\n", "cfg.yaml:2:32: builtin.process_execs.series_ttl must be a duration" },
        { "builtin:\n  tcp_connects: { labels: [comm, pod] }\n", "cfg.yaml:2:34: builtin.tcp_connects.labels: 'pod' is not one of: comm, cgroup, unit, container_id, pod_uid" },
        { "builtin:\n  skb_drops: { labels: [reason, unit] }\n", "cfg.yaml:2:33: builtin.skb_drops.labels: 'unit' is not one of: reason" },
        { "builtin:\n  process_execs: { labels: [] }\n", "cfg.yaml:2:28: builtin.process_execs.labels must be a list of some of: comm, cgroup, unit, container_id, pod_uid" },
        { "cgroups:\n  mount: relative/path\n", "cfg.yaml:2:10: cgroups.mount must be an absolute path" },
        { "probes:\n  - name: p\n    program: 'k { @m[cgroup] = count(); }'\n    metrics:\n      - { map: \"@m\", name: p_total, help: h, labels: [{ kind: cgroup, labels: [unit, pod] }] }\n", "cfg.yaml:5:79: labels of a cgroup key part must be some of: cgroup, unit, container_id, pod_uid, each once" },
        { "probes:\n  - name: p\n    program: 'k { @m[cgroup] = count(); }'\n    metrics:\n      - { map: \"@m\", name: p_total, help: h, labels: [{ name: cg, kind: cgroup }] }\n", "cfg.yaml:5:55: a cgroup key part names its labels with labels:" },
        { "probes:\n  - name: p\n    program: 'k { @m[cgroup, pid] = count(); }'\n    metrics:\n      - { map: \"@m\", name: p_total, help: h, labels: [{ kind: cgroup, labels: [unit] }, { name: unit }] }\n", "cfg.yaml:5:97: label 'unit' appears twice" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_broken_config_is_refused_with_file_line_column_and_the_mistake(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "cfg.yaml"));

        Assert.Contains(e.Errors, error => error.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_valid_user_probe_reads_back_as_written()
    {
        var config = ConfigLoader.Parse(
            "probes:\n  - name: p\n" + Program +
            "    interval: 2s\n" +
            "    metrics:\n" +
            "      - { map: \"@execs\", name: p_execs_total, help: Execs., labels: [{ name: pid, kind: number }], update: delta, series_limit: 5 }\n" +
            "      - { map: \"@lat\", name: p_latency_seconds, help: Latency., type: histogram, sum_map: \"@lat_sum\", scale: 0.001 }\n" +
            "      - { map: \"@s\", name: p_sizes_bytes, help: Sizes., type: summary }\n" +
            "    lines:\n" +
            "      - { regex: '^exec (?<comm>\\S+)$', name: p_lines_total, help: Lines. }\n",
            "cfg.yaml");

        var probe = Assert.Single(config.Probes);
        Assert.Equal(TimeSpan.FromSeconds(2), probe.Interval);
        Assert.Equal(MapUpdate.Delta, probe.Metrics[0].Update);
        Assert.Equal(5, probe.Metrics[0].SeriesLimit);
        Assert.Equal(new LabelConfig("pid", LabelKind.Number), Assert.Single(probe.Metrics[0].Labels));
        Assert.Equal("@lat_sum", probe.Metrics[1].SumMap);
        Assert.Equal(0.001, probe.Metrics[1].Scale);
        Assert.Equal(MetricType.Summary, probe.Metrics[2].Type);
        Assert.Equal(["comm"], Assert.Single(probe.Lines).Labels);
    }

    [Fact]
    public void Every_shipped_example_is_valid()
    {
        var examples = Directory.GetFiles(Path.Combine(ConfigLoaderTests.RepoRoot(), "config", "examples"), "*.yaml");

        Assert.True(examples.Length >= 6);
        Assert.All(examples, path => Assert.NotEmpty(ConfigLoader.Load(path).Probes));
    }
}
