using System.Globalization;
using System.Text;
using Prometheus;
using TraceExporter.Metrics;

namespace TraceExporter.Tests.Metrics;

public sealed class CumulativeCounterMapTests
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly CumulativeCounterMap _map;

    public CumulativeCounterMapTests()
    {
        var counter = Prometheus.Metrics.WithCustomRegistry(_registry).CreateCounter("test_events_total", "Test.", "key");
        _map = new CumulativeCounterMap(counter, key => key.First.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Successive_snapshots_become_the_latest_cumulative_value()
    {
        _map.Apply(new NumericKey(1, 0), 5);
        _map.Apply(new NumericKey(1, 0), 12);
        _map.Apply(new NumericKey(2, 0), 3);

        var page = await ScrapeAsync();
        Assert.Contains("test_events_total{key=\"1\"} 12", page, StringComparison.Ordinal);
        Assert.Contains("test_events_total{key=\"2\"} 3", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_bpftrace_process_continues_the_counter_instead_of_resetting_or_double_counting()
    {
        _map.Apply(new NumericKey(1, 0), 100);
        _map.Apply(new NumericKey(1, 0), 100); // the exit-time dump repeats the last snapshot

        _map.StartGeneration();
        _map.Apply(new NumericKey(1, 0), 7);
        _map.Apply(new NumericKey(1, 0), 9);

        Assert.Contains("test_events_total{key=\"1\"} 109", await ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_process_that_has_already_counted_past_the_old_total_still_counts_all_of_it()
    {
        _map.Apply(new NumericKey(1, 0), 5);

        _map.StartGeneration();
        _map.Apply(new NumericKey(1, 0), 12); // the new process's first print: more than the old total

        Assert.Contains("test_events_total{key=\"1\"} 17", await ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_map_that_shrinks_unannounced_never_makes_the_counter_go_down()
    {
        _map.Apply(new NumericKey(1, 0), 50);
        _map.Apply(new NumericKey(1, 0), 10);

        Assert.Contains("test_events_total{key=\"1\"} 60", await ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_keys_with_the_same_label_add_up()
    {
        var counter = Prometheus.Metrics.WithCustomRegistry(_registry).CreateCounter("test_names_total", "Test.", "comm");
        var map = new CumulativeCounterMap(counter, key => LabelText.FromPackedName(key.First, key.Second));

        map.Apply(new NumericKey(0x6261, 0), 2);                 // "ab"
        map.Apply(new NumericKey(0x6c79_0000_6261, 0), 3);       // "ab\0yl": stale bytes after the NUL

        Assert.Contains("test_names_total{comm=\"ab\"} 5", await ScrapeAsync(), StringComparison.Ordinal);
    }

    private async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
