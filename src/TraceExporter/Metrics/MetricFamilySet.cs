namespace TraceExporter.Metrics;

/// <summary>
/// Every probe metric family (built-in and user alike), by name, rendered after prometheus-net's page on each
/// scrape. One reload rule for all: a family whose series mean the same keeps its values, a changed one starts
/// anew, and one no configured probe exports any more is removed with its series.
/// </summary>
public sealed class MetricFamilySet(TimeProvider time)
{
    private readonly Dictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public MetricFamilySet()
        : this(TimeProvider.System)
    {
    }

    /// <summary>
    /// The family of that name, kept (with its values) when its series mean the same (type, labels, scale),
    /// with the new help, series limit and TTL; else made anew.
    /// </summary>
    public MetricFamily GetOrCreate(MetricShape shape)
    {
        lock (_lock)
        {
            if (_families.TryGetValue(shape.Name, out var family) && family.Shape.SameSeries(shape))
            {
                family.Reshape(shape);
                return family;
            }

            family = new MetricFamily(shape, time);
            _families[shape.Name] = family;
            return family;
        }
    }

    /// <summary>Removes the families a reloaded configuration no longer has.</summary>
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

    public MetricFamily? Find(string name)
    {
        lock (_lock)
        {
            return _families.GetValueOrDefault(name);
        }
    }

    public string Render()
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        Render(text);
        return text.ToString();
    }

    /// <summary>Every family, by name, each consistent in itself (rendered under its own lock).</summary>
    public void Render(TextWriter text)
    {
        List<MetricFamily> families;
        lock (_lock)
        {
            families = [.. _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];
        }

        foreach (var family in families)
        {
            family.Render(text);
        }
    }
}
