using System.Text;
using TraceExporter.KernelTests.Infrastructure;

namespace TraceExporter.KernelTests.Faults;

/// <summary>
/// Every counter series of every page scraped through it, checked as it comes: a counter that goes down (or
/// disappears) is recorded as a violation with both values, so a test can assert on all scrapes, not a few.
/// </summary>
internal sealed class CounterHistory
{
    private readonly Dictionary<string, double> _last = new(StringComparer.Ordinal);
    private readonly List<string> _violations = [];

    public int Scrapes { get; private set; }

    public IReadOnlyList<string> Violations => _violations;

    public async Task<MetricsPage> ScrapeAsync(DaemonProcess daemon)
    {
        var page = await daemon.ScrapePageAsync();
        Observe(page);
        return page;
    }

    public void Observe(MetricsPage page)
    {
        Scrapes++;
        var counters = CounterFamilies(page.Text);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sample in page.Samples.Where(s => counters.Contains(s.Name)))
        {
            var key = sample.ToString();
            key = key[..key.LastIndexOf(' ')];
            seen.Add(key);
            if (_last.TryGetValue(key, out var before) && sample.Value < before)
            {
                _violations.Add($"scrape {Scrapes}: {key} went from {before} to {sample.Value}");
            }

            _last[key] = sample.Value;
        }

        foreach (var gone in _last.Keys.Where(k => !seen.Contains(k) && k.StartsWith("trace_", StringComparison.Ordinal)).ToList())
        {
            _violations.Add($"scrape {Scrapes}: {gone} disappeared (was {_last[gone]})");
            _last.Remove(gone);
        }
    }

    public string Summary()
    {
        var text = new StringBuilder($"{Scrapes} scrapes, {_violations.Count} decreasing or vanished counter(s)");
        foreach (var violation in _violations.Take(20))
        {
            text.Append("\n    ").Append(violation);
        }

        return text.ToString();
    }

    private static HashSet<string> CounterFamilies(string text) =>
        text.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 4 && f[0] == "#" && f[1] == "TYPE" && f[3] == "counter")
            .Select(f => f[2])
            .ToHashSet(StringComparer.Ordinal);
}
