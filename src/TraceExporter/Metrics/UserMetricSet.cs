using System.Text;
using TraceExporter.Configuration;

namespace TraceExporter.Metrics;

/// <summary>Every user metric family, by name; rendered after prometheus-net's page on each scrape.</summary>
public sealed class UserMetricSet
{
    private readonly Dictionary<string, UserMetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The family of that name, kept (with its values) when its shape is unchanged, else made anew.</summary>
    public UserMetricFamily GetOrCreate(string name, string help, MetricType type, IReadOnlyList<string> labelNames, double scale, int seriesLimit, Action onDropped)
    {
        lock (_lock)
        {
            if (_families.TryGetValue(name, out var family) && family.SameShape(help, type, labelNames, scale, seriesLimit))
            {
                return family;
            }

            family = new UserMetricFamily(name, help, type, labelNames, scale, seriesLimit, onDropped);
            _families[name] = family;
            return family;
        }
    }

    /// <summary>Drops the families a reloaded configuration no longer has.</summary>
    public void RetainOnly(IEnumerable<string> names)
    {
        var keep = names.ToHashSet(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var name in _families.Keys.Where(n => !keep.Contains(n)).ToList())
            {
                _families.Remove(name);
            }
        }
    }

    public string Render()
    {
        var text = new StringBuilder();
        List<UserMetricFamily> families;
        lock (_lock)
        {
            families = [.. _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];
        }

        foreach (var family in families)
        {
            family.Render(text);
        }

        return text.ToString();
    }
}
