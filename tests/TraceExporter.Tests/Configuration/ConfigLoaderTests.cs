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
        Assert.All(TraceExporter.Probes.BuiltinProbeCatalogue.Names, name => Assert.True(config.Builtin![name]));
    }

    [Fact]
    public void An_empty_file_means_all_defaults()
    {
        var config = ConfigLoader.Parse("", "empty.yaml");

        Assert.Null(config.Builtin);
        Assert.Equal("bpftrace", config.Bpftrace.Path);
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
                "bad.yaml:7:3: unknown key 'flags' (expected one of: path, buffer_pages, restart_delay, restart_delay_max)",
                "bad.yaml:8:1: unknown key 'scrape' (expected one of: interval, builtin, bpftrace, probes)",
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
